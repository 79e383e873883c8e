import { AppError } from '@kirim/platform';

/**
 * Message templates (spec 05 § Templates): Kirim's mirror of the account's WABA templates at Meta. Pure:
 * the checks of a create before Meta is called (Meta's own rules, so a template Meta would refuse for its
 * shape fails here with 400 and a dotted `param`), the reading of Meta's statuses, and the match of a
 * template send's parameters against the stored template's placeholders.
 */

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** Meta's statuses in lower case (reference §4), and Kirim's own `deleted`. */
export const TEMPLATE_STATUSES = [
  'approved',
  'pending',
  'rejected',
  'paused',
  'disabled',
  'in_appeal',
  'flagged',
  'limit_exceeded',
  'locked',
  'archived',
  'pending_deletion',
  'deleted',
] as const;

export const PARAMETER_FORMATS = ['POSITIONAL', 'NAMED'] as const;
export type ParameterFormat = (typeof PARAMETER_FORMATS)[number];

export interface Template {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  wabaId: string;
  metaTemplateId: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  parameterFormat: ParameterFormat;
  components: Record<string, unknown>[];
  rejectionReason: string | null;
  quality: string | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A create, checked. */
export interface NewTemplate {
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat: ParameterFormat;
  components: Record<string, unknown>[];
}

/** Meta's limits for a template's parts (Meta's template guidelines; reference §4 for name and categories). */
export const TEMPLATE_LIMITS = {
  name: 512,
  bodyText: 1024,
  headerText: 60,
  footerText: 60,
  buttons: 10,
  quickReplyButtons: 10,
  urlButtons: 2,
  phoneNumberButtons: 1,
  copyCodeButtons: 1,
  buttonText: 25,
  phoneNumber: 20,
  copyCodeExample: 15,
  url: 2000,
} as const;

export const TEMPLATE_NAME = /^[a-z0-9_]+$/;
export const TEMPLATE_LANGUAGE = /^[a-z]{2,3}(?:_[A-Za-z]{2,4})?$/;
const NAMED_PLACEHOLDER = /^[a-z][a-z0-9_]*$/;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'] as const;
const MEDIA_HEADERS = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const upper = (v: unknown): string => (typeof v === 'string' ? v.toUpperCase() : '');
const invalid = (param: string, message: string) => AppError.invalid(param, message);
const missing = (param: string, message: string) => new AppError('missing_required_field', message, { param });

/** The placeholders of a text in order of appearance, `{{1}}` → `1`, `{{ first_name }}` → `first_name`. */
export function placeholdersOf(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

const distinct = (names: readonly string[]): string[] => [...new Set(names)];

// ------------------------------------------------------------------------------------------- create

/**
 * A create body's name, language, category, parameter format and components, checked as Meta checks
 * them. The DTO has already checked the types of the top-level fields.
 */
export function checkNewTemplate(input: {
  name: string;
  language: string;
  category: string;
  parameter_format?: string | undefined;
  components: unknown[];
}): NewTemplate {
  if (input.name.length < 1 || input.name.length > TEMPLATE_LIMITS.name || !TEMPLATE_NAME.test(input.name)) {
    throw invalid('name', `'name' must be 1 to ${TEMPLATE_LIMITS.name} lower-case letters, digits and underscores.`);
  }
  if (!TEMPLATE_LANGUAGE.test(input.language)) throw invalid('language', "'language' must be a language code such as en_US or id.");
  if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(input.category)) {
    throw invalid('category', `'category' must be one of ${TEMPLATE_CATEGORIES.join(', ')}.`);
  }
  const format = (input.parameter_format ?? 'POSITIONAL').toUpperCase();
  if (!(PARAMETER_FORMATS as readonly string[]).includes(format)) {
    throw invalid('parameter_format', "'parameter_format' must be POSITIONAL or NAMED.");
  }
  const category = input.category as TemplateCategory;
  const parameterFormat = format as ParameterFormat;
  const components = checkComponents(input.components, category, parameterFormat);
  return { name: input.name, language: input.language, category, parameterFormat, components };
}

function checkComponents(components: unknown[], category: TemplateCategory, format: ParameterFormat): Json[] {
  if (components.length === 0) throw invalid('components', "'components' must hold at least a BODY.");
  const seen = new Map<string, number>();
  components.forEach((component, i) => {
    const param = `components[${i}]`;
    if (!isObject(component)) throw invalid(param, `'${param}' must be an object.`);
    if (component['type'] === undefined) throw missing(`${param}.type`, `'${param}.type' is required.`);
    const type = upper(component['type']);
    if (!['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(type)) return; // passed to Meta as it is
    if (seen.has(type)) {
      throw invalid(
        `${param}.type`,
        `A template has ${type === 'BODY' ? 'exactly' : 'at most'} one ${type} component (the first is components[${seen.get(type)}]).`,
      );
    }
    seen.set(type, i);
    if (type === 'BODY') checkBody(component, param, category, format);
    else if (type === 'HEADER') checkHeader(component, param, format);
    else if (type === 'FOOTER') checkFooter(component, param);
    else checkButtons(component, param);
  });
  if (!seen.has('BODY')) throw invalid('components', 'A template has exactly one BODY component.');
  return components as Json[];
}

function requiredText(component: Json, param: string, max: number, what: string): string {
  const text = component['text'];
  if (text === undefined) throw missing(`${param}.text`, `'${param}.text' is required for a ${what}.`);
  if (typeof text !== 'string' || text.trim().length === 0 || text.length > max) {
    throw invalid(`${param}.text`, `'${param}.text' must be 1 to ${max} characters.`);
  }
  return text;
}

/**
 * The placeholders of a text against the template's format: positional ones `{{1}}…{{n}}` numbered from 1
 * without gaps, named ones lower-case (`{{first_name}}`), never mixed. Returns the distinct names.
 */
function checkPlaceholders(text: string, param: string, format: ParameterFormat): string[] {
  const names = distinct(placeholdersOf(text));
  if (names.length === 0) return names;
  if (format === 'POSITIONAL') {
    const bad = names.find((n) => !/^\d+$/.test(n));
    if (bad !== undefined) {
      throw invalid(
        param,
        `'${param}' has {{${bad}}}: positional templates number their placeholders {{1}}, {{2}}, … (or use parameter_format NAMED).`,
      );
    }
    const numbers = names.map(Number).sort((a, b) => a - b);
    const gap = numbers.findIndex((n, i) => n !== i + 1);
    if (gap >= 0) {
      throw invalid(param, `'${param}' placeholders must be numbered from {{1}} without gaps: {{${gap + 1}}} is missing.`);
    }
  } else {
    const bad = names.find((n) => !NAMED_PLACEHOLDER.test(n));
    if (bad !== undefined) {
      throw invalid(
        param,
        `'${param}' has {{${bad}}}: named placeholders are lower-case letters, digits and underscores, starting with a letter.`,
      );
    }
  }
  return names;
}

/** `example.body_text: [[v1, …, vn]]` / `example.header_text: [v1]`, or the `*_named_params` lists. */
function checkExample(component: Json, param: string, names: readonly string[], format: ParameterFormat, part: 'body' | 'header'): void {
  if (names.length === 0) return;
  const example = component['example'];
  const positionalKey = `${part}_text`;
  const namedKey = `${part}_text_named_params`;
  const key = format === 'NAMED' ? namedKey : positionalKey;
  const where = `${param}.example.${key}`;
  if (!isObject(example) || example[key] === undefined) {
    throw missing(
      where,
      `'${where}' is required: Meta needs an example value for each placeholder (${names.map((n) => `{{${n}}}`).join(', ')}).`,
    );
  }
  const values = example[key];
  if (format === 'NAMED') {
    if (!Array.isArray(values)) throw invalid(where, `'${where}' must be a list of {param_name, example}.`);
    const given = new Map<string, unknown>();
    values.forEach((v: unknown, i: number) => {
      if (!isObject(v) || typeof v['param_name'] !== 'string' || typeof v['example'] !== 'string' || v['example'] === '') {
        throw invalid(`${where}[${i}]`, `'${where}[${i}]' must be {param_name, example} with a non-empty example.`);
      }
      given.set(v['param_name'], v['example']);
    });
    const absent = names.find((n) => !given.has(n));
    if (absent !== undefined) throw invalid(where, `'${where}' has no example for {{${absent}}}.`);
    const extra = [...given.keys()].find((n) => !names.includes(n));
    if (extra !== undefined) throw invalid(where, `'${where}' names '${extra}', which is not a placeholder of the text.`);
    return;
  }
  const list = part === 'body' ? (Array.isArray(values) && values.length === 1 ? values[0] : undefined) : values;
  const shape = part === 'body' ? 'one list of strings, e.g. [["Budi", "A-12"]]' : 'a list of strings, e.g. ["A-12"]';
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && v !== '')) throw invalid(where, `'${where}' must be ${shape}.`);
  if (list.length !== names.length) {
    throw invalid(where, `'${where}' has ${list.length} example value(s) for ${names.length} placeholder(s).`);
  }
}

function checkBody(component: Json, param: string, category: TemplateCategory, format: ParameterFormat): void {
  // Authentication templates take Meta's fixed body (`add_security_recommendation`): text optional.
  if (category === 'AUTHENTICATION' && component['text'] === undefined) return;
  const text = requiredText(component, param, TEMPLATE_LIMITS.bodyText, 'BODY');
  const names = checkPlaceholders(text, `${param}.text`, format);
  const trimmed = text.trim();
  if (names.length > 0 && (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}$/.test(trimmed))) {
    throw invalid(`${param}.text`, `'${param}.text' may not start or end with a placeholder (Meta refuses it).`);
  }
  checkExample(component, param, names, format, 'body');
}

