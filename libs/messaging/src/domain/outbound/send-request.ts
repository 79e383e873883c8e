import { AppError } from '@kirim/platform';
import {
  arr,
  at,
  bool,
  byType,
  type Check,
  type Field,
  firstRepeat,
  httpsUrl,
  invalid,
  isRecord,
  literal,
  matching,
  missing,
  num,
  obj,
  opt,
  refuseProtoKeys,
  req,
  str,
  unknownField,
} from './checks';
import { isSingleEmoji } from './emoji';
import { SEND_LIMITS as L } from './limits';

/**
 * The body of `POST /v1/{phone_number_id}/messages` (Meta's Cloud API shape, spec 05 § Send), validated
 * with Meta's limits before anything is stored or queued (decision 47). Pure: no I/O, no clock; whether
 * a quoted or reacted-to wamid exists, the 24 h window and template matching are the send service's.
 */

export const OUTBOUND_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'template',
  'reaction',
] as const;

export type OutboundType = (typeof OUTBOUND_TYPES)[number];

export interface OutboundMessageDraft {
  /** The normalized wa_id: digits only (8–15), country code first. */
  to: string;
  type: OutboundType;
  /** `{ [type]: payload }`, exactly as it will be sent to Meta (parts Kirim does not model unchanged). */
  content: Record<string, unknown>;
  /** The quoted wamid, as given. */
  context: { message_id: string } | null;
  bizOpaqueCallbackData: string | null;
  /** The integrator's JSON object, never sent to Meta, ≤ 16,384 bytes serialised. */
  metadata: Record<string, unknown> | null;
  /** For templates: the name and the language code (`en_US`, whichever form the body used). */
  templateName: string | null;
  templateLanguage: string | null;
  /** For reactions: the wamid reacted to. */
  reactionMessageId: string | null;
  /** False for template and reaction, which are exempt from the 24 h customer service window. */
  freeForm: boolean;
}

/** Meta's mark-as-read body posted to the send endpoint. */
export interface MarkReadRequest {
  kind: 'mark_read';
  messageId: string;
  typingIndicator: boolean;
}

export type ParsedSendRequest = { kind: 'send'; draft: OutboundMessageDraft } | MarkReadRequest;

// ---------------------------------------------------------------------------------------------------
// The tables: built once, at module load.

const metaId = str(1, L.metaId);
const anyString = str(0);

/** Media by exactly one of `link` (https) or `id` (a Meta media id). */
function oneSource(value: Record<string, unknown>, path: string): void {
  const link = value['link'] !== undefined;
  const id = value['id'] !== undefined;
  if (link && id) throw AppError.invalid(path, `'${path}' must have either 'link' or 'id', not both.`);
  if (!link && !id)
    throw new AppError('missing_required_field', `'${path}' needs 'link' (an https URL) or 'id' (a Meta media id).`, { param: path });
}

const source = { id: opt(metaId), link: opt(httpsUrl) };
const media = (fields: Readonly<Record<string, Field>> = {}) => obj({ ...source, ...fields }, { then: oneSource });

const IMAGE = media({ caption: opt(str(0, L.caption)) });
const VIDEO = media({ caption: opt(str(0, L.caption)) });
const AUDIO = media();
const DOCUMENT = media({ caption: opt(str(0, L.caption)), filename: opt(str(1, L.filename)) });
const STICKER = media();

const TEXT = obj({ body: req(str(1, L.textBody)), preview_url: opt(bool) });

const LOCATION = obj({
  latitude: req(num(-90, 90)),
  longitude: req(num(-180, 180)),
  name: opt(anyString),
  address: opt(anyString),
});

