import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import type { RequestWithPrincipal } from '../auth/principal';
import { AppError } from '../errors/app-error';
import { RateLimiter } from './rate-limiter';
import { bucketKind } from './token-bucket';

/**
 * Per-organization rate limits (spec 01-conventions.md § Rate limits). An interceptor, so it runs after
 * the auth guard: requests without a principal (public routes) are not limited. Every authenticated
 * response carries `X-RateLimit-Limit/Remaining/Reset`; an empty bucket → 429 `rate_limit_exceeded`
 * with `Retry-After`.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(private readonly limiter: RateLimiter) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const principal = req.principal;
    if (!principal) return next.handle();
    const kind = bucketKind(req.method);
    const limit = kind === 'read' ? principal.rateLimits.readPerMinute : principal.rateLimits.writePerMinute;
    const decision = await this.limiter.takeForOrganization(principal.organizationId, kind, limit);
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('X-RateLimit-Limit', String(decision.limit));
    res.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    res.setHeader('X-RateLimit-Reset', String(decision.reset));
    if (!decision.allowed) {
      throw new AppError('rate_limit_exceeded', `Too many ${kind} requests; retry after ${decision.retryAfter} s.`, {
        headers: { 'Retry-After': String(decision.retryAfter) },
      });
    }
    return next.handle();
  }
}