function checkHeader(component: Json, param: string, format: ParameterFormat): void {
  if (component['format'] === undefined) throw missing(`${param}.format`, `'${param}.format' is required: ${HEADER_FORMATS.join(', ')}.`);
  const headerFormat = upper(component['format']);
  if (!(HEADER_FORMATS as readonly string[]).includes(headerFormat)) {
    throw invalid(`${param}.format`, `'${param}.format' must be one of ${HEADER_FORMATS.join(', ')}.`);
  }
  if (headerFormat === 'TEXT') {
    const text = requiredText(component, param, TEMPLATE_LIMITS.headerText, 'TEXT header');
    const names = checkPlaceholders(text, `${param}.text`, format);
    if (names.length > 1) throw invalid(`${param}.text`, `'${param}.text' may have at most one placeholder.`);
    checkExample(component, param, names, format, 'header');
  } else if (MEDIA_HEADERS.has(headerFormat)) {
    const example = component['example'];
    const handles = isObject(example) ? example['header_handle'] : undefined;
    if (!Array.isArray(handles) || handles.length === 0 || !handles.every((h) => typeof h === 'string' && h !== '')) {
      throw missing(
        `${param}.example.header_handle`,
        `'${param}.example.header_handle' is required for a ${headerFormat} header (a media handle).`,
      );
    }
  }
}

