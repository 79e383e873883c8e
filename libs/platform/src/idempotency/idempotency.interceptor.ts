import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { type HttpReply, headerValue, requestPath } from '../http/http-types';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import type { RequestWithPrincipal } from '../auth/principal';
import { AppError } from '../errors/app-error';
import type { RequestWithId } from '../http/request-id';
import { Database } from '../persistence/database';
import { isUniqueViolation } from '../persistence/prisma-errors';
import { assertIdempotencyKey, IDEMPOTENCY_HEADER, requestFingerprint } from './idempotency-key';
import { type IdempotencyScope, IdempotencyService, type StoredResponse } from './idempotency.service';

type IdempotentRequest = RequestWithPrincipal & RequestWithId;

interface Attempt {
  scope: IdempotencyScope;
  key: string;
  fingerprint: string;
  req: IdempotentRequest;
  res: HttpReply;
}

/**
 * `Idempotency-Key` on authenticated POSTs (spec 01-conventions.md § Idempotency).
 *
 * The handler runs inside one CLS transaction (`db.transaction`), so the service's own `@Transactional()`
 * writes join it and the stored response commits with the effect — or neither does. The transaction
 * first takes a non-blocking advisory lock on (organization, customer restriction, key): not acquired → 409
 * `idempotency_in_progress`. Then: a record with another fingerprint → 422 `idempotency_key_reuse`; with
 * the same fingerprint → replay, the handler is not called; none → run the handler and insert the record.
 * A 4xx `AppError` rolls the effect back and is stored in a fresh short transaction so that retries get
 * the same 4xx; a 5xx or an unknown error stores nothing (a retry runs again).
 *
 * Replays are rendered through the current request: the body's `request_id` is the CURRENT request's id
 * (so it always equals `X-Request-Id`), and `Idempotent-Original-Request-Id` names the first request.
 * This stage runs outside the envelope (HttpPipelineInterceptor, installed by configureHttpApp, calls it
 * with a handler that envelopes), so it sees the final envelope: it stores it without
 * `request_id` and on replay returns it with the current one — the envelope never runs on a replay, so
 * nothing is wrapped twice. A result that is not an envelope of this request (a raw route, or an app
 * that ordered the interceptors the other way) is stored and replayed as is.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('IdempotencyInterceptor');

  constructor(
    private readonly db: Database,
    private readonly records: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<IdempotentRequest>();
    const key = headerValue(req, IDEMPOTENCY_HEADER);
    // Unauthenticated routes have no organization to scope the key to: the header is ignored there.
    if (req.method !== 'POST' || key === undefined || !req.principal) return next.handle();
    assertIdempotencyKey(key);
    const attempt: Attempt = {
      // Scoped to the organization AND the key's customer restriction: a replay by a principal of another
      // scope is a fresh request there, authorized (404/403) like any other.
      scope: { organizationId: req.principal.organizationId, customerId: req.principal.customerId },
      key,
      fingerprint: requestFingerprint(req.method, requestPath(req), req.body),
      req,
      res: context.switchToHttp().getResponse<HttpReply>(),
    };
    return defer(() => this.process(attempt, context, next));
  }

  private async process(attempt: Attempt, context: ExecutionContext, next: CallHandler, retried = false): Promise<unknown> {
    const { scope, key, fingerprint, req, res } = attempt;
    let handlerFailed = false;
    let recordRaced = false;
    try {
      const outcome = await this.db.transaction(async () => {
        const { locked, record: existing } = await this.records.lockAndFind(scope, key);
        if (!locked) {
          throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed.');
        }
        if (existing) {
          if (existing.fingerprint !== fingerprint) {
            throw new AppError('idempotency_key_reuse', 'This Idempotency-Key was used with a different request.', {
              param: IDEMPOTENCY_HEADER,
            });
          }
          return { replayed: true as const, record: existing };
        }
        let result: unknown;
        try {
          result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        } catch (error) {
          handlerFailed = true;
          throw error;
        }
        const statusCode = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? 201;
        try {
          await this.records.save({ scope, key, fingerprint, statusCode, requestId: req.id, response: toStored(result, req.id) });
        } catch (error) {
          // A holder of the key committed between this statement's snapshot and its lock (lockAndFind).
          recordRaced = isUniqueViolation(error);
          throw error;
        }
        return { replayed: false as const, result };
      });
      if (!outcome.replayed) {
        res.header('Idempotent-Replayed', 'false');
        return outcome.result;
      }
      res.header('Idempotent-Replayed', 'true');
      res.header('Idempotent-Original-Request-Id', outcome.record.requestId);
      return replay(outcome.record.response, req.id);
    } catch (error) {
      // Everything rolled back; once more, the record is now seen and replayed (or refused as a reuse).
      if (recordRaced && !retried) return this.process(attempt, context, next, true);
      if (handlerFailed && error instanceof AppError && error.status < 500) {
        res.header('Idempotent-Replayed', 'false');
        await this.storeError(attempt, error);
      }
      throw error;
    }
  }

  /** Stores a 4xx after its effect rolled back; skipped when a retry already holds the key. */
  private async storeError({ scope, key, fingerprint, req }: Attempt, error: AppError): Promise<void> {
    const response: StoredResponse = {
      kind: 'error',
      code: error.code,
      message: error.message,
      ...(error.param === undefined ? {} : { param: error.param }),
      headers: { ...error.headers },
    };
    try {
      await this.db.transaction(async () => {
        const { locked, record } = await this.records.lockAndFind(scope, key);
        if (!locked || record) return;
        await this.records.save({ scope, key, fingerprint, statusCode: error.status, requestId: req.id, response });
      });
    } catch (storeError) {
      // A retry stored the key first (it committed between lockAndFind's snapshot and its lock): nothing to do.
      if (isUniqueViolation(storeError)) return;
      // The client still gets its 4xx; a retry will simply run again.
      this.logger.error({ err: storeError, requestId: req.id }, 'could not store an idempotent error response');
    }
  }
}

function toStored(result: unknown, requestId: string): StoredResponse {
  if (isEnvelopeOf(result, requestId)) {
    const { request_id: _omit, ...body } = result;
    return { kind: 'ok', body, enveloped: true };
  }
  return { kind: 'ok', body: result, enveloped: false };
}

function isEnvelopeOf(result: unknown, requestId: string): result is Record<string, unknown> {
  return typeof result === 'object' && result !== null && (result as { request_id?: unknown }).request_id === requestId;
}

/** The stored response as this request's response (a stored 4xx is thrown again for the error filter). */
function replay(stored: StoredResponse, requestId: string): unknown {
  if (stored.kind === 'error') {
    throw new AppError(stored.code, stored.message, { param: stored.param, headers: stored.headers });
  }
  return stored.enveloped ? { ...(stored.body as Record<string, unknown>), request_id: requestId } : stored.body;
}
