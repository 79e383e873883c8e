/**
 * Names of the Graph endpoints, as used by faults (`POST /_sandbox/faults {endpoint}`) and the request
 * log. A resource family adds its names here (e.g. `messages`, `media`, `message_templates`).
 */
export const GRAPH_ENDPOINTS = [
  'oauth/access_token',
  'debug_token',
  /** `GET|POST /{phone_number_id}`. */
  'phone_number',
  /** `GET /{waba_id}`. */
  'waba',
  /** `GET /{business_id}`. */
  'business',
  /** A node id the sandbox does not know. */
  'node',
  /** `GET /{waba_id}/phone_numbers`. */
  'phone_numbers',
  /** `POST|GET|DELETE /{waba_id}/subscribed_apps`. */
  'subscribed_apps',
  'register',
  'deregister',
  /** `POST /{phone_number_id}/messages`: sends and mark-as-read. */
  'messages',
  /** `POST /{phone_number_id}/media` (upload) and `GET|DELETE /{media_id}`. */
  'media',
  /** `GET` of a media download URL (`/whatsapp_business/attachments/?mid&ext&hash`). */
  'media_download',
  /** `POST|GET|DELETE /{waba_id}/message_templates` and `GET /{template_id}`. */
  'message_templates',
] as const;

export type GraphEndpointName = (typeof GRAPH_ENDPOINTS)[number];

/** A fault on `*` applies to every Graph endpoint. */
export const ANY_ENDPOINT = '*';

export function isGraphEndpoint(value: string): value is GraphEndpointName {
  return (GRAPH_ENDPOINTS as readonly string[]).includes(value);
}