function checkFooter(component: Json, param: string): void {
  const text = requiredText(component, param, TEMPLATE_LIMITS.footerText, 'FOOTER');
  if (placeholdersOf(text).length > 0) throw invalid(`${param}.text`, `'${param}.text' may not have placeholders.`);
}

function checkButtons(component: Json, param: string): void {
  const buttons = component['buttons'];
  const where = `${param}.buttons`;
  if (buttons === undefined) throw missing(where, `'${where}' is required for a BUTTONS component.`);
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > TEMPLATE_LIMITS.buttons) {
    throw invalid(where, `'${where}' must hold 1 to ${TEMPLATE_LIMITS.buttons} buttons.`);
  }
  const counts = new Map<string, number>();
  buttons.forEach((button: unknown, j: number) => {
    const at = `${where}[${j}]`;
    if (!isObject(button)) throw invalid(at, `'${at}' must be an object.`);
    if (button['type'] === undefined) throw missing(`${at}.type`, `'${at}.type' is required.`);
    const type = upper(button['type']);
    counts.set(type, (counts.get(type) ?? 0) + 1);
    const text = button['text'];
    if (['QUICK_REPLY', 'URL', 'PHONE_NUMBER'].includes(type)) {
      if (text === undefined) throw missing(`${at}.text`, `'${at}.text' is required.`);
      if (typeof text !== 'string' || text.length < 1 || text.length > TEMPLATE_LIMITS.buttonText) {
        throw invalid(`${at}.text`, `'${at}.text' must be 1 to ${TEMPLATE_LIMITS.buttonText} characters.`);
      }
      if (placeholdersOf(text).length > 0) throw invalid(`${at}.text`, `'${at}.text' may not have placeholders.`);
    }
    if (type === 'URL') checkUrlButton(button, at);
    if (type === 'PHONE_NUMBER') {
      const phone = button['phone_number'];
      if (phone === undefined) throw missing(`${at}.phone_number`, `'${at}.phone_number' is required.`);
      if (
        typeof phone !== 'string' ||
        !/^\+?[0-9]{6,19}$/.test(phone.replace(/[\s-]/g, '')) ||
        phone.length > TEMPLATE_LIMITS.phoneNumber
      ) {
        throw invalid(
          `${at}.phone_number`,
          `'${at}.phone_number' must be a phone number of at most ${TEMPLATE_LIMITS.phoneNumber} characters.`,
        );
      }
    }
    if (type === 'COPY_CODE') {
      const example = button['example'];
      if (typeof example !== 'string' || example.length < 1 || example.length > TEMPLATE_LIMITS.copyCodeExample) {
        throw invalid(`${at}.example`, `'${at}.example' must be the code to copy, 1 to ${TEMPLATE_LIMITS.copyCodeExample} characters.`);
      }
    }
  });
  const limits: [string, number][] = [
    ['QUICK_REPLY', TEMPLATE_LIMITS.quickReplyButtons],
    ['URL', TEMPLATE_LIMITS.urlButtons],
    ['PHONE_NUMBER', TEMPLATE_LIMITS.phoneNumberButtons],
    ['COPY_CODE', TEMPLATE_LIMITS.copyCodeButtons],
  ];
  for (const [type, max] of limits) {
    if ((counts.get(type) ?? 0) > max) throw invalid(where, `'${where}' may have at most ${max} ${type} button(s).`);
  }
}