// Contacts: the structure Meta requires (a name with formatted_name) and the types of the fields it
// documents; anything else inside a contact passes through.
const openItems = (fields: Readonly<Record<string, Field>>) => arr(obj(fields, { open: true }), 0);
const CONTACT = obj(
  {
    name: req(
      obj(
        {
          formatted_name: req(str(1)),
          first_name: opt(anyString),
          last_name: opt(anyString),
          middle_name: opt(anyString),
          suffix: opt(anyString),
          prefix: opt(anyString),
        },
        { open: true },
      ),
    ),
    addresses: opt(
      openItems({
        street: opt(anyString),
        city: opt(anyString),
        state: opt(anyString),
        zip: opt(anyString),
        country: opt(anyString),
        country_code: opt(anyString),
        type: opt(anyString),
      }),
    ),
    birthday: opt(matching(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')),
    emails: opt(openItems({ email: opt(anyString), type: opt(anyString) })),
    org: opt(obj({ company: opt(anyString), department: opt(anyString), title: opt(anyString) }, { open: true })),
    phones: opt(openItems({ phone: opt(anyString), type: opt(anyString), wa_id: opt(anyString) })),
    urls: opt(openItems({ url: opt(anyString), type: opt(anyString) })),
  },
  { open: true },
);
const CONTACTS = arr(CONTACT, 1);

const emoji: Check = (value, parent, key) => {
  if (typeof value !== 'string' || (value !== '' && !isSingleEmoji(value))) {
    throw invalid(at(parent, key), 'one emoji, or an empty string to remove the reaction');
  }
};
const REACTION = obj({ message_id: req(metaId), emoji: req(emoji) });

// Interactive: button, list and cta_url are modelled (unknown keys refused); other subtypes pass
// through after the common checks.
const TEXT_HEADER = obj({ type: req(literal('text')), text: req(str(1, L.headerText)) });
const HEADER = byType('type', {
  text: TEXT_HEADER,
  image: obj({ type: req(literal('image')), image: req(media()) }),
  video: obj({ type: req(literal('video')), video: req(media()) }),
  document: obj({ type: req(literal('document')), document: req(media({ filename: opt(str(1, L.filename)) })) }),
});
const LIST_HEADER = byType('type', { text: TEXT_HEADER });
const FOOTER = obj({ text: req(str(1, L.footerText)) });
const bodyOf = (max: number) => obj({ text: req(str(1, max)) });

interface ReplyButton {
  reply: { id: string; title: string };
}
function uniqueButtons(action: Record<string, unknown>, path: string): void {
  const buttons = action['buttons'] as ReplyButton[];
  for (const part of ['id', 'title'] as const) {
    const i = firstRepeat(buttons, (b) => b.reply[part]);
    if (i >= 0) {
      const param = `${path}.buttons[${i}].reply.${part}`;
      throw AppError.invalid(param, `'${param}' repeats an earlier button's ${part}: button ${part}s must be unique.`);
    }
  }
}
const BUTTON = obj({
  type: req(literal('button')),
  header: opt(HEADER),
  body: req(bodyOf(L.buttonBody)),
  footer: opt(FOOTER),
  action: req(
    obj(
      {
        buttons: req(
          arr(
            obj({ type: req(literal('reply')), reply: req(obj({ id: req(str(1, L.buttonId)), title: req(str(1, L.buttonTitle)) })) }),
            1,
            L.buttons,
          ),
        ),
      },
      { then: uniqueButtons },
    ),
  ),
});

interface ListSection {
  title?: string;
  rows: { id: string }[];
}
function listRules(action: Record<string, unknown>, path: string): void {
  const sections = action['sections'] as ListSection[];
  let total = 0;
  for (const section of sections) total += section.rows.length;
  if (total > L.rows) {
    throw AppError.invalid(`${path}.sections`, `'${path}.sections' must hold at most ${L.rows} rows in total (it has ${total}).`);
  }
  if (sections.length > 1) {
    const i = sections.findIndex((s) => s.title === undefined);
    if (i >= 0) {
      const param = `${path}.sections[${i}].title`;
      throw new AppError('missing_required_field', `'${param}' is required when a list has more than one section.`, { param });
    }
  }
  // Row ids are unique across sections: at most 10 rows, so a pairwise scan allocates nothing.
  for (let s = 0; s < sections.length; s++) {
    const rows = (sections[s] as ListSection).rows;
    for (let r = 0; r < rows.length; r++) {
      const id = (rows[r] as { id: string }).id;
      for (let s2 = 0; s2 <= s; s2++) {
        const earlier = (sections[s2] as ListSection).rows;
        const end = s2 === s ? r : earlier.length;
        for (let r2 = 0; r2 < end; r2++) {
          if ((earlier[r2] as { id: string }).id === id) {
            const param = `${path}.sections[${s}].rows[${r}].id`;
            throw AppError.invalid(param, `'${param}' repeats an earlier row's id: row ids must be unique across sections.`);
          }
        }
      }
    }
  }
}
const LIST = obj({
  type: req(literal('list')),
  header: opt(LIST_HEADER),
  body: req(bodyOf(L.listBody)),
  footer: opt(FOOTER),
  action: req(
    obj(
      {
        button: req(str(1, L.listButton)),
        sections: req(
          arr(
            obj({
              title: opt(str(1, L.sectionTitle)),
              rows: req(
                arr(
                  obj({ id: req(str(1, L.rowId)), title: req(str(1, L.rowTitle)), description: opt(str(0, L.rowDescription)) }),
                  1,
                  L.rows,
                ),
              ),
            }),
            1,
            L.sections,
          ),
        ),
      },
      { then: listRules },
    ),
  ),
});

const CTA_URL = obj({
  type: req(literal('cta_url')),
  header: opt(HEADER),
  body: req(bodyOf(L.ctaBody)),
  footer: opt(FOOTER),
  action: req(
    obj({
      name: req(literal('cta_url')),
      parameters: req(obj({ display_text: req(str(1, L.ctaDisplayText)), url: req(httpsUrl) })),
    }),
  ),
});

/** flow, product, product_list, catalog_message, order_details, location_request_message, … */
const OTHER_INTERACTIVE = obj(
  {
    type: req(str(1)),
    header: opt(obj({ type: req(str(1)) }, { open: true })),
    body: opt(obj({ text: opt(str(1, L.interactiveBody)) }, { open: true })),
    footer: opt(obj({ text: opt(str(1, L.footerText)) }, { open: true })),
    action: opt(obj({}, { open: true })),
  },
  { open: true },
);
const INTERACTIVE = byType('type', { button: BUTTON, list: LIST, cta_url: CTA_URL }, OTHER_INTERACTIVE);

// Template: name and language checked; components pass through (matched against the stored template by
// the send service).
const LANGUAGE_CODE = matching(/^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8}){0,2}$/, 'a language code such as en_US');
const LANGUAGE_OBJECT = obj({ code: req(LANGUAGE_CODE), policy: opt(literal('deterministic')) });
const language: Check = (value, parent, key) => {
  if (typeof value === 'string') LANGUAGE_CODE(value, parent, key);
  else if (isRecord(value)) LANGUAGE_OBJECT(value, parent, key);
  else throw invalid(at(parent, key), "a language code such as en_US, or {code, policy?: 'deterministic'}");
};
const TEMPLATE = obj({
  name: req(str(1, L.templateName)),
  language: req(language),
  components: opt(arr(obj({ type: req(str(1)) }, { open: true }), 0)),
});

