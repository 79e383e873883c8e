import type { SandboxTemplate } from '../../state/messaging-model';
import { GraphError } from '../core/graph-error';
import { isObject, type TemplateRef } from './message-validation';

/** `{{1}}`, `{{ first_name }}`: the distinct placeholders of a text. */
export function placeholders(text: unknown): number {
  if (typeof text !== 'string') return 0;
  return new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1])).size;
}

interface Expected {
  header: number;
  body: number;
  /** Button index → parameters it needs (URL buttons with a placeholder). */
  buttons: Map<number, number>;
}

function expectedParameters(template: SandboxTemplate): Expected {
  const expected: Expected = { header: 0, body: 0, buttons: new Map() };
  for (const component of template.components) {
    const type = String(component['type'] ?? '').toUpperCase();
    if (type === 'HEADER') {
      const format = String(component['format'] ?? 'TEXT').toUpperCase();
      expected.header =
        format === 'TEXT' ? placeholders(component['text']) : ['IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'].includes(format) ? 1 : 0;
    } else if (type === 'BODY') {
      expected.body = placeholders(component['text']);
    } else if (type === 'BUTTONS' && Array.isArray(component['buttons'])) {
      component['buttons'].forEach((button: unknown, index: number) => {
        if (isObject(button) && String(button['type'] ?? '').toUpperCase() === 'URL' && placeholders(button['url']) > 0) {
          expected.buttons.set(index, placeholders(button['url']));
        }
      });
    }
  }
  return expected;
}

const mismatch = (where: string, sent: number, wanted: number) =>
  GraphError.fromCode(132000, {
    details: `${where}: number of localizable_params (${sent}) does not match the expected number of params (${wanted})`,
  });

/**
 * A send of a template the sandbox knows: right language, sendable status, and as many parameters
 * as the template has placeholders (header, body, URL buttons). Quick-reply payloads, copy codes,
 * flows and catalogs are not placeholders and are not counted.
 */
export function checkKnownTemplate(sent: TemplateRef, candidates: readonly SandboxTemplate[]): SandboxTemplate {
  const template = candidates.find((t) => t.language === sent.language);
  if (!template) {
    throw GraphError.fromCode(132001, { details: `template name (${sent.name}) does not exist in ${sent.language}` });
  }
  if (template.status === 'PAUSED') throw GraphError.fromCode(132015, { details: `Template ${sent.name} is paused due to low quality.` });
  if (template.status === 'DISABLED')
    throw GraphError.fromCode(132016, { details: `Template ${sent.name} has been disabled due to low quality.` });
  if (template.status !== 'APPROVED' && template.status !== 'REINSTATED') {
    throw GraphError.fromCode(132001, {
      details: `template name (${sent.name}) does not exist in ${sent.language} (status ${template.status})`,
    });
  }
  const expected = expectedParameters(template);
  const count = (type: string, index?: number) =>
    sent.components
      .filter(
        (c) =>
          String(c['type'] ?? '').toLowerCase() === type &&
          (index === undefined || (String(c['sub_type'] ?? '').toLowerCase() === 'url' && Number(c['index']) === index)),
      )
      .reduce((sum, c) => sum + (Array.isArray(c['parameters']) ? c['parameters'].length : 0), 0);
  const header = count('header');
  if (header !== expected.header) throw mismatch('header', header, expected.header);
  const body = count('body');
  if (body !== expected.body) throw mismatch('body', body, expected.body);
  for (const [index, wanted] of expected.buttons) {
    const sentCount = count('button', index);
    if (sentCount !== wanted) throw mismatch(`button at index ${index}`, sentCount, wanted);
  }
  return template;
}