function checkUrlButton(button: Json, at: string): void {
  const url = button['url'];
  if (url === undefined) throw missing(`${at}.url`, `'${at}.url' is required for a URL button.`);
  if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url) || url.length > TEMPLATE_LIMITS.url) {
    throw invalid(`${at}.url`, `'${at}.url' must be an http(s) URL of at most ${TEMPLATE_LIMITS.url} characters.`);
  }
  const names = placeholdersOf(url);
  if (names.length === 0) return;
  if (names.length > 1 || !/\{\{\s*1\s*\}\}$/.test(url)) {
    throw invalid(`${at}.url`, `'${at}.url' may have one placeholder, {{1}}, at its end (the URL suffix).`);
  }
  const example = button['example'];
  if (!Array.isArray(example) || example.length !== 1 || typeof example[0] !== 'string' || example[0] === '') {
    throw missing(`${at}.example`, `'${at}.example' is required: one full example URL, e.g. ["https://shop.example/track/A-12"].`);
  }
}

// ------------------------------------------------------------------------------------------- Meta

/** Meta's status (or webhook event) in Kirim's words: lower case; `REINSTATED` is sendable again (`approved`). */
export function statusFromMeta(event: string): string {
  const status = event.trim().toLowerCase();
  return status === 'reinstated' || status === 'unarchived' ? 'approved' : status;
}

/** Meta's `reason` / `rejected_reason`: null for `NONE` or empty. */
export function reasonFromMeta(reason: unknown): string | null {
  if (typeof reason !== 'string' || reason === '' || reason.toUpperCase() === 'NONE') return null;
  return reason;
}

// ------------------------------------------------------------------------------------------ sends

/** What a send of the template must carry: parameters of header and body, and per URL button index. */
export interface ExpectedParameters {
  header: { names: string[] | null; count: number };
  body: { names: string[] | null; count: number };
  /** Button index → parameters (1 for a URL button with a `{{1}}` suffix). */
  urlButtons: Map<number, number>;
}

export function expectedParameters(template: Pick<Template, 'components' | 'parameterFormat'>): ExpectedParameters {
  const named = template.parameterFormat === 'NAMED';
  const expected: ExpectedParameters = { header: { names: null, count: 0 }, body: { names: null, count: 0 }, urlButtons: new Map() };
  for (const component of template.components) {
    const type = upper(component['type']);
    if (type === 'HEADER') {
      const format = upper(component['format'] ?? 'TEXT');
      if (format === 'TEXT') {
        const names = distinct(placeholdersOf(component['text']));
        expected.header = { names: named ? names : null, count: names.length };
      } else {
        // A media or location header takes its one parameter at send time.
        expected.header = { names: null, count: 1 };
      }
    } else if (type === 'BODY') {
      const names = distinct(placeholdersOf(component['text']));
      expected.body = { names: named ? names : null, count: names.length };
    } else if (type === 'BUTTONS' && Array.isArray(component['buttons'])) {
      component['buttons'].forEach((button: unknown, index: number) => {
        if (isObject(button) && upper(button['type']) === 'URL' && placeholdersOf(button['url']).length > 0)
          expected.urlButtons.set(index, 1);
      });
    }
  }
  return expected;
}

const mismatch = (param: string, message: string) => new AppError('template_parameter_mismatch', message, { param });

