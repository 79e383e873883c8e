import { AppError } from '@kirim/platform';
import { checkNewTemplate, checkTemplateParameters, parseTemplateFilters, statusFromMeta } from './templates';

const body = (text: string, example?: unknown) => ({ type: 'BODY', text, ...(example !== undefined && { example }) });
const create = (components: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  components,
  ...extra,
});

function refusal(fn: () => unknown): { code: string; param: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, param: error.param };
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('checkNewTemplate', () => {
  it('accepts a positional template with examples, header, footer and buttons', () => {
    const t = checkNewTemplate(
      create([
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-1'] } },
        body('Hi {{1}}, order {{2}} ships {{3}}.', { body_text: [['Budi', 'A-1', 'today']] }),
        { type: 'FOOTER', text: 'Kirim' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Stop' },
            { type: 'URL', text: 'Track', url: 'https://shop.test/t/{{1}}', example: ['https://shop.test/t/A-1'] },
          ],
        },
      ]),
    );
    expect(t).toMatchObject({ name: 'order_update', parameterFormat: 'POSITIONAL', category: 'UTILITY' });
  });

  it('accepts named placeholders with body_text_named_params', () => {
    const t = checkNewTemplate(
      create([body('Hi {{first_name}}, see you.', { body_text_named_params: [{ param_name: 'first_name', example: 'Budi' }] })], {
        parameter_format: 'NAMED',
      }),
    );
    expect(t.parameterFormat).toBe('NAMED');
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['bad name', create([body('Hello.')], { name: 'Order-Update' }), 'invalid_field_value', 'name'],
    ['name too long', create([body('Hello.')], { name: 'a'.repeat(513) }), 'invalid_field_value', 'name'],
    ['bad category', create([body('Hello.')], { category: 'PROMO' }), 'invalid_field_value', 'category'],
    ['two BODYs', create([body('A.'), body('B.')]), 'invalid_field_value', 'components[1].type'],
    ['no BODY', create([{ type: 'FOOTER', text: 'x' }]), 'invalid_field_value', 'components'],
    ['gap {{1}} {{3}}', create([body('A {{1}} and {{3}}.', { body_text: [['a', 'b']] })]), 'invalid_field_value', 'components[0].text'],
    ['missing example', create([body('Hello {{1}}.')]), 'missing_required_field', 'components[0].example.body_text'],
    [
      'example count off',
      create([body('A {{1}} {{2}}.', { body_text: [['a']] })]),
      'invalid_field_value',
      'components[0].example.body_text',
    ],
    ['named in positional', create([body('Hi {{name}}.', { body_text: [['a']] })]), 'invalid_field_value', 'components[0].text'],
    ['ends with placeholder', create([body('Hello {{1}}', { body_text: [['a']] })]), 'invalid_field_value', 'components[0].text'],
    ['body too long', create([body('x'.repeat(1025))]), 'invalid_field_value', 'components[0].text'],
    ['header format', create([{ type: 'HEADER', format: 'GIF' }, body('A.')]), 'invalid_field_value', 'components[0].format'],
    [
      'media header handle',
      create([{ type: 'HEADER', format: 'IMAGE' }, body('A.')]),
      'missing_required_field',
      'components[0].example.header_handle',
    ],
    [
      'header two placeholders',
      create([{ type: 'HEADER', format: 'TEXT', text: '{{1}} {{2}}', example: { header_text: ['a', 'b'] } }, body('A.')]),
      'invalid_field_value',
      'components[0].text',
    ],
    ['footer placeholder', create([body('A.'), { type: 'FOOTER', text: 'x {{1}}' }]), 'invalid_field_value', 'components[1].text'],
    [
      '11 buttons',
      create([body('A.'), { type: 'BUTTONS', buttons: Array.from({ length: 11 }, () => ({ type: 'QUICK_REPLY', text: 'x' })) }]),
      'invalid_field_value',
      'components[1].buttons',
    ],
    [
      '3 URL buttons',
      create([
        body('A.'),
        { type: 'BUTTONS', buttons: Array.from({ length: 3 }, () => ({ type: 'URL', text: 'x', url: 'https://a.test' })) },
      ]),
      'invalid_field_value',
      'components[1].buttons',
    ],
    [
      'button text 26',
      create([body('A.'), { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'x'.repeat(26) }] }]),
      'invalid_field_value',
      'components[1].buttons[0].text',
    ],
    [
      'URL placeholder mid-url',
      create([body('A.'), { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'x', url: 'https://a.test/{{1}}/b', example: ['x'] }] }]),
      'invalid_field_value',
      'components[1].buttons[0].url',
    ],
    [
      'URL example missing',
      create([body('A.'), { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'x', url: 'https://a.test/{{1}}' }] }]),
      'missing_required_field',
      'components[1].buttons[0].example',
    ],
  ])('%s → %s %s', (_name, input, code, param) => {
    expect(refusal(() => checkNewTemplate(input as Parameters<typeof checkNewTemplate>[0]))).toEqual({ code, param });
  });
});

