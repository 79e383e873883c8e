import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  perMinute,
  type RateLimitedRequest,
  enforceRateLimit,
  type HttpReply,
  type HttpRequest,
  type RateLimitDecision,
  requestPath,
  RateLimiter,
  type RequestWithPrincipal,
  UNAUTHENTICATED_PER_IP_PER_MIN,
} from '@kirim/platform';
import { ApiKeysService } from '../application/api-keys.service';
import { bearerToken } from '../domain/api-key';

/** The request after admission: its principal, or why authentication failed (thrown by the guard on protected routes). */
export type AdmittedRequest = RequestWithPrincipal & RateLimitedRequest & { authFailure?: AppError };

/**
 * The API's admission, an `onRequest` hook before the body is read: authenticates the
 * `Authorization: Bearer` key and takes the rate-limit token in one step, so EVERY later answer — 2xx,
 * 413/415/`invalid_json`, validation 400, 401, 403, 404 (unknown routes too), 409, 422, 429 — carries
 * `X-RateLimit-*`.
 *
 * * A valid key: `req.principal` is set and the organization's read or write bucket is charged (429 when
 *   empty). The guard then only checks the route's policy; the rate-limit interceptor skips the request.
 * * No key or a failed one: the client IP's bucket ({@link UNAUTHENTICATED_PER_IP_PER_MIN}/min) is
 *   charged, which also slows key guessing; the failure is kept on the request and thrown by the guard —
 *   only if the route needs a key (public routes answer normally).
 * * PostgreSQL or Redis down: the error goes on to the filter (503 `service_unavailable`).
 *
 * The api's http options install it (`apiHttpOptions`); apps without it authenticate in the guard.
 */
export class ApiAdmission {
  private readonly unmetered: ReadonlySet<string>;

  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly limiter: RateLimiter,
    /**
     * Paths admitted without a key and without a rate-limit token: Meta's webhook, which proves itself by its
     * signature and whose few delivery IPs would empty a per-IP bucket (2,000 messages/s in batches of 50).
     */
    options: { unmeteredPaths?: readonly string[] } = {},
  ) {
    this.unmetered = new Set(options.unmeteredPaths ?? []);
  }

  /** The Fastify hook. */
  readonly hook = (request: FastifyRequest, reply: FastifyReply): Promise<void> => this.admit(request as unknown as AdmittedRequest, reply);

  async admit(req: AdmittedRequest, res: HttpReply): Promise<void> {
    if (req.rateLimitTaken) return;
    if (this.unmetered.size > 0 && this.unmetered.has(requestPath(req))) {
      req.rateLimitTaken = true;
      return;
    }
    const token = bearerToken(req.headers.authorization);
    if (token !== null) {
      try {
        req.principal = await this.apiKeys.authenticate(token);
      } catch (error) {
        if (!(error instanceof AppError)) throw error; // a dependency failed: 503, not a misleading 401
        req.authFailure = error;
      }
    } else if (req.headers.authorization !== undefined) {
      req.authFailure = new AppError('invalid_api_key', "No API key provided; send it as 'Authorization: Bearer <key>'.");
    }
    const { decision, what } = req.principal ? await this.limiter.takeForRequest(req.principal, req.method) : await this.takeForClient(req);
    req.rateLimitTaken = true;
    enforceRateLimit(res, decision, what);
  }

  /** No valid key: the client IP's bucket. */
  private async takeForClient(req: HttpRequest): Promise<{ decision: RateLimitDecision; what: string }> {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const decision = await this.limiter.limit(`unauthenticated:${ip}`, perMinute(UNAUTHENTICATED_PER_IP_PER_MIN));
    return { decision, what: 'requests without a valid API key' };
  }
}
