/**
 * Meta's synchronous error, `{error: {message, type, code, error_subcode?, error_data?, fbtrace_id}}`
 * (reference §6.1), with the HTTP status of the reference table (§6.2). Thrown anywhere in the Graph
 * layer; the exception filter writes it out with the request's trace id.
 */

interface CatalogueEntry {
  readonly title: string;
  readonly status: number;
}

/** Codes of reference §6.2 (titles paraphrased, HTTP statuses from the table) plus the OAuth codes 101/36xxx. */
export const GRAPH_ERROR_CATALOGUE: Readonly<Record<number, CatalogueEntry>> = {
  0: { title: 'AuthException', status: 401 },
  1: { title: 'An unknown error has occurred.', status: 400 },
  2: { title: 'Service temporarily unavailable', status: 503 },
  3: { title: 'Application does not have the capability to make this API call.', status: 500 },
  4: { title: 'Application request limit reached', status: 400 },
  10: { title: 'Application does not have permission for this action', status: 403 },
  33: { title: 'This phone number has been deleted', status: 400 },
  100: { title: 'Invalid parameter', status: 400 },
  101: { title: 'Error validating application. Invalid application ID.', status: 400 },
  190: { title: 'Invalid OAuth access token', status: 401 },
  200: { title: 'Permissions error', status: 403 },
  368: { title: 'Temporarily blocked for policies violations', status: 403 },
  80007: { title: 'Rate limit issues', status: 400 },
  130403: { title: 'Business has blocked this user', status: 400 },
  130429: { title: 'Rate limit hit', status: 400 },
  130472: { title: "User's number is part of an experiment", status: 400 },
  130497: { title: 'Business account is restricted from messaging users in this country', status: 403 },
  131000: { title: 'Something went wrong', status: 500 },
  131005: { title: 'Access denied', status: 403 },
  131008: { title: 'Required parameter is missing', status: 400 },
  131009: { title: 'Parameter value is not valid', status: 400 },
  131016: { title: 'Service unavailable', status: 500 },
  131021: { title: 'Recipient cannot be sender', status: 400 },
  131026: { title: 'Message undeliverable', status: 400 },
  131031: { title: 'Account has been locked', status: 403 },
  131037: { title: 'WhatsApp provided number needs display name approval before message can be sent', status: 400 },
  131042: { title: 'Business eligibility payment issue', status: 400 },
  131045: { title: 'Incorrect certificate', status: 500 },
  131047: { title: 'Re-engagement message', status: 400 },
  131048: { title: 'Spam rate limit hit', status: 400 },
  131049: { title: 'This message was not delivered to maintain healthy ecosystem engagement', status: 400 },
  131050: { title: 'User has stopped marketing messages', status: 400 },
  131051: { title: 'Unsupported message type', status: 400 },
  131052: { title: 'Media download error', status: 400 },
  131053: { title: 'Media upload error', status: 400 },
  131056: { title: '(Business Account, Consumer Account) pair rate limit hit', status: 400 },
  131057: { title: 'Account in maintenance mode', status: 500 },
  131064: { title: 'Messaging limit hit due to template classification violations', status: 400 },
  131063: { title: 'Marketing template messages are disabled', status: 400 },
  132000: { title: 'Number of parameters does not match the expected number of params', status: 400 },
  132001: { title: 'Template name does not exist in the translation', status: 404 },
  132005: { title: 'Translated text too long', status: 400 },
  132007: { title: 'Template format character policy violated', status: 400 },
  132012: { title: 'Parameter format does not match format in the created template', status: 400 },
  132015: { title: 'Template is Paused', status: 400 },
  132016: { title: 'Template is Disabled', status: 400 },
  132068: { title: 'Flow is blocked', status: 400 },
  132069: { title: 'Flow is throttled', status: 400 },
  133000: { title: 'Incomplete deregistration', status: 500 },
  133004: { title: 'Server temporarily unavailable', status: 503 },
  133005: { title: 'Two step verification PIN Mismatch', status: 400 },
  133006: { title: 'Phone number re-verification needed', status: 400 },
  133008: { title: 'Too many two step verification PIN guesses', status: 400 },
  133009: { title: 'Two step verification PIN guessed too fast', status: 400 },
  133010: { title: 'Phone number Not Registered', status: 400 },
  133015: { title: 'Please wait a few minutes before attempting to register this phone number', status: 400 },
  133016: { title: 'Account register deregister rate limit exceeded', status: 400 },
  134011: { title: 'Payments terms of service not accepted', status: 400 },
  135000: { title: 'Generic user error', status: 400 },
  2388019: { title: 'Message template limit exceeded', status: 400 },
};

