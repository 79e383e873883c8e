import type { PhoneNumber } from '../state/model';

/**
 * Meta's webhook envelope (reference §5.4): `{object: "whatsapp_business_account", entry: [{id: <WABA
 * id>, time?, changes: [{value, field}]}]}`, one entry per WABA, in the order of the changes.
 */

export interface WebhookChange {
  field: string;
  value: unknown;
}

export interface EntryChange {
  /** `entry.id`: the WABA id (or whatever id the caller wants, for raw tests). */
  waba_id: string;
  change: WebhookChange;
  /** `entry.time` (unix seconds): Meta sets it on fields other than `messages`. */
  time?: number;
}

export interface WebhookEnvelope {
  object: 'whatsapp_business_account';
  entry: { id: string; time?: number; changes: { value: unknown; field: string }[] }[];
}

export function webhookEnvelope(changes: readonly EntryChange[]): WebhookEnvelope {
  const entries = new Map<string, WebhookEnvelope['entry'][number]>();
  for (const { waba_id, change, time } of changes) {
    let entry = entries.get(waba_id);
    if (!entry) {
      entry = { id: waba_id, ...(time !== undefined && { time }), changes: [] };
      entries.set(waba_id, entry);
    }
    entry.changes.push({ value: change.value, field: change.field });
  }
  return { object: 'whatsapp_business_account', entry: [...entries.values()] };
}

/** `value.metadata` of the `messages` field: the business number, digits only, and its id. */
export function metadataOf(phone: Pick<PhoneNumber, 'id' | 'digits'>): { display_phone_number: string; phone_number_id: string } {
  return { display_phone_number: phone.digits, phone_number_id: phone.id };
}

/** A `messages` field change (inbound messages, statuses, or value-level errors). */
export function messagesChange(
  phone: Pick<PhoneNumber, 'id' | 'digits'>,
  parts: { contacts?: unknown[]; messages?: unknown[]; statuses?: unknown[]; errors?: unknown[] },
): WebhookChange {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: metadataOf(phone),
      ...(parts.contacts && { contacts: parts.contacts }),
      ...(parts.messages && { messages: parts.messages }),
      ...(parts.statuses && { statuses: parts.statuses }),
      ...(parts.errors && { errors: parts.errors }),
    },
  };
}

/** Unix seconds, as Meta's webhook timestamps (strings in the `messages` field). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export const ERROR_HREF = '/documentation/business-messaging/whatsapp/support/error-codes';

/** An error as webhooks carry it (`statuses[].errors`, `messages[].errors`, `value.errors`): title == message. */
export function webhookError(code: number, title: string, details: string): Record<string, unknown> {
  return { code, title, message: title, error_data: { details }, href: ERROR_HREF };
}
