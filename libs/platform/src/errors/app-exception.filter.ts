import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { newId } from '../ids/ids';
import { toErrorResponse } from './to-error-response';

/** The one place that knows HTTP errors: every thrown thing becomes the envelope of 01-conventions.md. */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AppExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const requestId = typeof req.id === 'string' ? req.id : newId('req');
    const { status, body, headers, unexpected } = toErrorResponse(exception, requestId);
    if (unexpected) {
      this.logger.error({ err: exception, requestId, method: req.method, path: req.path }, 'request failed');
    }
    if (res.headersSent) return;
    res.setHeader('X-Request-Id', requestId);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(status).json(body);
  }
}
