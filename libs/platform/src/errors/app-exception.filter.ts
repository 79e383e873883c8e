import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type HttpRequest, requestPath } from '../http/http-types';
import { newId } from '../ids/ids';
import { toErrorResponse } from './to-error-response';

/** The one place that knows HTTP errors: every thrown thing becomes the envelope of 01-conventions.md. */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AppExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<Partial<HttpRequest>>();
    const res = http.getResponse<FastifyReply>();
    const requestId = typeof req.id === 'string' ? req.id : newId('req');
    const { status, body, headers, unexpected } = toErrorResponse(exception, requestId);
    if (unexpected) {
      this.logger.error(
        { err: exception, requestId, request_id: requestId, method: req.method, path: requestPath({ url: req.url ?? '' }) },
        'request failed',
      );
    }
    if (res.sent) return;
    res.header('X-Request-Id', requestId);
    res.headers(headers);
    res.status(status).send(body);
  }
}
