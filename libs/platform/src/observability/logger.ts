import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config';
import type { RequestWithId } from '../http/request-id';

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

export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      genReqId: (req) => (req as unknown as RequestWithId).id,
      // The request id is bound once, on the request's logger (quietReqLogger), as `request_id`: every line
      // logged for the request carries it. (`customProps` did the same at the cost of a second child logger
      // and a stringify + regex per request.)
      customAttributeKeys: { reqId: 'request_id' },
      redact: { paths: config.LOG_BODIES ? REDACT_PATHS.filter((p) => !p.includes('body')) : REDACT_PATHS, censor: '[redacted]' },
      autoLogging: { ignore: (req) => ['/v1/health', '/health', '/metrics'].includes(req.url ?? '') },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        // The status only: pino's default res serializer copied every response header (helmet's CSP…) into
        // every request line, to be stringified and redacted each time.
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      quietReqLogger: true,
    },
  };
}
