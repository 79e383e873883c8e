import { TEMPLATE_CATEGORIES, type TemplateCategory } from '../../state/messaging-model';
import { GraphError, GraphErrors } from '../core/graph-error';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface TemplateCreateRequest {
  name: string;
  language: string;
  category: TemplateCategory;
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: Json[];
}

const NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(?:_[A-Za-z]{2,4})?$/;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const KNOWN_KEYS = new Set([
  'name',
  'language',
  'category',
  'components',
  'parameter_format',
  'allow_category_change',
  'message_send_ttl_seconds',
  'sub_category',
]);

const invalid = (details: string) => GraphErrors.invalidParameter(details);

/** The placeholders of a text, in order of appearance (`{{1}}` → `1`, `{{first_name}}` → `first_name`). */
export function placeholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/**
 * Checks a text's placeholders against the template's parameter format and its example: positional
 * ones numbered from 1 without gaps, named ones lower-case; as many example values as placeholders.
 */
function checkPlaceholders(where: string, text: string, format: 'POSITIONAL' | 'NAMED', examples: number | null): void {
  const names = placeholderNames(text);
  if (names.length === 0) return;
  const distinct = [...new Set(names)];
  if (format === 'POSITIONAL') {
    if (distinct.some((n) => !/^\d+$/.test(n))) {
      throw invalid(
        `${where}: positional templates use numbered variables {{1}}, {{2}}, … (got {{${distinct.find((n) => !/^\d+$/.test(n))}}}).`,
      );
    }
    const numbers = distinct.map(Number).sort((a, b) => a - b);
    if (numbers.some((n, i) => n !== i + 1)) {
      throw invalid(
        `${where}: variables must be numbered in sequence starting at {{1}} (got ${numbers.map((n) => `{{${n}}}`).join(', ')}).`,
      );
    }
  } else if (distinct.some((n) => !/^[a-z][a-z0-9_]*$/.test(n))) {
    throw invalid(
      `${where}: named variables are lower-case letters, digits and underscores (got {{${distinct.find((n) => !/^[a-z][a-z0-9_]*$/.test(n))}}}).`,
    );
  }
  if (examples === null) throw invalid(`${where}: a sample value is required for every variable (example).`);
  if (examples !== distinct.length) {
    throw invalid(`${where}: ${distinct.length} variable(s) but ${examples} sample value(s) in example.`);
  }
}

function exampleCount(example: unknown, positionalKey: string, namedKey: string, format: 'POSITIONAL' | 'NAMED'): number | null {
  if (!isObject(example)) return null;
  if (format === 'NAMED') {
    const named = example[namedKey];
    return Array.isArray(named) ? named.length : null;
  }
  const values = example[positionalKey];
  if (!Array.isArray(values)) return null;
  // body_text is [["a", "b"]]; header_text is ["a"].
  return Array.isArray(values[0]) ? (values[0] as unknown[]).length : values.length;
}

/**
 * `POST /{waba_id}/message_templates` body (reference §4), checked as Meta does at creation: the name
 * (lower-case, digits, `_`, ≤ 512), language, category, and the components (exactly one BODY ≤ 1,024 —
 * optional text for AUTHENTICATION —, HEADER ≤ 60 with at most one variable, FOOTER ≤ 60 without
 * variables, ≤ 10 buttons), variables and their examples. Errors are Meta's 100 "Invalid parameter"
 * with the reason in `error_data.details`.
 */
