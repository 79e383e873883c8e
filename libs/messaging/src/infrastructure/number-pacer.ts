import { Injectable } from '@nestjs/common';
import { RedisService } from '@kirim/platform';

const RESERVE = 'kirimPacerReserve';
const PAUSE = 'kirimPacerPause';
const ADMIT = 'kirimPacerAdmit';
const OFFSET_TTL_MS = 5_000;

/**
 * GCRA without burst. KEYS[1] holds the number's theoretical arrival time (TAT, epoch ms, Redis `TIME`).
 * ARGV: interval (ms, fractional). The slot is max(TAT, now); TAT moves one interval past it. Returns
 * {slot, now} as strings. One round trip reserves a distinct slot for every caller, in every process.
 */
const RESERVE_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local slot = tat
tat = tat + interval
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 60000)
return { tostring(slot), tostring(now) }
`;

/** Pushes the TAT to at least now + ARGV[1] ms (Meta throttled the number). Returns the new TAT. */
const PAUSE_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ms = now + tonumber(ARGV[1])
if tat < until_ms then tat = until_ms end
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 60000)
return tostring(tat)
`;

/**
 * The hard gate right before a send: a sliding-window log. KEYS[1] a sorted set of send times (ms, Redis
 * time); ARGV: cap, window (ms), a unique member. Fewer than `cap` sends in the last `window` ms → this send
 * is logged, answer 0; else nothing is logged and the answer is the wait (ms) until the oldest leaves the window.
 */
const ADMIT_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local cap = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < cap then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(math.max(1, tonumber(oldest[2]) + window - now))
`;

type Admit = (key: string, cap: string, windowMs: string, member: string) => Promise<string>;
type Reserve = (key: string, intervalMs: string) => Promise<[string, string]>;
type Pause = (key: string, pauseMs: string) => Promise<string>;

/** A reserved slot: when the send may leave, in this process's clock. */
export interface PacingSlot {
  /** Epoch ms in Redis time (stable across processes; stored in the job). */
  slotAt: number;
  /** How long from now (this process) until the slot. */
  waitMs: number;
}

/**
 * Per-number pacing shared by every worker process through Redis (`<prefix>pace:<wba_ id>`: the account, stable across reconnects): each
 * send reserves the next slot of its number, slots `interval` apart. A caller whose slot is far enough in
 * the future delays its job until then instead of holding a worker slot.
 */
@Injectable()
export class NumberPacer {
  private readonly reserveScript: Reserve;
  private readonly pauseScript: Pause;
  private readonly admitScript: Admit;
  private admitted = 0;
  /** Redis time − this process's time, as last measured, and when (Redis `TIME` is read at most every few seconds). */
  private offsetMs = 0;
  private offsetAt = 0;

  constructor(private readonly redis: RedisService) {
    const client = redis.client;
    const commands = client as unknown as Record<string, unknown>;
    if (!commands[RESERVE]) client.defineCommand(RESERVE, { numberOfKeys: 1, lua: RESERVE_LUA });
    if (!commands[PAUSE]) client.defineCommand(PAUSE, { numberOfKeys: 1, lua: PAUSE_LUA });
    if (!commands[ADMIT]) client.defineCommand(ADMIT, { numberOfKeys: 1, lua: ADMIT_LUA });
    const admit = commands[ADMIT] as Admit;
    this.admitScript = (...args) => admit.apply(client, args);
    const reserve = commands[RESERVE] as Reserve;
    const pause = commands[PAUSE] as Pause;
    this.reserveScript = (...args) => reserve.apply(client, args);
    this.pauseScript = (...args) => pause.apply(client, args);
  }

  async reserve(numberKey: string, intervalMs: number): Promise<PacingSlot> {
    const local = Date.now();
    const [slot, now] = await this.reserveScript(this.key(numberKey), String(intervalMs));
    const slotAt = Number(slot);
    this.observe(Number(now), local);
    return { slotAt, waitMs: Math.max(0, slotAt - Number(now)) };
  }

  /** How long from now until a slot reserved earlier (by any process), in Redis time; negative once it has passed. */
  async untilSlot(slotAt: number): Promise<number> {
    if (Date.now() - this.offsetAt > OFFSET_TTL_MS) {
      const local = Date.now();
      const [seconds, micros] = await this.redis.client.time();
      this.observe(Number(seconds) * 1000 + Number(micros) / 1000, local);
    }
    return slotAt - (Date.now() + this.offsetMs);
  }

  private observe(redisNow: number, localBefore: number): void {
    // The answer was made between localBefore and now: its midpoint is the best local estimate.
    this.offsetMs = redisNow - (localBefore + Date.now()) / 2;
    this.offsetAt = Date.now();
  }

  /**
   * The last check before a send: at most `cap` sends of the number in any `windowMs` (every process, Redis
   * time). Returns 0 when this send may go now (and counts it), else how long to wait before asking again.
   * Slots keep the sends evenly spread; this gate keeps the cap exact when jobs wake late (BullMQ's delayed
   * jobs run tens of ms after their time) and bunch up.
   */
  async admit(numberKey: string, cap: number, windowMs: number): Promise<number> {
    const member = `${process.pid}:${Date.now()}:${this.admitted++}:${Math.random()}`;
    return Number(await this.admitScript(this.redis.key('sent', numberKey), String(cap), String(windowMs), member));
  }

  /** Nothing leaves this number for `pauseMs` from now (slots already reserved keep theirs). */
  async pause(numberKey: string, pauseMs: number): Promise<void> {
    await this.pauseScript(this.key(numberKey), String(pauseMs));
  }

  private key(numberKey: string): string {
    return this.redis.key('pace', numberKey);
  }
}
