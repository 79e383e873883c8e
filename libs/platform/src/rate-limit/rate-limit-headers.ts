import type { HttpReply, HttpRequest } from '../http/http-types';
import { AppError } from '../errors/app-error';
import type { RateLimitDecision } from './token-bucket';

/** A request whose rate-limit token was already taken (by the API's admission middleware): later layers skip it. */
export type RateLimitedRequest = HttpRequest & { rateLimitTaken?: boolean };

/**
 * Requests without a valid API key (none, malformed, unknown, revoked, expired) draw from a bucket per
 * client IP of this size per minute — the answer carries `X-RateLimit-*` like any other, and key guessing
 * is slowed to this pace.
 */
export const UNAUTHENTICATED_PER_IP_PER_MIN = 120;

export function setRateLimitHeaders(res: HttpReply, decision: RateLimitDecision): void {
  res.header('X-RateLimit-Limit', String(decision.limit));
  res.header('X-RateLimit-Remaining', String(decision.remaining));
  res.header('X-RateLimit-Reset', String(decision.reset));
}

/** 429 `rate_limit_exceeded` with `Retry-After` for a refused decision. */
/** Sets the `X-RateLimit-*` headers of a decision and throws 429 when it refused the request. */
export function enforceRateLimit(res: HttpReply, decision: RateLimitDecision, what: string): void {
  setRateLimitHeaders(res, decision);
  if (!decision.allowed) throw rateLimitExceeded(decision, what);
}

export function rateLimitExceeded(decision: RateLimitDecision, what: string): AppError {
  return new AppError('rate_limit_exceeded', `Too many ${what}; retry after ${decision.retryAfter ?? 1} s.`, {
    headers: { 'Retry-After': String(decision.retryAfter ?? 1) },
  });
}
