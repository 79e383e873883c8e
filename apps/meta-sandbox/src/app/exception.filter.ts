import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { contextOf, type SandboxRequest } from '../common/request-context';
import { GraphAccess } from '../graph/core/graph-access';
import { ConnectionDropped } from '../graph/core/graph.guard';
import { GraphError, GraphErrors } from '../graph/core/graph-error';
import { StateError } from '../state/sandbox-state';

/** Methods the Graph API answers (HEAD is GET to Express). */
const GRAPH_METHODS = ['GET', 'HEAD', 'POST', 'DELETE'];

const STATE_STATUS: Record<StateError['kind'], number> = { not_found: 404, conflict: 409, invalid: 400 };

/**
 * One filter for the whole app. Graph requests always answer with Meta's envelope (an unknown route
 * becomes Meta's "Unsupported get request" / "nonexisting field" error 100); the sandbox's own paths
 * answer `{error: {message, status}}`.
 */
@Catch()
@Injectable()
export class SandboxExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('MetaSandbox');

  constructor(private readonly access: GraphAccess) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<SandboxRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent || exception instanceof ConnectionDropped || req.socket.destroyed) return;
    const context = contextOf(req);
    if (context.graph) {
      const error = this.toGraphError(exception, req);
      if (error.options.wwwAuthenticate) res.setHeader('www-authenticate', error.options.wwwAuthenticate);
      res.status(error.status).json(error.toBody(context.traceId));
      return;
    }
    const { status, message } = this.toPlain(exception);
    res.status(status).json({ error: { message, status } });
  }

  private toGraphError(exception: unknown, req: SandboxRequest): GraphError {
    if (exception instanceof GraphError) return exception;
    if (exception instanceof HttpException && exception.getStatus() === 404) {
      // No Graph route matched: Meta answers with error 100 about the object or the edge.
      const [, id = '', edge] = (req.sandbox.graph?.path ?? '').split('/');
      if (!GRAPH_METHODS.includes(req.method)) return GraphErrors.unsupportedRequest(req.method, id);
      return this.access.missing(id, { method: req.method, edge: edge || undefined });
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return GraphErrors.invalidParameter(exception.message);
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return GraphErrors.unknown();
  }

  private toPlain(exception: unknown): { status: number; message: string } {
    if (exception instanceof StateError) return { status: STATE_STATUS[exception.kind], message: exception.message };
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const detail = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : undefined;
      const message = Array.isArray(detail) ? detail.join('; ') : typeof detail === 'string' ? detail : exception.message;
      return { status: exception.getStatus(), message };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { status: 500, message: 'Internal error of the Meta sandbox' };
  }
}