describe('checkTemplateParameters', () => {
  const template = {
    name: 'order_update',
    parameterFormat: 'POSITIONAL' as const,
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
      { type: 'BODY', text: 'Hi {{1}}, order {{2}} ships. Thanks {{1}}!' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Stop' },
          { type: 'URL', text: 'Track', url: 'https://a.test/{{1}}' },
        ],
      },
    ],
  };
  const p = (n: number) => Array.from({ length: n }, () => ({ type: 'text', text: 'x' }));
  const full = [
    { type: 'header', parameters: p(1) },
    { type: 'body', parameters: p(2) },
    { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
    { type: 'button', sub_type: 'url', index: '1', parameters: p(1) },
  ];

  it('accepts one parameter per distinct placeholder; quick replies pass through', () => {
    expect(() => checkTemplateParameters(template, full)).not.toThrow();
  });
  it('body count off by one → template_parameter_mismatch at the body component', () => {
    expect(refusal(() => checkTemplateParameters(template, [full[0], { type: 'body', parameters: p(3) }, full[3]]))).toEqual({
      code: 'template_parameter_mismatch',
      param: 'template.components[1].parameters',
    });
  });
  it('a missing URL suffix, or a header absent → template.components', () => {
    expect(refusal(() => checkTemplateParameters(template, full.slice(0, 2))).param).toBe('template.components');
    expect(refusal(() => checkTemplateParameters(template, full.slice(1))).param).toBe('template.components');
  });
  it('named parameters are matched by parameter_name', () => {
    const named = {
      name: 'n',
      parameterFormat: 'NAMED' as const,
      components: [{ type: 'BODY', text: 'Hi {{first_name}}, {{order}} ok.' }],
    };
    const ok = [
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'order', text: 'A' },
          { type: 'text', parameter_name: 'first_name', text: 'B' },
        ],
      },
    ];
    expect(() => checkTemplateParameters(named, ok)).not.toThrow();
    const wrong = [
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'order', text: 'A' },
          { type: 'text', parameter_name: 'x', text: 'B' },
        ],
      },
    ];
    expect(refusal(() => checkTemplateParameters(named, wrong)).code).toBe('template_parameter_mismatch');
  });
  it('a template without placeholders takes no components', () => {
    expect(() =>
      checkTemplateParameters({ name: 'x', parameterFormat: 'POSITIONAL', components: [{ type: 'BODY', text: 'Hi.' }] }, undefined),
    ).not.toThrow();
  });
});

describe('statuses and filters', () => {
  it('reads Meta statuses in lower case; REINSTATED is approved', () => {
    expect(statusFromMeta('APPROVED')).toBe('approved');
    expect(statusFromMeta('PENDING_DELETION')).toBe('pending_deletion');
    expect(statusFromMeta('REINSTATED')).toBe('approved');
  });
  it('refuses unknown filter values with their param', () => {
    expect(refusal(() => parseTemplateFilters({ status: 'APPROVED' })).param).toBe('status');
    expect(refusal(() => parseTemplateFilters({ category: 'promo' })).param).toBe('category');
    expect(parseTemplateFilters({ status: 'deleted', language: 'en_US' })).toEqual({ status: 'deleted', language: 'en_US' });
  });
});
