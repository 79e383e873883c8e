/**
 * Meta's webhook envelope (reference §5.4–5.6) read into what processing applies: inbound messages and
 * statuses of the `messages` field, routed by `value.metadata.phone_number_id`, and notes for everything
 * that is kept but not applied (groups, other fields, malformed items). Pure: no I/O, never throws on shape —
 * a signed payload is Meta's, and an item Kirim cannot read is noted, not retried for days.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Message types Kirim stores under their own name; anything else Meta sends is stored as `unsupported`. */
export const INBOUND_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
]);

/** The statuses Kirim's state machine knows (`played` — a voice message's first play — is noted, not applied). */
export type WebhookStatus = 'sent' | 'delivered' | 'read' | 'failed';
const WEBHOOK_STATUSES: ReadonlySet<string> = new Set(['sent', 'delivered', 'read', 'failed']);

/** wamids and wa_ids Kirim keeps (decision 47 bounds wamids to 512 characters). */
const WAMID_MAX = 512;
const WA_ID = /^\d{1,20}$/;
const PHONE_NUMBER_ID = /^\d{1,32}$/;

export interface InboundMessageItem {
  phoneNumberId: string;
  wamid: string;
  /** The user's wa_id (`messages[].from`). */
  from: string;
  /** `contacts[].profile.name` of that wa_id, when Meta sent one. */
  profileName: string | null;
  /** Meta's `timestamp` (unix seconds), or null when missing or unreadable. */
  sentAt: Date | null;
  /** Kirim's type: Meta's for the known ones, else `unsupported`. */
  type: string;
  /** `{<type>: …}` as received (+ Meta's `referral` of a click-to-WhatsApp ad). */
  content: Record<string, unknown>;
  /** The quoted message (`context.id`). */
  context: { message_id: string } | null;
}

export interface StatusItem {
  phoneNumberId: string;
  wamid: string;
  status: WebhookStatus;
  /** Meta's `timestamp`, or null. */
  at: Date | null;
  /** The status object as Meta sent it (kept for early statuses). */
  raw: Json;
}

/**
 * A change of another webhook field (`message_template_status_update`, `account_update`,
 * `phone_number_quality_update`, …), handed as read to the field's {@link MetaChangeHandler}.
 */
export interface MetaChange {
  field: string;
  /** `entry.id`: the WABA the change belongs to. */
  wabaId: string | null;
  value: Json;
}

export interface ReadPayload {
  messages: InboundMessageItem[];
  statuses: StatusItem[];
  /** Changes of the fields other than `messages`, in payload order. */
  changes: MetaChange[];
  /** Every phone_number_id a `messages` change names (routing looks them up once). */
  phoneNumberIds: string[];
  /** What was kept but not applied, for the payload's note and the log line. */
  notes: string[];
}

export function readWebhookPayload(body: unknown): ReadPayload {
  const out: ReadPayload = { messages: [], statuses: [], changes: [], phoneNumberIds: [], notes: [] };
  const numbers = new Set<string>();
  const ignored = new Map<string, number>();
  const note = (what: string) => ignored.set(what, (ignored.get(what) ?? 0) + 1);
  if (!isObject(body) || !Array.isArray(body['entry'])) {
    out.notes.push('not a Meta webhook envelope (no entry array)');
    return out;
  }
  if (body['object'] !== undefined && body['object'] !== 'whatsapp_business_account') note(`object ${String(body['object'])}`);
  for (const entry of body['entry']) {
    if (!isObject(entry) || !Array.isArray(entry['changes'])) {
      note('entry without changes');
      continue;
    }
    for (const change of entry['changes']) {
      if (!isObject(change)) {
        note('malformed change');
        continue;
      }
      const field = str(change['field']) ?? '(none)';
      const value = change['value'];
      if (field !== 'messages') {
        // message_template_status_update, account_update, …: applied by the field's handler (change-router.ts).
        if (isObject(value)) out.changes.push({ field, wabaId: str(entry['id']), value });
        else note(`field ${field} without a value`);
        continue;
      }
      if (!isObject(value)) {
        note('messages change without a value');
        continue;
      }
      const metadata = isObject(value['metadata']) ? value['metadata'] : {};
      const phoneNumberId = str(metadata['phone_number_id']);
      if (phoneNumberId === null || !PHONE_NUMBER_ID.test(phoneNumberId)) {
        note('messages change without metadata.phone_number_id');
        continue;
      }
      numbers.add(phoneNumberId);
      if (Array.isArray(value['errors']) && value['errors'].length > 0) note('value-level errors');
      const profiles = profileNames(value['contacts']);
      for (const message of Array.isArray(value['messages']) ? value['messages'] : []) {
        const item = readMessage(message, phoneNumberId, profiles, note);
        if (item) out.messages.push(item);
      }
      for (const status of Array.isArray(value['statuses']) ? value['statuses'] : []) {
        const item = readStatus(status, phoneNumberId, note);
        if (item) out.statuses.push(item);
      }
    }
  }
  out.phoneNumberIds = [...numbers];
  for (const [what, count] of ignored) out.notes.push(count === 1 ? what : `${what} (×${count})`);
  return out;
}

