import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { SandboxConfig } from './config';
import type { Clock } from '../common/clock';
import { lastFour, opaque, traceId } from '../common/ids';
import type { RequestContext, SandboxRequest } from '../common/request-context';
import { GRAPH_PREFIX } from '../graph/core/graph-endpoint.meta';
import { GraphErrors } from '../graph/core/graph-error';
import type { RequestLog } from '../state/request-log';

/**
 * Express middleware that runs before Nest's router, in this order: request context and Meta's
 * response headers → Graph routing (version segment) → body parsing → request log.
 */

const VERSION = /^v\d+\.\d+$/;
/** The sandbox's own paths; everything else is the Graph API. */
const SANDBOX_PATHS = /^\/(?:_sandbox(?:\/|$)|sdk\.js$|en_US\/sdk\.js$|dialog(?:\/|$)|favicon\.ico$)/;

export function requestContext(clock: Clock): RequestHandler {
  return (req, res, next) => {
    const context: RequestContext = { traceId: traceId(), requestId: opaque('A', 16), receivedAt: clock.now() };
    (req as SandboxRequest).sandbox = context;
    res.setHeader('x-fb-trace-id', context.traceId);
    res.setHeader('x-fb-request-id', context.requestId);
    next();
  };
}

/**
 * Strips the optional `/vNN.N` segment and routes Graph paths to the internal {@link GRAPH_PREFIX},
 * adding the Graph response headers.
 */
export function graphRouting(config: SandboxConfig): RequestHandler {
  return (req, res, next) => {
    const queryAt = req.url.indexOf('?');
    const path = queryAt < 0 ? req.url : req.url.slice(0, queryAt);
    const query = queryAt < 0 ? '' : req.url.slice(queryAt);
    if (SANDBOX_PATHS.test(path)) {
      next();
      return;
    }
    const segments = path.split('/');
    const first = segments[1] ?? '';
    const version = VERSION.test(first) ? first : null;
    const rest = version ? `/${segments.slice(2).join('/')}` : path;
    (req as SandboxRequest).sandbox.graph = { version, path: rest };
    req.url = `/${GRAPH_PREFIX}${rest === '/' ? '' : rest}${query}`;
    res.setHeader('facebook-api-version', version ?? config.defaultGraphVersion);
    res.setHeader('x-fb-rev', '1000000');
    res.setHeader('x-app-usage', '{"call_count":0,"total_cputime":0,"total_time":0}');
    next();
  };
}

/** JSON and form bodies (Meta accepts both); multipart is the media family's to add. */
export const bodyParsers: RequestHandler[] = [
  express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] }),
  express.urlencoded({ extended: true, limit: '5mb' }),
];

/** A body that cannot be parsed: Meta's error 100 on Graph paths, plain JSON on the sandbox's own. */
export const bodyErrorHandler: ErrorRequestHandler = (err: unknown, req: Request, res: Response, next: NextFunction) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const context = (req as SandboxRequest).sandbox;
  const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 400;
  const reason = err instanceof Error ? err.message : 'the request body could not be read';
  if (context.graph) {
    const error = GraphErrors.invalidParameter(`The request body could not be parsed: ${reason}`);
    res.status(error.status).json(error.toBody(context.traceId));
  } else {
    res.status(status).json({ error: { message: `The request body could not be parsed: ${reason}`, status } });
  }
};

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const SECRET_PARAMS = new Set(['access_token', 'client_secret', 'input_token', 'code']);

function redactValue(value: unknown): unknown {
  return typeof value === 'string' ? lastFour(value) : value;
}

/** Authorization keeps its scheme: `Bearer …wxyz`. */
function redactHeader(value: string): string {
  const match = /^(\S+)\s+(\S+)$/.exec(value);
  return match ? `${match[1]} ${lastFour(match[2] ?? '')}` : lastFour(value);
}

function redactParams(source: unknown): unknown {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return source;
  return Object.fromEntries(
    Object.entries(source as Record<string, unknown>).map(([k, v]) => [k, SECRET_PARAMS.has(k) ? redactValue(v) : v]),
  );
}

/** Records every request outside `/_sandbox` (method, path, query, headers, body, time, then status). */
export function requestLogging(log: RequestLog): RequestHandler {
  return (req, res, next) => {
    const path = (req.originalUrl.split('?')[0] ?? '').replace(/\/{2,}/g, '/');
    if (path.startsWith('/_sandbox')) {
      next();
      return;
    }
    const context = (req as SandboxRequest).sandbox;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers[name] = SECRET_HEADERS.has(name) ? (Array.isArray(value) ? value.map(redactHeader) : redactHeader(value)) : value;
    }
    const id = log.add(
      {
        method: req.method,
        path,
        query: redactParams({ ...(req.query as Record<string, unknown>) }) as Record<string, unknown>,
        headers,
        body: redactParams(req.body ?? null),
        time: new Date(context.receivedAt).toISOString(),
        graph_version: context.graph?.version ?? null,
        fbtrace_id: context.traceId,
      },
      () => ({ status: res.headersSent ? res.statusCode : null, endpoint: context.graph?.endpoint ?? null }),
    );
    res.on('close', () => log.settle(id));
    next();
  };
}
