import { Injectable } from '@nestjs/common';
import { RedisService } from '@kirim/platform';

const RESERVE = 'kirimPacerReserve';
const PAUSE = 'kirimPacerPause';
const ADMIT = 'kirimPacerAdmit';
const RESERVE_ADMIT = 'kirimPacerReserveAdmit';
const OFFSET_TTL_MS = 5_000;

/** Redis time (ms, fractional) as `now`: every script of the pacer reads the clock of Redis, never a process's. */
const NOW_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
`;

/**
 * GCRA without burst. `pace` (a key) holds the number's theoretical arrival time (TAT, epoch ms, Redis
 * time); `interval` (ms, fractional). The slot is max(TAT, now); TAT moves one interval past it: every
 * caller, in every process, gets a distinct slot. Leaves `slot` set.
 */
const gcraLua = (pace: string, interval: string) => `
local tat = tonumber(redis.call('GET', ${pace}) or '0')
if tat < now then tat = now end
local slot = tat
tat = tat + tonumber(${interval})
redis.call('SET', ${pace}, tostring(tat), 'PX', math.ceil(tat - now) + 60000)
`;

/**
 * The hard gate: a sliding-window log. `sent` (a key) is a sorted set of send times (ms, Redis time). Fewer
 * than `cap` sends in the last `window` ms → this send is logged under `member`, `gate` = '0'; else nothing
 * is logged and `gate` is the wait (ms) until the oldest leaves the window.
 */
const gateLua = (sent: string, cap: string, windowMs: string, member: string) => `
local gate
local window = tonumber(${windowMs})
redis.call('ZREMRANGEBYSCORE', ${sent}, '-inf', now - window)
if redis.call('ZCARD', ${sent}) < tonumber(${cap}) then
  redis.call('ZADD', ${sent}, now, ${member})
  redis.call('PEXPIRE', ${sent}, math.ceil(window) + 1000)
  gate = '0'
else
  local oldest = redis.call('ZRANGE', ${sent}, 0, 0, 'WITHSCORES')
  gate = tostring(math.max(1, tonumber(oldest[2]) + window - now))
end
`;

/** KEYS[1] the TAT; ARGV: interval. Returns {slot, now} as strings. */
const RESERVE_LUA = `${NOW_LUA}${gcraLua('KEYS[1]', 'ARGV[1]')}
return { tostring(slot), tostring(now) }
`;

/** Pushes the TAT to at least now + ARGV[1] ms (Meta throttled the number). Returns the new TAT. */
const PAUSE_LUA = `${NOW_LUA}
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ms = now + tonumber(ARGV[1])
if tat < until_ms then tat = until_ms end
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 60000)
return tostring(tat)
`;

/** KEYS[1] the send log; ARGV: cap, window (ms), a unique member. Returns the gate's answer. */
const ADMIT_LUA = `${NOW_LUA}${gateLua('KEYS[1]', 'ARGV[1]', 'ARGV[2]', 'ARGV[3]')}
return gate
`;

/**
 * A slot and, when the slot is now, the gate — one round trip for a message of a number without a backlog,
 * the same two steps (at the same instant of Redis time) that {@link RESERVE_LUA} then {@link ADMIT_LUA}
 * take. KEYS: the TAT, the send log; ARGV: interval, cap, window, member. Returns {slot, now, gate}, gate
 * '-1' when the slot is later (the gate was not asked: the caller waits for the slot, then admits).
 */
const RESERVE_ADMIT_LUA = `${NOW_LUA}${gcraLua('KEYS[1]', 'ARGV[1]')}
if slot > now then return { tostring(slot), tostring(now), '-1' } end
${gateLua('KEYS[2]', 'ARGV[2]', 'ARGV[3]', 'ARGV[4]')}
return { tostring(slot), tostring(now), gate }
`;

type Admit = (key: string, cap: string, windowMs: string, member: string) => Promise<string>;
type Reserve = (key: string, intervalMs: string) => Promise<[string, string]>;
type Pause = (key: string, pauseMs: string) => Promise<string>;
type ReserveAdmit = (
  pace: string,
  sent: string,
  intervalMs: string,
  cap: string,
  windowMs: string,
  member: string,
) => Promise<[string, string, string]>;

/** A reserved slot: when the send may leave, in this process's clock. */
export interface PacingSlot {
  /** Epoch ms in Redis time (stable across processes; stored in the job). */
  slotAt: number;
  /** How long from now (this process) until the slot. */
  waitMs: number;
}

/** A slot and, when it is now, the gate's answer: 0 admitted (counted), > 0 the wait, null not asked (the slot is later). */
export interface AdmittedSlot extends PacingSlot {
  gate: number | null;
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
  private readonly reserveAdmitScript: ReserveAdmit;
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
    if (!commands[RESERVE_ADMIT]) client.defineCommand(RESERVE_ADMIT, { numberOfKeys: 2, lua: RESERVE_ADMIT_LUA });
    const admit = commands[ADMIT] as Admit;
    this.admitScript = (...args) => admit.apply(client, args);
    const reserve = commands[RESERVE] as Reserve;
    const pause = commands[PAUSE] as Pause;
    this.reserveScript = (...args) => reserve.apply(client, args);
    this.pauseScript = (...args) => pause.apply(client, args);
    const reserveAdmit = commands[RESERVE_ADMIT] as ReserveAdmit;
    this.reserveAdmitScript = (...args) => reserveAdmit.apply(client, args);
  }

  async reserve(numberKey: string, intervalMs: number): Promise<PacingSlot> {
    const local = Date.now();
    const [slot, now] = await this.reserveScript(this.key(numberKey), String(intervalMs));
    const slotAt = Number(slot);
    this.observe(Number(now), local);
    return { slotAt, waitMs: Math.max(0, slotAt - Number(now)) };
  }

  /**
   * {@link reserve}, and {@link admit} in the same round trip when the slot is now (the number has no
   * backlog): for a caller about to send, who has nothing left to do between its slot and the gate.
   */
  async reserveAndAdmit(numberKey: string, intervalMs: number, cap: number, windowMs: number): Promise<AdmittedSlot> {
    const local = Date.now();
    const [slot, now, gate] = await this.reserveAdmitScript(
      this.key(numberKey),
      this.redis.key('sent', numberKey),
      String(intervalMs),
      String(cap),
      String(windowMs),
      this.member(),
    );
    const slotAt = Number(slot);
    this.observe(Number(now), local);
    return { slotAt, waitMs: Math.max(0, slotAt - Number(now)), gate: gate === '-1' ? null : Number(gate) };
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
    return Number(await this.admitScript(this.redis.key('sent', numberKey), String(cap), String(windowMs), this.member()));
  }

  private member(): string {
    return `${process.pid}:${Date.now()}:${this.admitted++}:${Math.random()}`;
  }

  /** Nothing leaves this number for `pauseMs` from now (slots already reserved keep theirs). */
  async pause(numberKey: string, pauseMs: number): Promise<void> {
    await this.pauseScript(this.key(numberKey), String(pauseMs));
  }

  private key(numberKey: string): string {
    return this.redis.key('pace', numberKey);
  }
}
