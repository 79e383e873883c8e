import { Injectable } from '@nestjs/common';
import { RedisService } from '@kirim/platform';

const RESERVE = 'kirimPacerReserve';
const PAUSE = 'kirimPacerPause';
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
  /** Redis time − this process's time, as last measured, and when (Redis `TIME` is read at most every few seconds). */
  private offsetMs = 0;
  private offsetAt = 0;

  constructor(private readonly redis: RedisService) {
    const client = redis.client;
    const commands = client as unknown as Record<string, unknown>;
    if (!commands[RESERVE]) client.defineCommand(RESERVE, { numberOfKeys: 1, lua: RESERVE_LUA });
    if (!commands[PAUSE]) client.defineCommand(PAUSE, { numberOfKeys: 1, lua: PAUSE_LUA });
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

  /** Nothing leaves this number for `pauseMs` from now (slots already reserved keep theirs). */
  async pause(numberKey: string, pauseMs: number): Promise<void> {
    await this.pauseScript(this.key(numberKey), String(pauseMs));
  }

  private key(numberKey: string): string {
    return this.redis.key('pace', numberKey);
  }
}
