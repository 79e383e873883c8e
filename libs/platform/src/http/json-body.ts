import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../errors/app-error';
import { toErrorResponse } from '../errors/to-error-response';
import type { RequestWithId } from './request-id';

export const MAX_BODY_BYTES = 1024 * 1024;

function hasBody(req: Request): boolean {
  const length = req.header('content-length');
  return (length !== undefined && length !== '0') || req.header('transfer-encoding') !== undefined;
}

/** 415 for any non-JSON body; requests without a body pass (DELETE, POST …/test). */
export function requireJsonContentType(req: Request, _res: Response, next: NextFunction): void {
  if (hasBody(req) && !req.is('application/json')) {
    next(new AppError('unsupported_media_type', 'Send the request body as application/json.'));
    return;
  }
  next();
}

/** JSON parser limited to 1 MiB (413 above), objects and arrays only. */
export const jsonBodyParser = express.json({ limit: MAX_BODY_BYTES, strict: true, type: 'application/json' });

/** Turns body-parser and content-type failures into the envelope (they happen before Nest routes). */
export const bodyErrorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const { status, body, headers } = toErrorResponse(err, (req as RequestWithId).id);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).json(body);
};
