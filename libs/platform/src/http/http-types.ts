import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What Kirim's code needs of a request, whatever the HTTP adapter (Fastify's `FastifyRequest` in every
 * app of Kirim; the meta sandbox stays on Express): the id (set by `genReqId`), method, URL, headers, the
 * parsed body, the client address as `TRUST_PROXY` resolves it. Nest hands this object to guards,
 * interceptors, filters and `@Req()`; hooks, guards and interceptors attach `principal` etc. to it.
 */
export interface HttpRequest {
  id: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
  ip?: string;
  socket: Socket;
}

/** What Kirim's code needs of a reply (`FastifyReply`; Express's `Response` has the same methods). */
export interface HttpReply {
  header(name: string, value: string | number | readonly string[]): unknown;
  status(code: number): unknown;
  send(body?: unknown): unknown;
  readonly statusCode: number;
}

/** The path of a request URL, without the query string. */
export function requestPath(req: Pick<HttpRequest, 'url'>): string {
  const q = req.url.indexOf('?');
  return q === -1 ? req.url : req.url.slice(0, q);
}

/** One request header as a string (the first value of a repeated one), or undefined. */
export function headerValue(req: Pick<HttpRequest, 'headers'>, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Several headers on a reply. */
export function setHeaders(res: HttpReply, headers: Record<string, string>): void {
  for (const name in headers) res.header(name, headers[name] as string);
}