/**
 * A template send's `components` against the stored template (spec 05 § Send): as many header and body
 * parameters as placeholders (named ones by `parameter_name`, each exactly once), one text parameter for a
 * URL button with a suffix placeholder and none for a static one. Quick-reply payloads, copy codes, flows,
 * catalogs and other button types are not placeholders and pass through unchecked.
 */
export function checkTemplateParameters(template: Pick<Template, 'components' | 'parameterFormat' | 'name'>, sent: unknown): void {
  const expected = expectedParameters(template);
  const components = Array.isArray(sent) ? sent : [];
  const indexOf = (type: string) => components.findIndex((c) => isObject(c) && String(c['type'] ?? '').toLowerCase() === type);
  const part = (type: 'header' | 'body', want: ExpectedParameters['header']) => {
    const i = indexOf(type);
    const component = i >= 0 ? (components[i] as Json) : undefined;
    const parameters = component && Array.isArray(component['parameters']) ? (component['parameters'] as unknown[]) : [];
    const param = i >= 0 ? `template.components[${i}].parameters` : 'template.components';
    if (parameters.length !== want.count) {
      throw mismatch(
        param,
        `Template '${template.name}' has ${want.count} ${type} placeholder(s); the send gives ${parameters.length} ${type} parameter(s).`,
      );
    }
    if (want.names) {
      const given = parameters.map((p) => (isObject(p) ? p['parameter_name'] : undefined));
      const missingName = want.names.find((n) => !given.includes(n));
      const unknown = given.find((n) => typeof n !== 'string' || !want.names?.includes(n));
      if (missingName !== undefined || unknown !== undefined || new Set(given).size !== given.length) {
        throw mismatch(
          param,
          `Template '${template.name}' takes the named ${type} parameters ${want.names.join(', ')}, each once with its parameter_name.`,
        );
      }
    }
  };
  part('header', expected.header);
  part('body', expected.body);
  components.forEach((c, i) => {
    if (!isObject(c) || String(c['type'] ?? '').toLowerCase() !== 'button' || String(c['sub_type'] ?? '').toLowerCase() !== 'url') return;
    const index = Number(c['index']);
    const want = expected.urlButtons.get(index) ?? 0;
    const given = Array.isArray(c['parameters']) ? c['parameters'].length : 0;
    if (given !== want) {
      throw mismatch(
        `template.components[${i}].parameters`,
        want === 0
          ? `Template '${template.name}' has no URL button with a placeholder at index ${String(c['index'])}.`
          : `The URL button at index ${index} of template '${template.name}' takes ${want} parameter (its URL suffix); the send gives ${given}.`,
      );
    }
  });
  for (const [index] of expected.urlButtons) {
    const sentButton = components.some(
      (c) =>
        isObject(c) &&
        String(c['type'] ?? '').toLowerCase() === 'button' &&
        String(c['sub_type'] ?? '').toLowerCase() === 'url' &&
        Number(c['index']) === index,
    );
    if (!sentButton) {
      throw mismatch(
        'template.components',
        `The URL button at index ${index} of template '${template.name}' needs its suffix parameter (a button component, sub_type url, index ${index}).`,
      );
    }
  }
}

// ------------------------------------------------------------------------------------------ lists

export interface TemplateFilters {
  status?: string;
  name?: string;
  language?: string;
  category?: string;
}

/** `GET …/templates` filters; without `status`, deleted templates are left out (ask `status=deleted` for them). */
export function parseTemplateFilters(raw: {
  status?: string | undefined;
  name?: string | undefined;
  language?: string | undefined;
  category?: string | undefined;
}): TemplateFilters {
  const filters: TemplateFilters = {};
  if (raw.status !== undefined) {
    if (!(TEMPLATE_STATUSES as readonly string[]).includes(raw.status)) {
      throw invalid('status', `'status' must be one of ${TEMPLATE_STATUSES.join(', ')}.`);
    }
    filters.status = raw.status;
  }
  if (raw.name !== undefined) {
    if (!TEMPLATE_NAME.test(raw.name) || raw.name.length > TEMPLATE_LIMITS.name)
      throw invalid('name', "'name' must be a template name (lower-case letters, digits, _).");
    filters.name = raw.name;
  }
  if (raw.language !== undefined) {
    if (!TEMPLATE_LANGUAGE.test(raw.language)) throw invalid('language', "'language' must be a language code such as en_US.");
    filters.language = raw.language;
  }
  if (raw.category !== undefined) {
    if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(raw.category)) {
      throw invalid('category', `'category' must be one of ${TEMPLATE_CATEGORIES.join(', ')}.`);
    }
    filters.category = raw.category;
  }
  return filters;
}