export function validateTemplateCreate(body: unknown): TemplateCreateRequest {
  if (!isObject(body)) throw invalid('The request body must be a JSON object.');
  const unknown = Object.keys(body).find((k) => !KNOWN_KEYS.has(k) && k !== 'access_token');
  if (unknown !== undefined)
    throw new GraphError(100, `Invalid parameter`, { details: `Unexpected key "${unknown}" on param "message_templates".` });
  const name = body['name'];
  if (name === undefined) throw GraphErrors.missingParameter('name');
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid('name: Message template names can only contain lowercase alphanumeric characters and underscores, up to 512 characters.');
  }
  const language = body['language'];
  if (language === undefined) throw GraphErrors.missingParameter('language');
  if (typeof language !== 'string' || !LANGUAGE.test(language))
    throw invalid(`language: "${String(language)}" is not a supported language code.`);
  const category = body['category'];
  if (category === undefined) throw GraphErrors.missingParameter('category');
  const upper = typeof category === 'string' ? category.toUpperCase() : '';
  if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(upper)) {
    throw invalid(`Param category must be one of {${TEMPLATE_CATEGORIES.join(', ')}} - got "${String(category)}".`);
  }
  const rawFormat = body['parameter_format'];
  const formatUpper = typeof rawFormat === 'string' ? rawFormat.toUpperCase() : rawFormat === undefined ? 'POSITIONAL' : '';
  if (formatUpper !== 'POSITIONAL' && formatUpper !== 'NAMED') throw invalid('Param parameter_format must be one of {NAMED, POSITIONAL}.');
  const format = formatUpper as 'POSITIONAL' | 'NAMED';
  const components = body['components'];
  if (components === undefined) throw GraphErrors.missingParameter('components');
  if (!Array.isArray(components) || components.length === 0 || !components.every(isObject)) {
    throw invalid('components must be a non-empty array of objects.');
  }
  const count = (type: string) => components.filter((c) => String(c['type'] ?? '').toUpperCase() === type).length;
  if (count('BODY') !== 1) throw invalid(`components: a template has exactly one BODY component (got ${count('BODY')}).`);
  for (const type of ['HEADER', 'FOOTER', 'BUTTONS']) {
    if (count(type) > 1) throw invalid(`components: at most one ${type} component.`);
  }
  components.forEach((component, i) => checkComponent(component, i, format, upper as TemplateCategory));
  return { name, language, category: upper as TemplateCategory, parameter_format: format, components: components as Json[] };
}

function checkComponent(c: Json, i: number, format: 'POSITIONAL' | 'NAMED', category: TemplateCategory): void {
  const type = String(c['type'] ?? '').toUpperCase();
  const where = `components[${i}]`;
  const text = c['text'];
  if (type === 'BODY') {
    if (text === undefined && category === 'AUTHENTICATION') return;
    if (typeof text !== 'string' || text.length === 0 || text.length > 1024)
      throw invalid(`${where}: BODY text is required, 1-1024 characters.`);
    checkPlaceholders(where, text, format, exampleCount(c['example'], 'body_text', 'body_text_named_params', format));
    const trimmed = text.trim();
    if (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}$/.test(trimmed)) {
      throw invalid(`${where}: variables can't be at the start or end of the template.`);
    }
  } else if (type === 'HEADER') {
    const headerFormat = String(c['format'] ?? '').toUpperCase();
    if (!['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'].includes(headerFormat)) {
      throw invalid(`${where}: HEADER format must be one of {TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION}.`);
    }
    if (headerFormat === 'TEXT') {
      if (typeof text !== 'string' || text.length === 0 || text.length > 60)
        throw invalid(`${where}: HEADER text is required, 1-60 characters.`);
      if (new Set(placeholderNames(text)).size > 1) throw invalid(`${where}: a HEADER has at most one variable.`);
      checkPlaceholders(where, text, format, exampleCount(c['example'], 'header_text', 'header_text_named_params', format));
    } else if (headerFormat !== 'LOCATION') {
      const handles = isObject(c['example']) ? c['example']['header_handle'] : undefined;
      if (!Array.isArray(handles) || handles.length === 0) throw invalid(`${where}: a media HEADER needs example.header_handle.`);
    }
  } else if (type === 'FOOTER') {
    if (typeof text !== 'string' || text.length === 0 || text.length > 60)
      throw invalid(`${where}: FOOTER text is required, 1-60 characters.`);
    if (placeholderNames(text).length > 0) throw invalid(`${where}: a FOOTER has no variables.`);
  } else if (type === 'BUTTONS') {
    const buttons = c['buttons'];
    if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 10) throw invalid(`${where}: BUTTONS has 1-10 buttons.`);
    buttons.forEach((button: unknown, j: number) => {
      if (!isObject(button)) throw invalid(`${where}.buttons[${j}] must be an object.`);
      const buttonType = String(button['type'] ?? '').toUpperCase();
      if (buttonType === 'URL') {
        const url = button['url'];
        if (typeof url !== 'string' || !/^https?:\/\//.test(url))
          throw invalid(`${where}.buttons[${j}]: a URL button needs an http(s) url.`);
        const names = placeholderNames(url);
        if (names.length > 1 || (names.length === 1 && !/\{\{\s*1\s*\}\}$/.test(url))) {
          throw invalid(`${where}.buttons[${j}]: a URL button has at most one variable, {{1}}, at the end of the url.`);
        }
        if (names.length === 1 && (!Array.isArray(button['example']) || button['example'].length === 0)) {
          throw invalid(`${where}.buttons[${j}]: a URL with a variable needs an example.`);
        }
      }
    });
  }
}
