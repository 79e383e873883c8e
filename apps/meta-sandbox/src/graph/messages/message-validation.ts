import { phoneDigits } from '../../state/sandbox-state';
import { GraphError, GraphErrors } from '../core/graph-error';

/**
 * Meta's validation of `POST /{phone_number_id}/messages` (reference §3): the envelope, every message
 * type, contextual replies and the mark-as-read body. Errors follow Meta's habits:
 * * envelope and plain objects: code 100 — `The parameter text['body'] is required`,
 *   `Param text['body'] must be at most 4096 characters long.`, `Unexpected key "x" on param "text".`;
 * * interactive messages: 131008 (required parameter missing) and 131009 (parameter value not valid)
 *   with the reason in `error_data.details`.
 */

export const MESSAGE_TYPES = [
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
export type MessageType = (typeof MESSAGE_TYPES)[number];

type MediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** Interactive subtypes checked field by field; any other subtype is passed through as Meta would take it. */
const CHECKED_INTERACTIVE = ['button', 'list', 'cta_url'] as const;

export interface TemplateRef {
  name: string;
  language: string;
  components: Record<string, unknown>[];
}

export type MessageRequest =
  | {
      kind: 'send';
      type: MessageType;
      to: string;
      /** Digits of `to` (the group id for groups). */
      wa_id: string;
      recipient_type: 'individual' | 'group';
      template?: TemplateRef;
      context_message_id?: string;
    }
  | { kind: 'read'; message_id: string; typing_indicator: unknown };

type Json = Record<string, unknown>;
type Path = (string | number)[];

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `text['body']`, `interactive['action']['buttons'][0]`. */
export function paramName(path: Path): string {
  const [head, ...rest] = path;
  return String(head) + rest.map((k) => (typeof k === 'number' ? `[${k}]` : `['${k}']`)).join('');
}

const sentence = (path: Path, must: string) => `Param ${paramName(path)} ${must}`;

/**
 * The checks, in one of two error families: `param` (code 100, the message names the parameter) or
 * `value` (131008/131009 with details; interactive messages).
 */
class Checker {
  constructor(private readonly family: 'param' | 'value') {}

  missing(path: Path): GraphError {
    const name = paramName(path);
    return this.family === 'param'
      ? GraphErrors.missingParameter(name)
      : GraphError.fromCode(131008, { details: `The parameter ${name} is required.` });
  }

  invalid(path: Path, must: string): GraphError {
    const text = sentence(path, must);
    return this.family === 'param' ? new GraphError(100, text, { details: text }) : GraphError.fromCode(131009, { details: text });
  }

  unexpected(key: string, path: Path): GraphError {
    const text = `Unexpected key "${key}" on param "${paramName(path)}".`;
    return this.family === 'param' ? new GraphError(100, text, { details: text }) : GraphError.fromCode(131009, { details: text });
  }

  keys(value: Json, allowed: readonly string[], path: Path): void {
    const extra = Object.keys(value).find((k) => !allowed.includes(k));
    if (extra !== undefined) throw this.unexpected(extra, path);
  }

  object(parent: Json, key: string, path: Path, required: true): Json;
  object(parent: Json, key: string, path: Path, required: false): Json | undefined;
  object(parent: Json, key: string, path: Path, required: boolean): Json | undefined {
    const value = parent[key];
    if (value === undefined || value === null) {
      if (required) throw this.missing([...path, key]);
      return undefined;
    }
    if (!isObject(value)) throw this.invalid([...path, key], 'must be a JSON object.');
    return value;
  }

  array(parent: Json, key: string, path: Path, options: { required: boolean; min?: number; max?: number }): unknown[] | undefined {
    const value = parent[key];
    if (value === undefined || value === null) {
      if (options.required) throw this.missing([...path, key]);
      return undefined;
    }
    if (!Array.isArray(value)) throw this.invalid([...path, key], 'must be an array.');
    if (options.min !== undefined && value.length < options.min)
      throw this.invalid([...path, key], `must have at least ${options.min} item${options.min === 1 ? '' : 's'}.`);
    if (options.max !== undefined && value.length > options.max)
      throw this.invalid([...path, key], `must have at most ${options.max} items.`);
    return value;
  }

  string(parent: Json, key: string, path: Path, options: { required: boolean; min?: number; max?: number }): string | undefined {
    const value = parent[key];
    if (value === undefined || value === null) {
      if (options.required) throw this.missing([...path, key]);
      return undefined;
    }
    if (typeof value !== 'string') throw this.invalid([...path, key], 'must be a string.');
    const min = options.min ?? (options.required ? 1 : 0);
    if ([...value].length < min) {
      throw min === 1 && options.required
        ? this.missing([...path, key])
        : this.invalid([...path, key], `must be at least ${min} characters long.`);
    }
    if (options.max !== undefined && [...value].length > options.max)
      throw this.invalid([...path, key], `must be at most ${options.max} characters long.`);
    return value;
  }

  boolean(parent: Json, key: string, path: Path): void {
    const value = parent[key];
    if (value !== undefined && typeof value !== 'boolean') throw this.invalid([...path, key], 'must be a boolean.');
  }

  number(parent: Json, key: string, path: Path, range: { min: number; max: number }): number {
    const raw = parent[key];
    if (raw === undefined || raw === null || raw === '') throw this.missing([...path, key]);
    const value = typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.invalid([...path, key], 'must be a number.');
    if (value < range.min || value > range.max) throw this.invalid([...path, key], `must be between ${range.min} and ${range.max}.`);
    return value;
  }

  oneOf<T extends string>(parent: Json, key: string, path: Path, values: readonly T[], required: boolean): T | undefined {
    const value = parent[key];
    if (value === undefined || value === null) {
      if (required) throw this.missing([...path, key]);
      return undefined;
    }
    if (typeof value !== 'string' || !values.includes(value as T)) {
      throw this.invalid([...path, key], `must be one of {${values.join(', ')}}${typeof value === 'string' ? ` - got "${value}"` : ''}.`);
    }
    return value as T;
  }

  url(parent: Json, key: string, path: Path, required: boolean): string | undefined {
    const value = this.string(parent, key, path, { required, max: 2000 });
    if (value === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw this.invalid([...path, key], 'must be a valid http(s) URL.');
    return value;
  }
}

const param = new Checker('param');
const value = new Checker('value');

// ------------------------------------------------------------------------------------------ entry

/** Validates a messages request as Meta does; throws Meta's error for the first problem found. */
export function validateMessageRequest(body: unknown): MessageRequest {
  if (!isObject(body)) throw GraphErrors.missingParameter('messaging_product');
  const product = body['messaging_product'];
  if (product === undefined) throw GraphErrors.missingParameter('messaging_product');
  if (product !== 'whatsapp') throw param.invalid(['messaging_product'], 'must be "whatsapp".');
  if (body['status'] !== undefined) return validateMarkRead(body);
  return validateSend(body);
}

function validateMarkRead(body: Json): MessageRequest {
  param.keys(body, ['messaging_product', 'status', 'message_id', 'typing_indicator'], ['message']);
  if (body['status'] !== 'read') throw param.invalid(['status'], 'must be "read".');
  const messageId = param.string(body, 'message_id', [], { required: true, max: 512 }) as string;
  const typing = param.object(body, 'typing_indicator', [], false);
  if (typing) {
    param.keys(typing, ['type'], ['typing_indicator']);
    param.oneOf(typing, 'type', ['typing_indicator'], ['text'], true);
  }
  return { kind: 'read', message_id: messageId, typing_indicator: typing ?? null };
}

const ENVELOPE_KEYS = ['messaging_product', 'recipient_type', 'to', 'type', 'context', 'biz_opaque_callback_data', ...MESSAGE_TYPES];

function validateSend(body: Json): MessageRequest {
  const type = body['type'] === undefined ? 'text' : body['type'];
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw param.invalid(
      ['type'],
      `must be one of {${MESSAGE_TYPES.map((t) => t.toUpperCase()).join(', ')}}${typeof type === 'string' ? ` - got "${type}"` : ''}.`,
    );
  }
  const messageType = type as MessageType;
  param.keys(body, ENVELOPE_KEYS, ['message']);
  const recipientType = param.oneOf(body, 'recipient_type', [], ['individual', 'group'], false) ?? 'individual';
  const rawTo = typeof body['to'] === 'number' ? String(body['to']) : body['to'];
  if (rawTo === undefined || rawTo === null || rawTo === '') throw GraphErrors.missingParameter('to');
  if (typeof rawTo !== 'string') throw param.invalid(['to'], 'must be a string.');
  let waId: string;
  if (recipientType === 'group') {
    if (rawTo.length > 128) throw param.invalid(['to'], 'must be a group id.');
    waId = rawTo.trim();
  } else {
    const digits = phoneDigits(rawTo.trim());
    if (!digits)
      throw new GraphError(100, 'Invalid parameter', { details: `The parameter to is not a valid WhatsApp phone number: "${rawTo}".` });
    waId = digits;
  }

  const opaqueData = body['biz_opaque_callback_data'];
  if (opaqueData !== undefined) param.string(body, 'biz_opaque_callback_data', [], { required: false, max: 512 });

  let contextId: string | undefined;
  const context = param.object(body, 'context', [], false);
  if (context) {
    param.keys(context, ['message_id'], ['context']);
    contextId = param.string(context, 'message_id', ['context'], { required: true, max: 512 });
  }

  let template: TemplateRef | undefined;
  switch (messageType) {
    case 'text':
      validateText(param.object(body, 'text', [], true));
      break;
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      validateMedia(param.object(body, messageType, [], true), messageType, [messageType], param);
      break;
    case 'location':
      validateLocation(param.object(body, 'location', [], true));
      break;
    case 'contacts':
      validateContacts(body);
      break;
    case 'reaction':
      validateReaction(param.object(body, 'reaction', [], true));
      break;
    case 'interactive':
      validateInteractive(param.object(body, 'interactive', [], true));
      break;
    case 'template':
      template = validateTemplate(param.object(body, 'template', [], true));
      break;
  }
  return {
    kind: 'send',
    type: messageType,
    to: rawTo,
    wa_id: waId,
    recipient_type: recipientType,
    ...(template && { template }),
    ...(contextId !== undefined && { context_message_id: contextId }),
  };
}

// ------------------------------------------------------------------------------------ simple types

function validateText(text: Json): void {
  param.keys(text, ['body', 'preview_url'], ['text']);
  param.string(text, 'body', ['text'], { required: true, max: 4096 });
  param.boolean(text, 'preview_url', ['text']);
}

const MEDIA_KEYS: Readonly<Record<MediaType, readonly string[]>> = {
  image: ['id', 'link', 'caption'],
  video: ['id', 'link', 'caption'],
  audio: ['id', 'link'],
  document: ['id', 'link', 'caption', 'filename'],
  sticker: ['id', 'link'],
};

/** `{id}` or `{link}` (exactly one), `caption` ≤ 1,024 (image, video, document), `filename` ≤ 240 (document). */
function validateMedia(media: Json, type: MediaType, path: Path, check: Checker): void {
  check.keys(media, MEDIA_KEYS[type], path);
  const id = check.string(media, 'id', path, { required: false, max: 256 });
  const link = media['link'] === undefined ? undefined : check.url(media, 'link', path, true);
  if (id !== undefined && link !== undefined) {
    throw check.invalid(path, `must have either ${paramName([...path, 'id'])} or ${paramName([...path, 'link'])}, not both.`);
  }
  if (id === undefined && link === undefined) {
    throw GraphError.fromCode(131008, {
      details: `The parameter ${paramName([...path, 'id'])} or ${paramName([...path, 'link'])} is required.`,
    });
  }
  if (id !== undefined && !/^[A-Za-z0-9_.:-]+$/.test(id)) throw check.invalid([...path, 'id'], 'must be a media id.');
  check.string(media, 'caption', path, { required: false, max: 1024 });
  check.string(media, 'filename', path, { required: false, max: 240 });
}

function validateLocation(location: Json): void {
  param.keys(location, ['latitude', 'longitude', 'name', 'address'], ['location']);
  param.number(location, 'latitude', ['location'], { min: -90, max: 90 });
  param.number(location, 'longitude', ['location'], { min: -180, max: 180 });
  param.string(location, 'name', ['location'], { required: false, max: 1000 });
  param.string(location, 'address', ['location'], { required: false, max: 1000 });
}

const CONTACT_KEYS = ['addresses', 'birthday', 'emails', 'name', 'org', 'phones', 'urls'];

function validateContacts(body: Json): void {
  const contacts = param.array(body, 'contacts', [], { required: true, min: 1, max: 257 }) ?? [];
  contacts.forEach((contact, index) => {
    const path: Path = ['contacts', index];
    if (!isObject(contact)) throw param.invalid(path, 'must be a JSON object.');
    param.keys(contact, CONTACT_KEYS, path);
    const name = param.object(contact, 'name', path, true);
    param.string(name, 'formatted_name', [...path, 'name'], { required: true, max: 1000 });
    for (const list of ['addresses', 'emails', 'phones', 'urls']) {
      const items = param.array(contact, list, path, { required: false }) ?? [];
      items.forEach((item, i) => {
        if (!isObject(item)) throw param.invalid([...path, list, i], 'must be a JSON object.');
      });
    }
    param.object(contact, 'org', path, false);
    param.string(contact, 'birthday', path, { required: false, max: 10 });
  });
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

/** `{message_id, emoji}`: one emoji, or `""` to remove the reaction. */
function validateReaction(reaction: Json): void {
  param.keys(reaction, ['message_id', 'emoji'], ['reaction']);
  param.string(reaction, 'message_id', ['reaction'], { required: true, max: 512 });
  const emoji = reaction['emoji'];
  if (emoji === undefined || emoji === null) throw GraphErrors.missingParameter("reaction['emoji']");
  if (typeof emoji !== 'string') throw param.invalid(['reaction', 'emoji'], 'must be a string.');
  if (emoji !== '' && ([...segmenter.segment(emoji)].length !== 1 || !EMOJI.test(emoji))) {
    throw GraphError.fromCode(131009, { details: `Param reaction['emoji'] must be a single emoji or empty - got "${emoji}".` });
  }
}

// ------------------------------------------------------------------------------------ interactive

function validateInteractive(interactive: Json): void {
  const path: Path = ['interactive'];
  const subtype = interactive['type'];
  if (subtype === undefined || subtype === null || subtype === '') throw value.missing([...path, 'type']);
  if (typeof subtype !== 'string' || !/^[a-z][a-z_]{0,63}$/.test(subtype))
    throw value.invalid([...path, 'type'], 'is not a valid interactive type.');
  if (!(CHECKED_INTERACTIVE as readonly string[]).includes(subtype)) {
    // flow, product, product_list, catalog_message, order_details, location_request_message, …: Meta's own
    // rules, taken as they come (a body text, where given, still has Meta's general limit).
    const body = interactive['body'];
    if (isObject(body)) value.string(body, 'text', [...path, 'body'], { required: false, max: 4096 });
    return;
  }
  value.keys(interactive, ['type', 'header', 'body', 'footer', 'action'], path);
  const bodyMax = subtype === 'list' ? 4096 : 1024;
  const body = value.object(interactive, 'body', path, true);
  value.keys(body, ['text'], [...path, 'body']);
  value.string(body, 'text', [...path, 'body'], { required: true, max: bodyMax });
  const footer = value.object(interactive, 'footer', path, false);
  if (footer) {
    value.keys(footer, ['text'], [...path, 'footer']);
    value.string(footer, 'text', [...path, 'footer'], { required: true, max: 60 });
  }
  const header = value.object(interactive, 'header', path, false);
  if (header) validateHeader(header, subtype === 'list' ? ['text'] : ['text', 'image', 'video', 'document']);
  const action = value.object(interactive, 'action', path, true);
  if (subtype === 'button') validateButtons(action);
  else if (subtype === 'list') validateList(action);
  else validateCtaUrl(action);
}

function validateHeader(header: Json, types: readonly string[]): void {
  const path: Path = ['interactive', 'header'];
  value.keys(header, ['type', ...types], path);
  const type = value.oneOf(header, 'type', path, types, true) as string;
  if (type === 'text') value.string(header, 'text', path, { required: true, max: 60 });
  else validateMedia(value.object(header, type, path, true), type as MediaType, [...path, type], value);
}

function validateButtons(action: Json): void {
  const path: Path = ['interactive', 'action'];
  value.keys(action, ['buttons'], path);
  const buttons = value.array(action, 'buttons', path, { required: true, min: 1, max: 3 }) ?? [];
  const ids = new Set<string>();
  const titles = new Set<string>();
  buttons.forEach((button, index) => {
    const at: Path = [...path, 'buttons', index];
    if (!isObject(button)) throw value.invalid(at, 'must be a JSON object.');
    value.keys(button, ['type', 'reply'], at);
    value.oneOf(button, 'type', at, ['reply'], true);
    const reply = value.object(button, 'reply', at, true);
    value.keys(reply, ['id', 'title'], [...at, 'reply']);
    const id = value.string(reply, 'id', [...at, 'reply'], { required: true, max: 256 }) as string;
    const title = value.string(reply, 'title', [...at, 'reply'], { required: true, max: 20 }) as string;
    if (ids.has(id)) throw GraphError.fromCode(131009, { details: `Duplicate button id "${id}": button ids must be unique.` });
    if (titles.has(title))
      throw GraphError.fromCode(131009, { details: `Duplicate button title "${title}": button titles must be unique.` });
    ids.add(id);
    titles.add(title);
  });
}

function validateList(action: Json): void {
  const path: Path = ['interactive', 'action'];
  value.keys(action, ['button', 'sections'], path);
  value.string(action, 'button', path, { required: true, max: 20 });
  const sections = value.array(action, 'sections', path, { required: true, min: 1, max: 10 }) ?? [];
  const ids = new Set<string>();
  let rows = 0;
  sections.forEach((section, index) => {
    const at: Path = [...path, 'sections', index];
    if (!isObject(section)) throw value.invalid(at, 'must be a JSON object.');
    value.keys(section, ['title', 'rows'], at);
    value.string(section, 'title', at, { required: sections.length > 1, max: 24 });
    const list = value.array(section, 'rows', at, { required: true, min: 1, max: 10 }) ?? [];
    list.forEach((row, r) => {
      const rowAt: Path = [...at, 'rows', r];
      if (!isObject(row)) throw value.invalid(rowAt, 'must be a JSON object.');
      value.keys(row, ['id', 'title', 'description'], rowAt);
      const id = value.string(row, 'id', rowAt, { required: true, max: 200 }) as string;
      value.string(row, 'title', rowAt, { required: true, max: 24 });
      value.string(row, 'description', rowAt, { required: false, max: 72 });
      if (ids.has(id)) throw GraphError.fromCode(131009, { details: `Duplicate row id "${id}": row ids must be unique.` });
      ids.add(id);
    });
    rows += list.length;
  });
  if (rows > 10) throw GraphError.fromCode(131009, { details: `Total row count exceeded: ${rows} rows, at most 10 are allowed.` });
}

function validateCtaUrl(action: Json): void {
  const path: Path = ['interactive', 'action'];
  value.keys(action, ['name', 'parameters'], path);
  value.oneOf(action, 'name', path, ['cta_url'], true);
  const parameters = value.object(action, 'parameters', path, true);
  value.keys(parameters, ['display_text', 'url'], [...path, 'parameters']);
  value.string(parameters, 'display_text', [...path, 'parameters'], { required: true, max: 20 });
  value.url(parameters, 'url', [...path, 'parameters'], true);
}

// --------------------------------------------------------------------------------------- template

const COMPONENT_TYPES = [
  'header',
  'body',
  'footer',
  'button',
  'buttons',
  'carousel',
  'limited_time_offer',
  'order_status',
  'call_permission_request',
];
const BUTTON_SUB_TYPES = [
  'quick_reply',
  'url',
  'copy_code',
  'flow',
  'catalog',
  'mpm',
  'voice_call',
  'order_details',
  'otp',
  'phone_number',
  'spm',
];

/** `{name, language: {code, policy?}, components?}`; parameters are checked by their type. */
function validateTemplate(template: Json): TemplateRef {
  const path: Path = ['template'];
  param.keys(template, ['name', 'language', 'components', 'namespace'], path);
  const name = param.string(template, 'name', path, { required: true, max: 512 }) as string;
  const language = param.object(template, 'language', path, true);
  param.keys(language, ['code', 'policy'], [...path, 'language']);
  const code = param.string(language, 'code', [...path, 'language'], { required: true, max: 20 }) as string;
  param.oneOf(language, 'policy', [...path, 'language'], ['deterministic', 'fallback'], false);
  const components = param.array(template, 'components', path, { required: false, max: 30 }) ?? [];
  components.forEach((component, index) => validateComponent(component, [...path, 'components', index]));
  return { name, language: code, components: components as Json[] };
}

function validateComponent(component: unknown, path: Path): void {
  if (!isObject(component)) throw param.invalid(path, 'must be a JSON object.');
  param.keys(component, ['type', 'sub_type', 'index', 'parameters', 'cards', 'card_index', 'components'], path);
  const type = param.string(component, 'type', path, { required: true, max: 64 }) as string;
  if (!COMPONENT_TYPES.includes(type.toLowerCase()))
    throw param.invalid([...path, 'type'], `must be one of {${COMPONENT_TYPES.join(', ')}} - got "${type}".`);
  if (type.toLowerCase() === 'button') {
    const sub = param.string(component, 'sub_type', path, { required: true, max: 64 }) as string;
    if (!BUTTON_SUB_TYPES.includes(sub.toLowerCase()))
      throw param.invalid([...path, 'sub_type'], `must be one of {${BUTTON_SUB_TYPES.join(', ')}} - got "${sub}".`);
    const index = component['index'];
    if (index === undefined || index === null || index === '') throw GraphErrors.missingParameter(paramName([...path, 'index']));
    if (!/^\d$/.test(String(index))) throw param.invalid([...path, 'index'], 'must be an integer between 0 and 9.');
  }
  const parameters = param.array(component, 'parameters', path, { required: false, max: 100 }) ?? [];
  parameters.forEach((parameter, index) => validateParameter(parameter, [...path, 'parameters', index]));
  const cards = param.array(component, 'cards', path, { required: false, max: 10 }) ?? [];
  cards.forEach((card, c) => {
    if (!isObject(card)) throw param.invalid([...path, 'cards', c], 'must be a JSON object.');
    const nested = param.array(card, 'components', [...path, 'cards', c], { required: false, max: 10 }) ?? [];
    nested.forEach((n, i) => validateComponent(n, [...path, 'cards', c, 'components', i]));
  });
}

function validateParameter(parameter: unknown, path: Path): void {
  if (!isObject(parameter)) throw param.invalid(path, 'must be a JSON object.');
  const type = param.string(parameter, 'type', path, { required: true, max: 64 }) as string;
  switch (type) {
    case 'text':
      param.string(parameter, 'text', path, { required: true, max: 32_768 });
      param.string(parameter, 'parameter_name', path, { required: false, max: 512 });
      break;
    case 'payload':
      param.string(parameter, 'payload', path, { required: true, max: 4096 });
      break;
    case 'currency': {
      const currency = param.object(parameter, 'currency', path, true);
      param.string(currency, 'fallback_value', [...path, 'currency'], { required: true, max: 1024 });
      param.string(currency, 'code', [...path, 'currency'], { required: true, max: 3 });
      if (currency['amount_1000'] === undefined) throw GraphErrors.missingParameter(paramName([...path, 'currency', 'amount_1000']));
      if (!Number.isInteger(currency['amount_1000'])) throw param.invalid([...path, 'currency', 'amount_1000'], 'must be an integer.');
      break;
    }
    case 'date_time': {
      const dateTime = param.object(parameter, 'date_time', path, true);
      param.string(dateTime, 'fallback_value', [...path, 'date_time'], { required: true, max: 1024 });
      break;
    }
    case 'image':
    case 'video':
    case 'document':
      validateMedia(param.object(parameter, type, path, true), type, [...path, type], param);
      break;
    default:
      // location, action, coupon_code, limited_time_offer, order_status, product…: passed through.
      break;
  }
}
