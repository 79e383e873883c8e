import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error';
import { parseJsonBody } from './json-text';
import { type HttpRequest, requestPath } from './http-types';

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A route whose exact request bytes are kept as `req.rawBody` (e.g. Meta's webhook, whose
 * `X-Hub-Signature-256` is an HMAC of those bytes), with its own size limit. `path` is compared with
 * the request path (a string exactly, a RegExp by `test`). With `parseJson: false` the body is not parsed:
 * the handler checks the signature first, then calls {@link parseJsonBody} itself.
 */
export interface RawBodyRoute {
  path: string | RegExp;
  /** Largest accepted body in bytes (413 above). */
  limit: number;
  /** Also parse the body into `req.body` (default true). */
  parseJson?: boolean;
}

export type RequestWithRawBody = HttpRequest & { rawBody?: Buffer };

const UTF8 = new Set(['utf-8', 'utf8']);

/**
 * The one body reader of every app (Fastify's JSON parser is removed): Fastify calls it, after routing and
 * after the `onRequest` hooks (so after authentication and the rate-limit token), for every request with
 * a body.
 * - a body that is not `application/json`, a charset other than UTF-8, or any `Content-Encoding` but
 *   `identity` → 415 `unsupported_media_type` (compressed request bodies are not accepted);
 * - over the limit (1 MiB, or the route's) → 413 `payload_too_large`, from `Content-Length` without reading;
 * - the bytes go through {@link parseJsonBody} (depth, UTF-8, storable strings and numbers).
 * Requests without a body are not parsed (`body` stays undefined: DELETE, POST …/test).
 */
export function registerBodyParser(instance: FastifyInstance, rawBodyRoutes: readonly RawBodyRoute[] = []): void {
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(
    '*',
    (request: FastifyRequest, payload: IncomingMessage, done: (error: Error | null, body?: unknown) => void) => {
      const req = request as unknown as RequestWithRawBody;
      const length = req.headers['content-length'];
      if (length === '0' || (length === undefined && req.headers['transfer-encoding'] === undefined)) {
        done(null, undefined);
        return;
      }
      const route = rawBodyRouteFor(rawBodyRoutes, requestPath(req));
      const refusal = checkHeaders(req);
      if (refusal !== undefined) {
        payload.resume();
        done(refusal);
        return;
      }
      readBody(payload, route?.limit ?? MAX_BODY_BYTES).then(
        (bytes) => {
          let body: unknown;
          try {
            if (route !== undefined) req.rawBody = bytes;
            if (route?.parseJson !== false) body = bytes.length === 0 ? {} : parseJsonBody(bytes);
          } catch (error) {
            done(error as Error);
            return;
          }
          done(null, body);
        },
        (error: unknown) => done(error as Error),
      );
    },
  );
}

function rawBodyRouteFor(rawBodyRoutes: readonly RawBodyRoute[], path: string): RawBodyRoute | undefined {
  return rawBodyRoutes.find((r) => (typeof r.path === 'string' ? r.path === path : r.path.test(path)));
}

/** The `Content-Length` limit of a path (for `Expect: 100-continue`). */
export function bodyLimitFor(rawBodyRoutes: readonly RawBodyRoute[], path: string): number {
  return rawBodyRouteFor(rawBodyRoutes, path)?.limit ?? MAX_BODY_BYTES;
}

function checkHeaders(req: Pick<HttpRequest, 'headers'>): AppError | undefined {
  const type = req.headers['content-type'] ?? '';
  const [mediaType = '', ...params] = type.split(';').map((p) => p.trim().toLowerCase());
  if (mediaType !== 'application/json') {
    return new AppError('unsupported_media_type', 'Send the request body as application/json.');
  }
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((p) => p.trim());
    if (name === 'charset' && !UTF8.has(value.replace(/^"(.*)"$/, '$1'))) {
      return new AppError('unsupported_media_type', 'The request body must be UTF-8 JSON (charset=utf-8).');
    }
  }
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    return new AppError('unsupported_media_type', 'Compressed request bodies are not accepted; send the JSON without Content-Encoding.');
  }
  return undefined;
}

function tooLarge(limit: number): AppError {
  return new AppError('payload_too_large', `The request body is larger than ${formatBytes(limit)}.`);
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** The body's bytes, at most `limit` of them (Node's HTTP parser enforces Content-Length framing). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new AppError('invalid_json', 'The request body could not be read.', { cause: error }));
    };
    const onAborted = () => onError(new Error('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
