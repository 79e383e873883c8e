import type { NextFunction, Request, Response } from 'express';
import { isId, newId } from '../ids/ids';

export type RequestWithId = Request & { id: string };

/**
 * Gives every request a `req_…` id: the client's `X-Request-Id` when it is a well-formed `req_` id,
 * otherwise a new one. It is echoed as `X-Request-Id`, put in the body's `request_id` and in every log line.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  const id = isId('req', given) ? given : newId('req');
  (req as RequestWithId).id = id;
  res.setHeader('X-Request-Id', id);
  next();
}