const TYPE_CHECKS: Readonly<Record<OutboundType, Check>> = {
  text: TEXT,
  image: IMAGE,
  video: VIDEO,
  audio: AUDIO,
  document: DOCUMENT,
  sticker: STICKER,
  location: LOCATION,
  contacts: CONTACTS,
  interactive: INTERACTIVE,
  template: TEMPLATE,
  reaction: REACTION,
};

const CONTEXT = obj({ message_id: req(metaId) });
const BIZ_OPAQUE = str(0, L.bizOpaqueCallbackData);

const MARK_READ = obj({
  messaging_product: opt(literal('whatsapp')),
  status: req(literal('read')),
  message_id: req(metaId),
  typing_indicator: opt(obj({ type: req(literal('text')) })),
});

const keySet = (keys: readonly string[]): Readonly<Record<string, true>> => {
  const set = Object.create(null) as Record<string, true>;
  for (const k of keys) set[k] = true;
  return set;
};
const TYPE_NAMES = keySet(OUTBOUND_TYPES);
const SEND_FIELDS = keySet(['messaging_product', 'recipient_type', 'to', 'type', 'context', 'biz_opaque_callback_data', 'metadata']);
const MARK_READ_FIELDS = keySet(['messaging_product', 'status', 'message_id', 'typing_indicator']);

const PLAIN_PHONE = /^\d{8,15}$/;
const PHONE_SEPARATORS = /[ ()-]/g;
/** E.164: a country code never starts with 0; 8–15 digits in all. */
const E164 = /^\+?[1-9]\d{7,14}$/;

// ---------------------------------------------------------------------------------------------------

/**
 * Validates a send body (or Meta's mark-as-read body, recognised by its `status`) with Meta's limits.
 * Throws AppError: `missing_required_field`, `unknown_field`, `invalid_field_value` or
 * `invalid_phone_number`, always with a dotted `param` (`interactive.action.buttons[2].reply.title`).
 */