export interface GraphErrorOptions {
  /** HTTP status; default from {@link GRAPH_ERROR_CATALOGUE}, else 400. */
  status?: number;
  subcode?: number;
  /** `error_data.details`: what to build logic on besides the code (reference §6.1). */
  details?: string;
  /** Adds `is_transient` (Graph's hint for retryable errors). */
  isTransient?: boolean;
  /** `WWW-Authenticate` header value (Meta sends one with OAuth errors). */
  wwwAuthenticate?: string;
}

export interface GraphErrorBody {
  error: {
    message: string;
    type: 'OAuthException';
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

export class GraphError extends Error {
  readonly status: number;

  constructor(
    readonly code: number,
    readonly title: string,
    readonly options: GraphErrorOptions = {},
  ) {
    super(`(#${code}) ${title}`);
    this.status = options.status ?? GRAPH_ERROR_CATALOGUE[code]?.status ?? 400;
  }

  /** An error by code with the catalogue's title (used by injected faults). */
  static fromCode(code: number, options: GraphErrorOptions & { title?: string } = {}): GraphError {
    const title = options.title ?? GRAPH_ERROR_CATALOGUE[code]?.title ?? 'Error injected by the Meta sandbox';
    return new GraphError(code, title, options);
  }

  toBody(fbtraceId: string): GraphErrorBody {
    const { subcode, details, isTransient } = this.options;
    return {
      error: {
        message: this.message,
        type: 'OAuthException',
        code: this.code,
        ...(subcode !== undefined && { error_subcode: subcode }),
        ...(details !== undefined && { error_data: { messaging_product: 'whatsapp' as const, details } }),
        ...(isTransient !== undefined && { is_transient: isTransient }),
        fbtrace_id: fbtraceId,
      },
    };
  }
}

const GRAPH_DOCS = 'Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api';

/** The errors the sandbox itself raises, in one place so their shapes stay consistent. */
export const GraphErrors = {
  // ---- access tokens (190, HTTP 401)
  tokenMissing: () =>
    new GraphError(190, 'An access token is required to request this resource.', {
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_request" "An access token is required to request this resource."',
    }),
  tokenUnknown: () =>
    new GraphError(190, 'Invalid OAuth access token - Cannot parse access token', {
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"',
    }),
  appTokenInvalid: () =>
    new GraphError(190, 'Invalid OAuth access token signature.', {
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token signature."',
    }),
  tokenExpired: (expiredAt: number) =>
    new GraphError(190, `Error validating access token: Session has expired on ${new Date(expiredAt).toISOString()}.`, {
      subcode: 463,
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_token" "Error validating access token: Session has expired"',
    }),
  tokenRevoked: (appId: string) =>
    new GraphError(190, `Error validating access token: The user has not authorized application ${appId}.`, {
      subcode: 458,
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_token" "Error validating access token"',
    }),

  // ---- permissions (200, HTTP 403)
  noAccess: (kind: string, id: string) =>
    new GraphError(200, 'Permissions error', {
      details: `The access token does not grant whatsapp_business_management access to ${kind} ${id}.`,
    }),

  // ---- objects and parameters (100, HTTP 400)
  unsupportedRequest: (method: string, id: string) =>
    new GraphError(
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. ${GRAPH_DOCS}`,
      { subcode: 33 },
    ),
  nonexistingField: (field: string, nodeType: string) =>
    new GraphError(100, `Tried accessing nonexisting field (${field}) on node type (${nodeType})`),
  invalidParameter: (details: string) => new GraphError(100, 'Invalid parameter', { details }),
  missingParameter: (name: string) =>
    new GraphError(100, `The parameter ${name} is required`, { details: `The parameter ${name} is required.` }),

  // ---- OAuth code exchange
  invalidApplication: () =>
    new GraphError(101, 'Error validating application. Invalid application ID.', {
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_client" "Error validating application. Invalid application ID."',
    }),
  invalidClientSecret: () =>
    new GraphError(1, 'Error validating client secret.', {
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_client" "Error validating client secret."',
    }),
  codeInvalid: () =>
    new GraphError(100, 'Invalid verification code format.', {
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_code" "Invalid verification code format."',
    }),
  codeExpired: () =>
    new GraphError(100, 'This authorization code has expired.', {
      subcode: 36007,
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_code" "This authorization code has expired."',
    }),
  codeUsed: () =>
    new GraphError(100, 'This authorization code has been used.', {
      subcode: 36009,
      wwwAuthenticate: 'OAuth "Facebook Platform" "invalid_code" "This authorization code has been used."',
    }),

  unknown: () => new GraphError(1, 'An unknown error has occurred.', { status: 500, isTransient: true }),
} as const;
