/**
 * The one catalogue of error codes (spec 01-conventions.md § Errors). Every error Kirim answers carries
 * one of these codes; the HTTP status and `type` follow from the code, never from the call site.
 * The OpenAPI document lists the same table (see http/openapi.ts).
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found'
  | 'conflict'
  | 'rate_limit_error'
  | 'api_error';

interface CatalogueEntry {
  readonly status: number;
  readonly type: ErrorType;
  readonly description: string;
}

export const ERROR_CATALOGUE = {
  missing_required_field: { status: 400, type: 'invalid_request_error', description: 'A required field is absent (`param`).' },
  invalid_field_value: { status: 400, type: 'invalid_request_error', description: 'A field has a bad value or type (`param`).' },
  unknown_field: { status: 400, type: 'invalid_request_error', description: 'An unknown property in the body or query (`param`).' },
  invalid_json: { status: 400, type: 'invalid_request_error', description: 'The body is not JSON.' },
  invalid_limit: { status: 400, type: 'invalid_request_error', description: '`limit` is not an integer from 1 to 100.' },
  invalid_cursor: {
    status: 400,
    type: 'invalid_request_error',
    description: '`cursor` is forged, damaged or was made with other filters.',
  },
  invalid_phone_number: { status: 400, type: 'invalid_request_error', description: 'Not E.164 (`+` and 8–15 digits).' },
  invalid_redirect_url: { status: 400, type: 'invalid_request_error', description: 'A redirect URL breaks the URL rules.' },
  invalid_webhook_url: { status: 400, type: 'invalid_request_error', description: 'A webhook URL breaks the URL rules.' },
  invalid_api_key: { status: 401, type: 'authentication_error', description: 'Missing, malformed, unknown or revoked API key.' },
  expired_api_key: { status: 401, type: 'authentication_error', description: 'The API key is past its `expires_at`.' },
  invalid_signature: {
    status: 401,
    type: 'authentication_error',
    description: "Meta's webhook: `X-Hub-Signature-256` is missing or is not the body's HMAC with the app secret.",
  },
  invalid_verify_token: {
    status: 403,
    type: 'permission_error',
    description: "Meta's webhook handshake: `hub.mode` is not `subscribe` or `hub.verify_token` is wrong.",
  },
  customer_scope_forbidden: {
    status: 403,
    type: 'permission_error',
    description: 'A customer-restricted key called an organization-only operation.',
  },
  resource_not_found: { status: 404, type: 'not_found', description: 'Unknown id or route, or not yours.' },
  setup_link_not_active: { status: 409, type: 'conflict', description: 'The setup link is consumed, expired or revoked.' },
  customer_archived: { status: 409, type: 'conflict', description: 'The customer is archived.' },
  template_already_exists: { status: 409, type: 'conflict', description: 'A template with the same name and language exists.' },
  label_already_exists: { status: 409, type: 'conflict', description: 'A label of that name (ignoring case) exists in the team.' },
  idempotency_in_progress: { status: 409, type: 'conflict', description: 'The same Idempotency-Key is still being processed.' },
  payload_too_large: { status: 413, type: 'invalid_request_error', description: 'The body is over 1 MiB.' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', description: 'The body is not `application/json`.' },
  idempotency_key_reuse: {
    status: 422,
    type: 'invalid_request_error',
    description: 'The same Idempotency-Key was used with a different request.',
  },
  team_id_required: { status: 422, type: 'invalid_request_error', description: 'A multi-team organization did not say which team.' },
  account_not_connected: { status: 422, type: 'invalid_request_error', description: 'Sending from an account that is not `approved`.' },
  customer_suspended: { status: 422, type: 'invalid_request_error', description: 'Sending for a suspended customer.' },
  outside_customer_service_window: {
    status: 422,
    type: 'invalid_request_error',
    description: 'Free-form message outside the 24 h window.',
  },
  template_not_approved: { status: 422, type: 'invalid_request_error', description: 'Template unknown locally or not approved.' },
  template_parameter_mismatch: {
    status: 422,
    type: 'invalid_request_error',
    description: 'Parameters do not fit the template placeholders.',
  },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error', description: 'Rate-limit bucket empty; see `Retry-After`.' },
  internal_error: { status: 500, type: 'api_error', description: 'A fault of ours.' },
  whatsapp_upstream_error: { status: 502, type: 'api_error', description: 'Meta failed on a synchronous call.' },
  service_unavailable: { status: 503, type: 'api_error', description: 'A dependency (PostgreSQL, Redis) is down; retry later.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