export function parseSendRequest(body: unknown): ParsedSendRequest {
  if (!isRecord(body)) throw new AppError('invalid_field_value', 'The request body must be a JSON object.');
  if (body['status'] !== undefined) return parseMarkRead(body);

  const type = parseType(body['type']);
  for (const key in body) {
    if (TYPE_NAMES[key] === true) {
      if (key !== type)
        throw AppError.invalid(
          key,
          `'${key}' does not go with type '${type}'${body['type'] === undefined ? " (a body without 'type' is a text message)" : ''}.`,
        );
    } else if (SEND_FIELDS[key] !== true) {
      throw unknownField(key, MARK_READ_FIELDS[key] === true ? " (only a mark-as-read body, which has 'status', takes it)" : '');
    }
  }
  const product = body['messaging_product'];
  if (product !== undefined && product !== 'whatsapp') throw invalid('messaging_product', "'whatsapp'");
  const recipientType = body['recipient_type'];
  if (recipientType !== undefined && recipientType !== 'individual') throw invalid('recipient_type', "'individual'");
  const to = normalizeTo(body['to']);

  const payload = body[type];
  if (payload === undefined) throw missing(type, ` for a message of type '${type}'`);
  TYPE_CHECKS[type](payload, '', type);

  const context = body['context'];
  if (context !== undefined) CONTEXT(context, '', 'context');
  const bizOpaque = body['biz_opaque_callback_data'];
  if (bizOpaque !== undefined) BIZ_OPAQUE(bizOpaque, '', 'biz_opaque_callback_data');
  const metadata = parseMetadata(body['metadata']);

  let content: Record<string, unknown>;
  let templateName: string | null = null;
  let templateLanguage: string | null = null;
  let reactionMessageId: string | null = null;
  if (type === 'template') {
    const template = payload as { name: string; language: string | { code: string } };
    templateName = template.name;
    if (typeof template.language === 'string') {
      // Meta takes the object form only: the string form is Kirim's shorthand.
      templateLanguage = template.language;
      content = { template: { ...template, language: { code: template.language } } };
    } else {
      templateLanguage = template.language.code;
      content = { template };
    }
  } else {
    if (type === 'reaction') reactionMessageId = (payload as { message_id: string }).message_id;
    content = { [type]: payload };
  }

  return {
    kind: 'send',
    draft: {
      to,
      type,
      content,
      context: context === undefined ? null : { message_id: (context as { message_id: string }).message_id },
      bizOpaqueCallbackData: bizOpaque === undefined ? null : (bizOpaque as string),
      metadata,
      templateName,
      templateLanguage,
      reactionMessageId,
      freeForm: type !== 'template' && type !== 'reaction',
    },
  };
}

/**
 * The Meta request body to POST for a stored draft. `to` goes with its `+`: without it Meta may prepend
 * the business number's country code, and Kirim's `to` is always a full international number.
 */
export function toMetaRequestBody(
  draft: Pick<OutboundMessageDraft, 'to' | 'type' | 'content' | 'context' | 'bizOpaqueCallbackData'>,
): Record<string, unknown> {
  const payload = draft.content[draft.type];
  if (payload === undefined)
    throw new AppError('internal_error', `The stored content of a '${draft.type}' message has no '${draft.type}'.`);
  const body: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: `+${draft.to}`,
    type: draft.type,
    [draft.type]: payload,
  };
  if (draft.context !== null) body['context'] = { message_id: draft.context.message_id };
  if (draft.bizOpaqueCallbackData !== null) body['biz_opaque_callback_data'] = draft.bizOpaqueCallbackData;
  return body;
}

function parseMarkRead(body: Record<string, unknown>): MarkReadRequest {
  for (const key in body) {
    if (MARK_READ_FIELDS[key] !== true) {
      throw unknownField(
        key,
        " (a body with 'status' marks a message read: it takes messaging_product, status, message_id, typing_indicator)",
      );
    }
  }
  MARK_READ(body, '', '');
  return { kind: 'mark_read', messageId: body['message_id'] as string, typingIndicator: body['typing_indicator'] !== undefined };
}

function parseType(value: unknown): OutboundType {
  if (value === undefined) return 'text';
  if (typeof value === 'string' && TYPE_NAMES[value] === true) return value as OutboundType;
  throw invalid('type', `one of ${OUTBOUND_TYPES.join(', ')}`);
}

/** `to` as a wa_id: `+` optional, spaces, dashes and brackets ignored, 8–15 digits. */
function normalizeTo(value: unknown): string {
  if (value === undefined) throw missing('to');
  if (typeof value !== 'string') throw invalid('to', 'a phone number (a string)');
  if (PLAIN_PHONE.test(value) && value.charCodeAt(0) !== 0x30) return value;
  const compact = value.replace(PHONE_SEPARATORS, '');
  if (!E164.test(compact)) {
    throw new AppError(
      'invalid_phone_number',
      "'to' must be a phone number in E.164: 8-15 digits starting with the country code, '+' optional (spaces, dashes and brackets are ignored).",
      { param: 'to' },
    );
  }
  return compact.charCodeAt(0) === 0x2b ? compact.slice(1) : compact;
}

function parseMetadata(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw invalid('metadata', 'a JSON object');
  refuseProtoKeys(value, '', 'metadata');
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > L.metadataBytes) {
    throw AppError.invalid('metadata', `'metadata' must be at most ${L.metadataBytes} bytes serialised (UTF-8 JSON).`);
  }
  return value;
}
