import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { from, map, mergeAll, type Observable } from 'rxjs';
import { envelope, RAW_RESPONSE } from './envelope';
import type { RequestWithId } from './request-id';

/**
 * The optional stages of the HTTP pipeline, one instance per app (PlatformModule provides it empty;
 * PlatformHttpModule fills it in when the app imports it). Looked up per request, so the order in which
 * Nest builds the modules does not matter.
 */
@Injectable()
export class HttpPipelineStages {
  rateLimit?: NestInterceptor;
  idempotency?: NestInterceptor;
}

/**
 * The one Nest interceptor of an HTTP app (configureHttpApp installs it): the rate-limit fallback, then
 * idempotency, then the `{data}` envelope, composed as plain calls. Each interceptor Nest runs costs an
 * `AsyncResource` (with two `util.deprecate` wrappers) and an rxjs `defer`/`mergeAll` per request — with three
 * registered that was a tenth of a `GET /v1/me`'s CPU. The stages keep their order and meaning: a refused
 * request never touches an idempotency key, and idempotency sees (stores, replays) the final envelope.
 * The rate-limit and idempotency stages are the app's PlatformHttpModule providers ({@link HttpPipelineStages});
 * an app without that module (the worker's health routes, the onboarding pages) gets the envelope only.
 */
export class HttpPipelineInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly stages: HttpPipelineStages,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> | Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const enveloped = this.enveloped(context, next);
    const { rateLimit, idempotency } = this.stages;
    const inner: CallHandler = idempotency ? { handle: () => toObservable(idempotency.intercept(context, enveloped)) } : enveloped;
    return rateLimit ? rateLimit.intercept(context, inner) : inner.handle();
  }

  private enveloped(context: ExecutionContext, next: CallHandler): CallHandler {
    if (this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [context.getHandler(), context.getClass()])) return next;
    const requestId = context.switchToHttp().getRequest<RequestWithId>().id;
    return { handle: () => next.handle().pipe(map((result: unknown) => envelope(result, requestId))) };
  }
}

/** A stage may answer with a Promise of its Observable (Nest accepts both from an interceptor). */
function toObservable(result: Observable<unknown> | Promise<Observable<unknown>>): Observable<unknown> {
  return result instanceof Promise ? from(result).pipe(mergeAll()) : result;
}
