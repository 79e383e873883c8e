import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config';

/** Paths pino removes from every log line: credentials, tokens, secrets, passwords, bodies. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.access_token',
  '*.business_token',
  '*.api_key',
  '*.pin',
  'body',
  'req.body',
];

/** Paths whose answers are not logged (probes and scrapes). */
export const UNLOGGED_PATHS: ReadonlySet<string> = new Set(['/v1/health', '/health', '/metrics']);

/**
 * nestjs-pino's root logger (level, redaction, serializers). Its per-request middleware (pino-http) is not
 * used (`forRoutes: []`): configureHttpApp's `onResponse` hook writes the one "request completed" line
 * (request id, method, URL, status, time) with that logger — a child logger and a CLS store per request
 * cost more than the request's own work. Lines logged during a request name it by `request_id` explicitly.
 */
export function loggerParams(config: AppConfig): Params {
  return {
    forRoutes: [],
    pinoHttp: {
      level: config.LOG_LEVEL,
      // pino-http wraps its `req`/`res` serializers around the std ones, which expect Node's objects (a
      // plain `res` without `headersSent` reads as `statusCode: null`); the answer's line already holds
      // exactly what it logs, so they pass it through (`raw` is the object given to the logger).
      serializers: { req: passThrough, res: passThrough },
      redact: { paths: config.LOG_BODIES ? REDACT_PATHS.filter((p) => !p.includes('body')) : REDACT_PATHS, censor: '[redacted]' },
    },
  };
}

const passThrough = (value: { raw: unknown }): unknown => value.raw;

export interface RequestLogLine {
  level: 'info' | 'error';
  msg: 'request completed' | 'request errored';
  fields: { request_id: string; req: { method: string; url: string }; res: { statusCode: number }; responseTime: number };
}

/**
 * The one line per answer (written by configureHttpApp's `onResponse` hook): the request id, method,
 * URL (never headers or the body), the status only, the time in ms; 5xx at error level; none for
 * {@link UNLOGGED_PATHS}.
 */
export function requestLogLine(
  request: { id: string; method: string; url: string },
  statusCode: number,
  elapsedMs: number,
): RequestLogLine | undefined {
  const q = request.url.indexOf('?');
  if (UNLOGGED_PATHS.has(q === -1 ? request.url : request.url.slice(0, q))) return undefined;
  const fields = {
    request_id: request.id,
    req: { method: request.method, url: request.url },
    res: { statusCode },
    responseTime: Math.round(elapsedMs),
  };
  return statusCode >= 500 ? { level: 'error', msg: 'request errored', fields } : { level: 'info', msg: 'request completed', fields };
}
