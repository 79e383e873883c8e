import type { IncomingMessage } from 'node:http';
import { isId, newId } from '../ids/ids';
import type { HttpRequest } from './http-types';

export type RequestWithId = HttpRequest;

/**
 * Fastify's `genReqId`: every request gets a `req_…` id — the client's `X-Request-Id` when it is a
 * well-formed `req_` id, otherwise a new one. configureHttpApp echoes it as `X-Request-Id`; it is put in
 * the body's `request_id` and in every log line.
 */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && isId('req', given) ? given : newId('req');
}