function profileNames(contacts: unknown): Map<string, string> {
  const names = new Map<string, string>();
  if (!Array.isArray(contacts)) return names;
  for (const contact of contacts) {
    if (!isObject(contact)) continue;
    const waId = str(contact['wa_id']);
    const name = isObject(contact['profile']) ? str(contact['profile']['name']) : null;
    if (waId !== null && name !== null) names.set(waId, name.slice(0, 256));
  }
  return names;
}

function readMessage(
  message: unknown,
  phoneNumberId: string,
  profiles: Map<string, string>,
  note: (what: string) => void,
): InboundMessageItem | null {
  if (!isObject(message)) {
    note('malformed message');
    return null;
  }
  if (message['group_id'] !== undefined) {
    note('group message');
    return null;
  }
  const wamid = str(message['id']);
  const from = str(message['from']);
  if (wamid === null || wamid.length > WAMID_MAX || from === null || !WA_ID.test(from)) {
    note('message without a readable id or from');
    return null;
  }
  const metaType = str(message['type']) ?? 'unknown';
  const payload = message[metaType];
  let type: string;
  let content: Record<string, unknown>;
  if (INBOUND_MESSAGE_TYPES.has(metaType) && payload !== undefined) {
    type = metaType;
    content = { [metaType]: payload };
  } else {
    type = 'unsupported';
    content = {
      unsupported: {
        type: metaType,
        ...(message['errors'] !== undefined && { errors: message['errors'] }),
        ...(payload !== undefined && metaType !== 'unsupported' && { [metaType]: payload }),
      },
    };
  }
  if (message['referral'] !== undefined) content['referral'] = message['referral'];
  const quoted = isObject(message['context']) ? str(message['context']['id']) : null;
  return {
    phoneNumberId,
    wamid,
    from,
    profileName: profiles.get(from) ?? null,
    sentAt: unixSeconds(message['timestamp']),
    type,
    content,
    context: quoted === null ? null : { message_id: quoted },
  };
}

function readStatus(status: unknown, phoneNumberId: string, note: (what: string) => void): StatusItem | null {
  if (!isObject(status)) {
    note('malformed status');
    return null;
  }
  if (status['recipient_type'] === 'group') {
    note('group status');
    return null;
  }
  const wamid = str(status['id']);
  const value = str(status['status']);
  if (wamid === null || wamid.length > WAMID_MAX || value === null) {
    note('status without a readable id or status');
    return null;
  }
  if (!WEBHOOK_STATUSES.has(value)) {
    note(`status ${value.slice(0, 40)}`);
    return null;
  }
  return { phoneNumberId, wamid, status: value as WebhookStatus, at: unixSeconds(status['timestamp']), raw: status };
}

/** Meta's timestamps are unix seconds as strings (reference §5.5); numbers are accepted too. */
export function unixSeconds(value: unknown): Date | null {
  const n = typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  const date = new Date(n * 1000);
  return Number.isNaN(date.getTime()) ? null : date;
}
