import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { HttpReply } from '../http/http-types';
import type { Observable } from 'rxjs';
import type { Principal, RequestWithPrincipal } from '../auth/principal';
import { enforceRateLimit, type RateLimitedRequest } from './rate-limit-headers';
import { RateLimiter } from './rate-limiter';

/**
 * Per-organization rate limits (spec 01-conventions.md § Rate limits) for apps without the API's
 * admission middleware (identity's ApiAdmission hook takes the token earlier, for every answer, and
 * marks the request; this interceptor then does nothing). Runs after the auth guard: requests without a
 * principal (public routes) are not limited here. Every authenticated
 * response carries `X-RateLimit-Limit/Remaining/Reset`; an empty bucket → 429 `rate_limit_exceeded`
 * with `Retry-After`.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(private readonly limiter: RateLimiter) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> | Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<RequestWithPrincipal & RateLimitedRequest>();
    const principal = req.principal;
    // Already taken by the API's admission middleware (which also covers errors raised before this point):
    // answered synchronously, so the api's requests pay no promise or `from()` here.
    if (!principal || req.rateLimitTaken) return next.handle();
    return this.take(context, principal, next);
  }

  private async take(context: ExecutionContext, principal: Principal, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const { decision, what } = await this.limiter.takeForRequest(principal, http.getRequest<RequestWithPrincipal>().method);
    enforceRateLimit(http.getResponse<HttpReply>(), decision, what);
    return next.handle();
  }
}
