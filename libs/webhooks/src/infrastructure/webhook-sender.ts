import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { isIP } from 'node:net';
import { Agent, errors as undiciErrors } from 'undici';
import { APP_CONFIG, type AppConfig } from '@kirim/platform';
import { type AttemptResult, parseRetryAfter } from '../domain/retry-policy';
import { guardedLookup, isForbiddenAddress } from './target-guard';

/** What a POST to an endpoint came to, and how long it took. */
export type SendResult = AttemptResult & { durationMs: number };

/** Response bytes read (and dropped) before the socket is given back; the rest is cut off. */
const RESPONSE_BODY_LIMIT = 64 * 1024;

/**
 * The only code that talks to tenants' endpoints (spec 06 § Delivery): one undici `Agent` per process
 * (keep-alive pools per origin), redirects never followed (undici follows none unless told), one deadline for
 * the whole attempt (`WEBHOOK_TIMEOUT_MS`: connect, headers and body). Every new connection resolves its host
 * through `guardedLookup`, so a host that resolves to a loopback, private, link-local or metadata address is
 * refused at connect time — after any DNS change since the subscription was created (rebinding included) —
 * unless `WEBHOOK_ALLOW_PRIVATE_TARGETS`. IP-literal hosts never reach a lookup, so they are checked here.
 * Failures are classified once, here, into the attempt results the retry policy reads.
 */
@Injectable()
export class WebhookSender implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly allowPrivate: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.timeoutMs = config.WEBHOOK_TIMEOUT_MS;
    this.allowPrivate = config.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    this.agent = new Agent({
      connect: { lookup: guardedLookup(this.allowPrivate), timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const done = (result: AttemptResult): SendResult => ({ ...result, durationMs: Math.round(performance.now() - started) });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return done({ kind: 'error', code: 'connection_failed', message: 'The URL is not valid.' });
    }
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (!this.allowPrivate && isIP(literal) !== 0 && isForbiddenAddress(literal)) {
      return done({ kind: 'error', code: 'target_forbidden', message: `${literal} is not a public address.` });
    }
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers,
        body,
        signal,
      });
      await response.body.dump({ limit: RESPONSE_BODY_LIMIT }).catch(() => undefined);
      const retryAfter = response.headers['retry-after'];
      return done({
        kind: 'response',
        status: response.statusCode,
        retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, new Date()),
      });
    } catch (error) {
      return done(classify(error, signal.aborted, this.timeoutMs));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}

function classify(error: unknown, aborted: boolean, timeoutMs: number): AttemptResult {
  const codes = errorCodes(error);
  if (codes.includes('ETARGETFORBIDDEN')) {
    return { kind: 'error', code: 'target_forbidden', message: messageOf(error, 'ETARGETFORBIDDEN') };
  }
  if (
    aborted ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return { kind: 'error', code: 'timeout', message: `The endpoint did not answer within ${timeoutMs} ms.` };
  }
  return { kind: 'error', code: 'connection_failed', message: `The connection failed (${codes[0] ?? 'error'}).` };
}

/** The error's code and its causes' codes (undici wraps connect errors). */
function errorCodes(error: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
  }
  return out;
}

function messageOf(error: unknown, code: string): string {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === code) return e.message;
  }
  return error instanceof Error ? error.message : String(error);
}
