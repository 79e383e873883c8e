import type { Request } from 'express';
import type { GraphPrincipal } from '../graph/core/graph-auth';

/** What the Graph layer knows about a request that was routed to it. */
export interface GraphRequestInfo {
  /** The version segment (`v25.0`), or null when the path omitted it. */
  version: string | null;
  /** Path after the version segment, e.g. `/106540352242922/register`. */
  path: string;
  /** Endpoint name (faults, request log), set once the route is known. */
  endpoint?: string;
}

/** Per-request state of the sandbox, attached as `req.sandbox` by the first middleware. */
export interface RequestContext {
  /** `fbtrace_id` of error bodies and the `x-fb-trace-id` header. */
  traceId: string;
  /** `x-fb-request-id`. */
  requestId: string;
  receivedAt: number;
  /** Set for requests routed to the Graph API (everything outside the sandbox's own paths). */
  graph?: GraphRequestInfo;
  /** Who the access token belongs to, on Graph routes that require one. */
  principal?: GraphPrincipal;
}

export type SandboxRequest = Request & { sandbox: RequestContext };

export function contextOf(req: Request): RequestContext {
  const context = (req as Partial<SandboxRequest>).sandbox;
  if (!context) throw new Error('request context missing: the sandbox HTTP pipeline was not installed');
  return context;
}

/** First value of a query/body parameter as a string (Express may give arrays or objects). */
export function stringParam(source: unknown, name: string): string | undefined {
  if (source === null || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first === 'string') return first;
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  return undefined;
}
