import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Public ids: `<prefix>_<26 Crockford base32 characters>` (a ULID body, so ids sort by creation time).
 * Spec 01-conventions.md § Ids. Only these ever leave the API.
 */
export const ID_PREFIXES = {
  organization: 'org',
  team: 'team',
  user: 'usr',
  apiKey: 'key',
  customer: 'cus',
  setupLink: 'csl',
  whatsappAccount: 'wba',
  conversation: 'cnv',
  contact: 'ctc',
  message: 'msg',
  label: 'lbl',
  template: 'tmpl',
  webhookSubscription: 'wbs',
  webhookSecret: 'sec',
  webhookDelivery: 'wbd',
  event: 'evt',
  request: 'req',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdPrefix = (typeof ID_PREFIXES)[IdKind];

const BODY = '[0-9A-HJKMNP-TV-Z]{26}';
export const ID_PATTERN = new RegExp(`^[a-z]+_${BODY}$`);
const patterns = new Map<string, RegExp>();

/** The pattern of one kind of id, as a string (for OpenAPI `pattern` and validation alike). */
export function idPattern(prefix: IdPrefix): string {
  return `^${prefix}_${BODY}$`;
}

/**
 * ulid's default PRNG calls `crypto.getRandomValues` once per random character (16 syscalls into the CSPRNG
 * per id). This one draws from a pool of `randomBytes` refilled 4 KiB at a time: still the CSPRNG, still
 * uniform over the 32 Crockford characters (ulid takes `floor(prng() * 32)`, and `byte / 256` maps 8 byte
 * values onto each character), about 256 ids per refill.
 */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;
export function pooledPrng(): number {
  if (poolOffset === POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  return (pool[poolOffset++] as number) / 256;
}

const nextUlid = monotonicFactory(pooledPrng);

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid()}`;
}

/** True when `value` is a well-formed id with this prefix. */
export function isId(prefix: IdPrefix, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  let pattern = patterns.get(prefix);
  if (!pattern) {
    pattern = new RegExp(idPattern(prefix));
    patterns.set(prefix, pattern);
  }
  return pattern.test(value);
}
