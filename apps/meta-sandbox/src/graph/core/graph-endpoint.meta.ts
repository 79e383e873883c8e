import type { GraphEndpointName } from './endpoints';

/**
 * Graph routes live under this internal prefix: the routing middleware strips the optional version
 * segment and rewrites every path outside the sandbox's own (`/_sandbox`, `/sdk.js`, `/dialog`) to it,
 * so `GET /v25.0/{id}` and `GET /{id}` reach `GET /__graph/:id` and can never shadow those paths.
 */
export const GRAPH_PREFIX = '__graph';

/** `GET|POST|DELETE /{id}`: the endpoint is the node type's, resolved from the id. */
export const NODE_ENDPOINT = Symbol('node');

export interface GraphEndpointMeta {
  endpoint: GraphEndpointName | typeof NODE_ENDPOINT;
  /** `token`: a valid access token is required (190 otherwise); `none`: the handler checks credentials. */
  auth: 'token' | 'none';
}

export const GRAPH_ENDPOINT_META = 'meta-sandbox:graph-endpoint';
