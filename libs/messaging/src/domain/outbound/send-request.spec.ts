import { AppError, type ErrorCode } from '@kirim/platform';
import { type OutboundMessageDraft, parseSendRequest, toMetaRequestBody } from './send-request';

const TO = '16505551234';
type Body = Record<string, unknown>;

function draftOf(body: unknown): OutboundMessageDraft {
  const result = parseSendRequest(body);
  if (result.kind !== 'send') throw new Error(`expected a send, got ${result.kind}`);
  return result.draft;
}

function errorOf(body: unknown): AppError {
  try {
    parseSendRequest(body);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`expected a refusal of ${JSON.stringify(body).slice(0, 200)}`);
}

function expectRefused(body: unknown, code: ErrorCode, param: string | undefined): void {
  const error = errorOf(body);
  expect({ code: error.code, param: error.param, status: error.status }).toEqual({ code, param, status: 400 });
}

const a = (n: number) => 'a'.repeat(n);
const textMessage = (text: Body = { body: 'hi' }): Body => ({ to: TO, type: 'text', text });

const button = (id: string, title = id) => ({ type: 'reply', reply: { id, title } });
const buttons = (interactive: Body = {}): Body => ({
  to: TO,
  type: 'interactive',
  interactive: {
    type: 'button',
    body: { text: 'Pick one' },
    action: { buttons: [button('yes'), button('no')] },
    ...interactive,
  },
});
const rows = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }));
const list = (interactive: Body = {}, action: Body = {}): Body => ({
  to: TO,
  type: 'interactive',
  interactive: {
    type: 'list',
    body: { text: 'Choose' },
    action: { button: 'Options', sections: [{ title: 'Section', rows: rows(2) }], ...action },
    ...interactive,
  },
});
const ctaUrl = (interactive: Body = {}, parameters: Body = {}): Body => ({
  to: TO,
  type: 'interactive',
  interactive: {
    type: 'cta_url',
    body: { text: 'See the dates' },
    action: { name: 'cta_url', parameters: { display_text: 'See Dates', url: 'https://example.com/dates', ...parameters } },
    ...interactive,
  },
});
const template = (tpl: Body = {}): Body => ({
  to: TO,
  type: 'template',
  template: { name: 'order_confirmation', language: 'en_US', ...tpl },
});
const reaction = (emoji: unknown): Body => ({
  to: TO,
  type: 'reaction',
  reaction: { message_id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI', emoji },
});

describe('parseSendRequest: one message of each type', () => {
  const contacts = [
    {
      name: { formatted_name: 'Ada Lovelace', first_name: 'Ada', last_name: 'Lovelace' },
      phones: [{ phone: '+44 20 7946 0000', type: 'WORK', wa_id: '442079460000' }],
      emails: [{ email: 'ada@example.com', type: 'WORK' }],
      org: { company: 'Analytical Engines', title: 'Programmer' },
      urls: [{ url: 'https://example.com', type: 'WORK' }],
      addresses: [{ street: '1 Main St', city: 'London', country_code: 'GB', type: 'HOME' }],
      birthday: '1815-12-10',
    },
  ];
  it.each<[string, Body, Partial<OutboundMessageDraft>]>([
    ['text', { to: TO, type: 'text', text: { body: 'Hello', preview_url: true } }, { freeForm: true }],
    ['image', { to: TO, type: 'image', image: { link: 'https://cdn.example.com/a.jpg', caption: 'A photo' } }, {}],
    ['video', { to: TO, type: 'video', video: { id: '1234567890', caption: 'A clip' } }, {}],
    ['audio', { to: TO, type: 'audio', audio: { id: '1234567890' } }, {}],
    [
      'document',
      { to: TO, type: 'document', document: { link: 'https://cdn.example.com/a.pdf', filename: 'a.pdf', caption: 'Invoice' } },
      {},
    ],
    ['sticker', { to: TO, type: 'sticker', sticker: { link: 'https://cdn.example.com/s.webp' } }, {}],
    ['location', { to: TO, type: 'location', location: { latitude: 37.758056, longitude: -122.425332, name: 'HQ', address: '1 Way' } }, {}],
    ['contacts', { to: TO, type: 'contacts', contacts }, {}],
    ['interactive button', buttons({ header: { type: 'text', text: 'Hi' }, footer: { text: 'Thanks' } }), {}],
    ['interactive list', list({ header: { type: 'text', text: 'Menu' }, footer: { text: 'Bye' } }), {}],
    ['interactive cta_url', ctaUrl({ header: { type: 'image', image: { link: 'https://cdn.example.com/h.png' } } }), {}],
    [
      'template',
      template({
        language: { code: 'en_US', policy: 'deterministic' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }],
      }),
      { templateName: 'order_confirmation', templateLanguage: 'en_US', freeForm: false },
    ],
    ['reaction', reaction('👍'), { reactionMessageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI', freeForm: false }],
  ])('%s', (_, body, expected) => {
    const draft = draftOf(body);
    const type = body['type'] as string;
    expect(draft).toEqual({
      to: TO,
      type,
      content: { [type]: body[type] },
      context: null,
      bizOpaqueCallbackData: null,
      metadata: null,
      templateName: null,
      templateLanguage: null,
      reactionMessageId: null,
      freeForm: true,
      ...expected,
    });
  });

  it('takes a body without type as a text message, as Meta does', () => {
    expect(draftOf({ to: TO, text: { body: 'hi' } })).toMatchObject({ type: 'text', content: { text: { body: 'hi' } } });
  });

  it('keeps the envelope fields and the context, biz_opaque_callback_data and metadata', () => {
    const draft = draftOf({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      ...textMessage(),
      context: { message_id: 'wamid.QUOTED' },
      biz_opaque_callback_data: 'order-42',
      metadata: { order: 42, tags: ['a'] },
    });
    expect(draft).toMatchObject({
      context: { message_id: 'wamid.QUOTED' },
      bizOpaqueCallbackData: 'order-42',
      metadata: { order: 42, tags: ['a'] },
    });
  });

  it('takes null metadata as none', () => {
    expect(draftOf({ ...textMessage(), metadata: null }).metadata).toBeNull();
  });

  it("normalizes a template's string language to Meta's {code} in content", () => {
    const draft = draftOf(template({ components: [{ type: 'body' }] }));
    expect(draft.templateLanguage).toBe('en_US');
    expect(draft.content).toEqual({
      template: { name: 'order_confirmation', language: { code: 'en_US' }, components: [{ type: 'body' }] },
    });
  });
});

describe('parseSendRequest: type', () => {
  it.each([['sms'], [''], [1], [null], ['TEXT']])('refuses type %j', (type) => {
    expectRefused({ to: TO, type, text: { body: 'hi' } }, 'invalid_field_value', 'type');
  });

  it.each<[Body, ErrorCode, string]>([
    [{ to: TO, type: 'image' }, 'missing_required_field', 'image'],
    [{ to: TO }, 'missing_required_field', 'text'],
    [{ to: TO, type: 'image', image: { id: '1' }, text: { body: 'hi' } }, 'invalid_field_value', 'text'],
    [{ to: TO, image: { id: '1' } }, 'invalid_field_value', 'image'],
    [{ to: TO, type: 'template', template: { name: 'x', language: 'en' }, reaction: {} }, 'invalid_field_value', 'reaction'],
  ])('wants exactly the object named by type: %j', (body, code, param) => {
    expectRefused(body, code, param);
  });

  it.each<[Body, string]>([
    [{ messaging_product: 'sms' }, 'messaging_product'],
    [{ recipient_type: 'group' }, 'recipient_type'],
  ])('refuses %j', (extra, param) => {
    expectRefused({ ...textMessage(), ...extra }, 'invalid_field_value', param);
  });

  it.each([[[]], ['text'], [null], [42]])('refuses a body that is not a JSON object: %j', (body) => {
    expectRefused(body, 'invalid_field_value', undefined);
  });
});

describe('parseSendRequest: to', () => {
  it.each([
    ['12345678', '12345678'],
    ['123456789012345', '123456789012345'],
    ['+16505551234', TO],
    ['+1 650 555 1234', TO],
    ['1-650-555-1234', TO],
    ['+1 (650) 555-1234', TO],
    ['(1) 650 555 1234', TO],
  ])('takes %j as wa_id %s', (to, waId) => {
    expect(draftOf({ ...textMessage(), to }).to).toBe(waId);
  });

  it.each([
    ['1234567'],
    ['1234567890123456'],
    ['+1234567'],
    ['+1234567890123456'],
    [''],
    ['+'],
    ['06505551234'],
    ['+06505551234'],
    ['16505551234x'],
    ['++16505551234'],
    ['1650+5551234'],
    ['1.650.555.1234'],
    ['١٦٥٠٥٥٥١٢٣٤'],
  ])('refuses %j with invalid_phone_number', (to) => {
    expectRefused({ ...textMessage(), to }, 'invalid_phone_number', 'to');
  });

  it('refuses a number that is not a string, and a missing to', () => {
    expectRefused({ ...textMessage(), to: 16505551234 }, 'invalid_field_value', 'to');
    expectRefused({ type: 'text', text: { body: 'hi' } }, 'missing_required_field', 'to');
  });
});

describe('parseSendRequest: limits, at the limit and one past it', () => {
  const sections = (sizes: number[], titled = true) =>
    sizes.map((size, s) => ({ ...(titled ? { title: `S${s}` } : {}), rows: rows(size, `s${s}r`) }));
  // [what, param, limit, body with a value of size n]
  it.each<[string, string, number, (n: number) => Body]>([
    ['text body', 'text.body', 4096, (n) => textMessage({ body: a(n) })],
    ['text body in emoji (code points)', 'text.body', 4096, (n) => textMessage({ body: '😀'.repeat(n) })],
    ['image caption', 'image.caption', 1024, (n) => ({ to: TO, type: 'image', image: { id: '1', caption: a(n) } })],
    ['video caption', 'video.caption', 1024, (n) => ({ to: TO, type: 'video', video: { id: '1', caption: a(n) } })],
    ['document caption', 'document.caption', 1024, (n) => ({ to: TO, type: 'document', document: { id: '1', caption: a(n) } })],
    ['document filename', 'document.filename', 240, (n) => ({ to: TO, type: 'document', document: { id: '1', filename: a(n) } })],
    ['button body', 'interactive.body.text', 1024, (n) => buttons({ body: { text: a(n) } })],
    ['button count', 'interactive.action.buttons', 3, (n) => buttons({ action: { buttons: rows(n).map((r) => button(r.id)) } })],
    [
      'button title',
      'interactive.action.buttons[1].reply.title',
      20,
      (n) => buttons({ action: { buttons: [button('a'), button('b', a(n))] } }),
    ],
    ['button id', 'interactive.action.buttons[0].reply.id', 256, (n) => buttons({ action: { buttons: [button(a(n), 'A')] } })],
    ['button header text', 'interactive.header.text', 60, (n) => buttons({ header: { type: 'text', text: a(n) } })],
    ['button footer', 'interactive.footer.text', 60, (n) => buttons({ footer: { text: a(n) } })],
    ['list body', 'interactive.body.text', 4096, (n) => list({ body: { text: a(n) } })],
    ['list button label', 'interactive.action.button', 20, (n) => list({}, { button: a(n) })],
    ['list header text', 'interactive.header.text', 60, (n) => list({ header: { type: 'text', text: a(n) } })],
    ['list footer', 'interactive.footer.text', 60, (n) => list({ footer: { text: a(n) } })],
    ['list sections', 'interactive.action.sections', 10, (n) => list({}, { sections: sections(Array<number>(n).fill(1)) })],
    ['rows in one section', 'interactive.action.sections[0].rows', 10, (n) => list({}, { sections: sections([n]) })],
    ['rows in total', 'interactive.action.sections', 10, (n) => list({}, { sections: sections([5, n - 5]) })],
    ['section title', 'interactive.action.sections[0].title', 24, (n) => list({}, { sections: [{ title: a(n), rows: rows(1) }] })],
    ['row id', 'interactive.action.sections[0].rows[0].id', 200, (n) => list({}, { sections: [{ rows: [{ id: a(n), title: 'T' }] }] })],
    [
      'row title',
      'interactive.action.sections[0].rows[0].title',
      24,
      (n) => list({}, { sections: [{ rows: [{ id: 'i', title: a(n) }] }] }),
    ],
    [
      'row description',
      'interactive.action.sections[0].rows[0].description',
      72,
      (n) => list({}, { sections: [{ rows: [{ id: 'i', title: 'T', description: a(n) }] }] }),
    ],
    ['cta_url body', 'interactive.body.text', 1024, (n) => ctaUrl({ body: { text: a(n) } })],
    ['cta_url display_text', 'interactive.action.parameters.display_text', 20, (n) => ctaUrl({}, { display_text: a(n) })],
    [
      'other interactive body',
      'interactive.body.text',
      4096,
      (n) => ({ to: TO, type: 'interactive', interactive: { type: 'flow', body: { text: a(n) } } }),
    ],
    ['template name', 'template.name', 512, (n) => template({ name: a(n) })],
    ['biz_opaque_callback_data', 'biz_opaque_callback_data', 512, (n) => ({ ...textMessage(), biz_opaque_callback_data: a(n) })],
    // {"k":"…"} is 8 bytes around the value.
    ['metadata bytes', 'metadata', 16384, (n) => ({ ...textMessage(), metadata: { k: a(n - 8) } })],
    // 8,188 × 'é' is 16,376 bytes (and only 8,188 characters).
    ['metadata bytes in UTF-8', 'metadata', 16384, (n) => ({ ...textMessage(), metadata: { k: 'é'.repeat(8188) + a(n - 16384) } })],
  ])('%s: %s ≤ %d', (_, param, limit, build) => {
    expect(() => parseSendRequest(build(limit))).not.toThrow();
    expectRefused(build(limit + 1), 'invalid_field_value', param);
  });

  it.each<[string, Body, string]>([
    ['empty text body', textMessage({ body: '' }), 'text.body'],
    ['empty button title', buttons({ action: { buttons: [button('a', '')] } }), 'interactive.action.buttons[0].reply.title'],
    ['empty button id', buttons({ action: { buttons: [button('', 'A')] } }), 'interactive.action.buttons[0].reply.id'],
    ['no buttons', buttons({ action: { buttons: [] } }), 'interactive.action.buttons'],
    ['no sections', list({}, { sections: [] }), 'interactive.action.sections'],
    ['a section without rows', list({}, { sections: [{ title: 'S', rows: [] }] }), 'interactive.action.sections[0].rows'],
    ['empty list button label', list({}, { button: '' }), 'interactive.action.button'],
    ['empty cta display_text', ctaUrl({}, { display_text: '' }), 'interactive.action.parameters.display_text'],
    ['empty template name', template({ name: '' }), 'template.name'],
    ['empty filename', { to: TO, type: 'document', document: { id: '1', filename: '' } }, 'document.filename'],
  ])('refuses %s', (_, body, param) => {
    expectRefused(body, 'invalid_field_value', param);
  });

  const location = (latitude: unknown, longitude: unknown): Body => ({ to: TO, type: 'location', location: { latitude, longitude } });
  it.each([
    [90, 0],
    [-90, 0],
    [0, 180],
    [0, -180],
    [0, 0],
  ])('takes latitude %d, longitude %d', (latitude, longitude) => {
    expect(() => parseSendRequest(location(latitude, longitude))).not.toThrow();
  });
  it.each<[unknown, unknown, string]>([
    [90.0001, 0, 'location.latitude'],
    [-90.0001, 0, 'location.latitude'],
    [0, 180.0001, 'location.longitude'],
    [0, -180.0001, 'location.longitude'],
    ['37.7', 0, 'location.latitude'],
    [0, null, 'location.longitude'],
  ])('refuses latitude %j, longitude %j', (latitude, longitude, param) => {
    expectRefused(location(latitude, longitude), 'invalid_field_value', param);
  });
  it('wants both coordinates', () => {
    expectRefused({ to: TO, type: 'location', location: { latitude: 1 } }, 'missing_required_field', 'location.longitude');
  });
});

describe('parseSendRequest: media', () => {
  const image = (image: Body): Body => ({ to: TO, type: 'image', image });
  it.each<[string, Body, ErrorCode, string]>([
    ['link and id', image({ link: 'https://cdn.example.com/a.jpg', id: '1' }), 'invalid_field_value', 'image'],
    ['neither link nor id', image({ caption: 'x' }), 'missing_required_field', 'image'],
    ['an http link', image({ link: 'http://cdn.example.com/a.jpg' }), 'invalid_field_value', 'image.link'],
    ['a relative link', image({ link: '/a.jpg' }), 'invalid_field_value', 'image.link'],
    ['a link with credentials', image({ link: 'https://u:p@cdn.example.com/a.jpg' }), 'invalid_field_value', 'image.link'],
    ['a link with a space', image({ link: 'https://cdn.example.com/a b.jpg' }), 'invalid_field_value', 'image.link'],
    ['a link that is not a string', image({ link: 42 }), 'invalid_field_value', 'image.link'],
    ['an empty id', image({ id: '' }), 'invalid_field_value', 'image.id'],
    ['a caption on audio', { to: TO, type: 'audio', audio: { id: '1', caption: 'x' } }, 'unknown_field', 'audio.caption'],
    ['a caption on a sticker', { to: TO, type: 'sticker', sticker: { id: '1', caption: 'x' } }, 'unknown_field', 'sticker.caption'],
    ['a filename on an image', image({ id: '1', filename: 'a.jpg' }), 'unknown_field', 'image.filename'],
    ['a media object that is an array', { to: TO, type: 'video', video: [] }, 'invalid_field_value', 'video'],
  ])('refuses %s', (_, body, code, param) => {
    expectRefused(body, code, param);
  });
});

describe('parseSendRequest: interactive', () => {
  it.each<[string, Body, ErrorCode, string]>([
    [
      'duplicate button ids',
      buttons({ action: { buttons: [button('a', 'A'), button('a', 'B')] } }),
      'invalid_field_value',
      'interactive.action.buttons[1].reply.id',
    ],
    [
      'duplicate button titles',
      buttons({ action: { buttons: [button('a', 'A'), button('b', 'B'), button('c', 'A')] } }),
      'invalid_field_value',
      'interactive.action.buttons[2].reply.title',
    ],
    [
      'a button that is not a reply',
      buttons({ action: { buttons: [{ type: 'url', reply: { id: 'a', title: 'A' } }] } }),
      'invalid_field_value',
      'interactive.action.buttons[0].type',
    ],
    [
      'a button without reply',
      buttons({ action: { buttons: [{ type: 'reply' }] } }),
      'missing_required_field',
      'interactive.action.buttons[0].reply',
    ],
    ['a button message without body', buttons({ body: undefined }), 'missing_required_field', 'interactive.body'],
    ['a button message without action', buttons({ action: undefined }), 'missing_required_field', 'interactive.action'],
    ['a header of an unknown type', buttons({ header: { type: 'location' } }), 'invalid_field_value', 'interactive.header.type'],
    ['a header without type', buttons({ header: { text: 'x' } }), 'missing_required_field', 'interactive.header.type'],
    ['an image header without media', buttons({ header: { type: 'image' } }), 'missing_required_field', 'interactive.header.image'],
    [
      'an image header with neither link nor id',
      buttons({ header: { type: 'image', image: {} } }),
      'missing_required_field',
      'interactive.header.image',
    ],
    [
      'an image header by http',
      buttons({ header: { type: 'image', image: { link: 'http://x.example/a.png' } } }),
      'invalid_field_value',
      'interactive.header.image.link',
    ],
    [
      'a list header with an image',
      list({ header: { type: 'image', image: { id: '1' } } }),
      'invalid_field_value',
      'interactive.header.type',
    ],
    [
      'two sections, one untitled',
      list({}, { sections: [{ title: 'A', rows: rows(1, 'a') }, { rows: rows(1, 'b') }] }),
      'missing_required_field',
      'interactive.action.sections[1].title',
    ],
    [
      'a row id repeated across sections',
      list(
        {},
        {
          sections: [
            { title: 'A', rows: rows(2) },
            {
              title: 'B',
              rows: [
                { id: 'x', title: 'X' },
                { id: 'r1', title: 'R' },
              ],
            },
          ],
        },
      ),
      'invalid_field_value',
      'interactive.action.sections[1].rows[1].id',
    ],
    [
      'a row id repeated in a section',
      list(
        {},
        {
          sections: [
            {
              rows: [
                { id: 'x', title: 'X' },
                { id: 'x', title: 'Y' },
              ],
            },
          ],
        },
      ),
      'invalid_field_value',
      'interactive.action.sections[0].rows[1].id',
    ],
    ['a cta_url by http', ctaUrl({}, { url: 'http://example.com' }), 'invalid_field_value', 'interactive.action.parameters.url'],
    ['a cta_url without url', ctaUrl({}, { url: undefined }), 'missing_required_field', 'interactive.action.parameters.url'],
    [
      'a cta_url action of another name',
      ctaUrl({ action: { name: 'flow', parameters: { display_text: 'x', url: 'https://example.com' } } }),
      'invalid_field_value',
      'interactive.action.name',
    ],
    ['an empty interactive type', { to: TO, type: 'interactive', interactive: { type: '' } }, 'invalid_field_value', 'interactive.type'],
    [
      'an interactive type that is not a string',
      { to: TO, type: 'interactive', interactive: { type: 3 } },
      'invalid_field_value',
      'interactive.type',
    ],
    [
      'an interactive without type',
      { to: TO, type: 'interactive', interactive: { body: { text: 'x' } } },
      'missing_required_field',
      'interactive.type',
    ],
    [
      'an other subtype with a body that is not an object',
      { to: TO, type: 'interactive', interactive: { type: 'flow', body: 'x' } },
      'invalid_field_value',
      'interactive.body',
    ],
    [
      'an other subtype with a long footer',
      { to: TO, type: 'interactive', interactive: { type: 'flow', footer: { text: a(61) } } },
      'invalid_field_value',
      'interactive.footer.text',
    ],
    [
      'an other subtype with a header without type',
      { to: TO, type: 'interactive', interactive: { type: 'product', header: { text: 'x' } } },
      'missing_required_field',
      'interactive.header.type',
    ],
    [
      'an other subtype with an action that is not an object',
      { to: TO, type: 'interactive', interactive: { type: 'product', action: [] } },
      'invalid_field_value',
      'interactive.action',
    ],
  ])('refuses %s', (_, body, code, param) => {
    expectRefused(body, code, param);
  });

  it('takes ten rows across sections, and one untitled section', () => {
    const titled = [
      { title: 'A', rows: rows(5, 'a') },
      { title: 'B', rows: rows(5, 'b') },
    ];
    expect(() => parseSendRequest(list({}, { sections: titled }))).not.toThrow();
    expect(() => parseSendRequest(list({}, { sections: [{ rows: rows(3) }] }))).not.toThrow();
  });

  it.each([
    ['image by id', { type: 'image', image: { id: '123' } }],
    ['video by link', { type: 'video', video: { link: 'https://cdn.example.com/v.mp4' } }],
    ['document with a filename', { type: 'document', document: { link: 'https://cdn.example.com/d.pdf', filename: 'd.pdf' } }],
  ])('takes a button header: %s', (_, header) => {
    expect(() => parseSendRequest(buttons({ header }))).not.toThrow();
  });
});

describe('parseSendRequest: pass-through parts are kept exactly', () => {
  const interactive = (value: Body): Body => ({ to: TO, type: 'interactive', interactive: value });
  it.each<[string, Body]>([
    [
      'flow',
      {
        type: 'flow',
        header: { type: 'text', text: 'Flow message header' },
        body: { text: 'Flow message body' },
        footer: { text: 'Flow message footer' },
        action: {
          name: 'flow',
          parameters: {
            flow_message_version: '3',
            flow_token: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.',
            flow_id: '1',
            flow_cta: 'Book!',
            flow_action: 'navigate',
            flow_action_payload: { screen: '<SCREEN_NAME>', data: { product_name: 'name', product_price: 100, nested: [1, { a: null }] } },
            mode: 'draft',
          },
        },
      },
    ],
    ['product', { type: 'product', body: { text: 'Look' }, action: { catalog_id: '1', product_retailer_id: 'SKU-1' } }],
    [
      'product_list',
      {
        type: 'product_list',
        header: { type: 'text', text: 'Catalogue' },
        body: { text: 'Pick' },
        action: { catalog_id: '1', sections: [{ title: 'Top', product_items: [{ product_retailer_id: 'SKU-1' }] }] },
      },
    ],
    [
      'catalog_message',
      {
        type: 'catalog_message',
        body: { text: 'Shop' },
        action: { name: 'catalog_message', parameters: { thumbnail_product_retailer_id: 'SKU-1' } },
      },
    ],
    [
      'order_details',
      {
        type: 'order_details',
        body: { text: 'Your order' },
        action: {
          name: 'review_and_pay',
          parameters: { reference_id: 'r1', type: 'digital-goods', currency: 'INR', total_amount: { value: 21000, offset: 100 } },
        },
      },
    ],
    ['location_request_message', { type: 'location_request_message', body: { text: 'Where are you?' }, action: { name: 'send_location' } }],
    [
      'a subtype Meta adds tomorrow',
      {
        type: 'call_permission_request',
        body: { text: 'May we call?' },
        action: { name: 'call_permission_request' },
        extra: { x: [true] },
      },
    ],
  ])('%s', (_, value) => {
    const copy = JSON.parse(JSON.stringify(value)) as Body;
    const draft = draftOf(interactive(value));
    expect(draft.content).toEqual({ interactive: copy });
    expect(JSON.stringify(draft.content['interactive'])).toBe(JSON.stringify(copy));
  });

  it('keeps template components and unknown contact fields', () => {
    const components = [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/h.jpg' } }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'first_name', text: 'Jessica' },
          { type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } },
        ],
      },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'abc' }] },
      { type: 'carousel', cards: [{ card_index: 0, components: [] }] },
    ];
    const draft = draftOf(template({ language: { code: 'pt_BR' }, components: JSON.parse(JSON.stringify(components)) }));
    expect(draft.content).toEqual({ template: { name: 'order_confirmation', language: { code: 'pt_BR' }, components } });
    const contact = { name: { formatted_name: 'A', nickname: 'x' }, phones: [{ phone: '1', label: 'y' }], future_field: { z: 1 } };
    expect(draftOf({ to: TO, type: 'contacts', contacts: [contact] }).content).toEqual({ contacts: [contact] });
  });

  it.each<[string, Body, string]>([
    [
      'an interactive action',
      interactive(JSON.parse('{"type":"flow","action":{"parameters":{"__proto__":{"polluted":true}}}}') as Body),
      'interactive.action.parameters.__proto__',
    ],
    [
      'a template component',
      template({ components: JSON.parse('[{"type":"body","__proto__":1}]') as unknown[] }),
      'template.components[0].__proto__',
    ],
    ['metadata', { ...textMessage(), metadata: JSON.parse('{"a":[{"__proto__":{}}]}') as Body }, 'metadata.a[0].__proto__'],
    [
      'a contact',
      { to: TO, type: 'contacts', contacts: JSON.parse('[{"name":{"formatted_name":"A"},"__proto__":{}}]') as unknown[] },
      'contacts[0].__proto__',
    ],
  ])('refuses a __proto__ key inside %s', (_, body, param) => {
    expectRefused(body, 'invalid_field_value', param);
  });
});

describe('parseSendRequest: contacts and templates', () => {
  const contacts = (value: unknown): Body => ({ to: TO, type: 'contacts', contacts: value });
  it.each<[string, Body, ErrorCode, string]>([
    ['no contact', contacts([]), 'invalid_field_value', 'contacts'],
    ['contacts that are not an array', contacts({ name: { formatted_name: 'A' } }), 'invalid_field_value', 'contacts'],
    ['a contact without name', contacts([{ phones: [] }]), 'missing_required_field', 'contacts[0].name'],
    [
      'a name without formatted_name',
      contacts([{ name: { first_name: 'A' } }]),
      'missing_required_field',
      'contacts[0].name.formatted_name',
    ],
    ['an empty formatted_name', contacts([{ name: { formatted_name: '' } }]), 'invalid_field_value', 'contacts[0].name.formatted_name'],
    [
      'phones that are not an array',
      contacts([{ name: { formatted_name: 'A' }, phones: {} }]),
      'invalid_field_value',
      'contacts[0].phones',
    ],
    [
      'a phone that is a number',
      contacts([{ name: { formatted_name: 'A' }, phones: [{ phone: 1 }] }]),
      'invalid_field_value',
      'contacts[0].phones[0].phone',
    ],
    [
      'a bad birthday',
      contacts([{ name: { formatted_name: 'A' }, birthday: '10/12/1815' }]),
      'invalid_field_value',
      'contacts[0].birthday',
    ],
    ['a template without name', { to: TO, type: 'template', template: { language: 'en' } }, 'missing_required_field', 'template.name'],
    ['a template without language', { to: TO, type: 'template', template: { name: 'x' } }, 'missing_required_field', 'template.language'],
    ['a language that is no code', template({ language: 'english (US)' }), 'invalid_field_value', 'template.language'],
    ['a language that is a number', template({ language: 1 }), 'invalid_field_value', 'template.language'],
    [
      'a language object without code',
      template({ language: { policy: 'deterministic' } }),
      'missing_required_field',
      'template.language.code',
    ],
    [
      'a language policy other than deterministic',
      template({ language: { code: 'en', policy: 'fallback' } }),
      'invalid_field_value',
      'template.language.policy',
    ],
    ['components that are not an array', template({ components: { type: 'body' } }), 'invalid_field_value', 'template.components'],
    [
      'a component without type',
      template({ components: [{ type: 'body' }, { parameters: [] }] }),
      'missing_required_field',
      'template.components[1].type',
    ],
  ])('refuses %s', (_, body, code, param) => {
    expectRefused(body, code, param);
  });

  it.each([['en'], ['en_US'], ['pt_BR'], ['zh_HK'], ['fil'], ['es_419']])('takes the language code %s', (code) => {
    expect(draftOf(template({ language: code })).templateLanguage).toBe(code);
    expect(draftOf(template({ language: { code } })).templateLanguage).toBe(code);
  });
});

describe('parseSendRequest: reaction emoji', () => {
  it.each([['😀'], ['👍🏽'], ['❤️'], ['❤'], ['🇺🇸'], ['👩‍👩‍👧‍👦'], ['1️⃣'], ['🏴󠁧󠁢󠁳󠁣󠁴󠁿']])('takes %s', (emoji) => {
    expect(draftOf(reaction(emoji)).content).toEqual({ reaction: { message_id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI', emoji } });
  });

  it('takes an empty emoji (removes the reaction)', () => {
    expect(draftOf(reaction('')).reactionMessageId).toBe('wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI');
  });

  it.each([['😀😀'], ['👍👎'], ['a'], ['1'], [':)'], ['😀 '], [' '], ['🇺'], [1], [null]])('refuses %j', (emoji) => {
    expectRefused(reaction(emoji), 'invalid_field_value', 'reaction.emoji');
  });

  it('wants the message_id and the emoji', () => {
    expectRefused({ to: TO, type: 'reaction', reaction: { emoji: '👍' } }, 'missing_required_field', 'reaction.message_id');
    expectRefused({ to: TO, type: 'reaction', reaction: { message_id: 'wamid.X' } }, 'missing_required_field', 'reaction.emoji');
    expectRefused({ to: TO, type: 'reaction', reaction: { message_id: '', emoji: '👍' } }, 'invalid_field_value', 'reaction.message_id');
  });
});

describe('parseSendRequest: context, biz_opaque_callback_data and metadata', () => {
  it.each<[Body, ErrorCode, string]>([
    [{ context: { message_id: '' } }, 'invalid_field_value', 'context.message_id'],
    [{ context: {} }, 'missing_required_field', 'context.message_id'],
    [{ context: 'wamid.X' }, 'invalid_field_value', 'context'],
    [{ context: null }, 'invalid_field_value', 'context'],
    [{ biz_opaque_callback_data: 42 }, 'invalid_field_value', 'biz_opaque_callback_data'],
    [{ metadata: [] }, 'invalid_field_value', 'metadata'],
    [{ metadata: 'x' }, 'invalid_field_value', 'metadata'],
  ])('refuses %j', (extra, code, param) => {
    expectRefused({ ...textMessage(), ...extra }, code, param);
  });
});

describe('parseSendRequest: unknown fields at each level', () => {
  const foo = { foo: 1 };
  const cases: [Body, string][] = [
    [{ ...textMessage(), foo: 1 }, 'foo'],
    [{ ...textMessage(), message_id: 'wamid.X' }, 'message_id'],
    [textMessage({ body: 'hi', ...foo }), 'text.foo'],
    [{ to: TO, type: 'image', image: { id: '1', ...foo } }, 'image.foo'],
    [{ to: TO, type: 'document', document: { id: '1', provider: { name: 'x' } } }, 'document.provider'],
    [{ to: TO, type: 'location', location: { latitude: 1, longitude: 2, ...foo } }, 'location.foo'],
    [{ to: TO, type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍', ...foo } }, 'reaction.foo'],
    [{ ...textMessage(), context: { message_id: 'wamid.X', ...foo } }, 'context.foo'],
    [buttons(foo), 'interactive.foo'],
    [buttons({ header: { type: 'text', text: 'x', ...foo } }), 'interactive.header.foo'],
    [buttons({ header: { type: 'image', image: { id: '1', caption: 'x' } } }), 'interactive.header.image.caption'],
    [buttons({ body: { text: 'x', ...foo } }), 'interactive.body.foo'],
    [buttons({ footer: { text: 'x', ...foo } }), 'interactive.footer.foo'],
    [buttons({ action: { buttons: [button('a')], ...foo } }), 'interactive.action.foo'],
    [buttons({ action: { buttons: [button('a'), { ...button('b'), ...foo }] } }), 'interactive.action.buttons[1].foo'],
    [
      buttons({ action: { buttons: [button('a'), { type: 'reply', reply: { id: 'b', title: 'B', ...foo } }] } }),
      'interactive.action.buttons[1].reply.foo',
    ],
    [list(foo), 'interactive.foo'],
    [list({}, foo), 'interactive.action.foo'],
    [list({}, { sections: [{ title: 'S', rows: rows(1), ...foo }] }), 'interactive.action.sections[0].foo'],
    [list({}, { sections: [{ title: 'S', rows: [{ id: 'a', title: 'A', ...foo }] }] }), 'interactive.action.sections[0].rows[0].foo'],
    [ctaUrl(foo), 'interactive.foo'],
    [ctaUrl({}, foo), 'interactive.action.parameters.foo'],
    [template(foo), 'template.foo'],
    [template({ language: { code: 'en', ...foo } }), 'template.language.foo'],
  ];
  it.each(cases.map(([body, param]) => [param, body] as const))('refuses %s', (param, body) => {
    expectRefused(body, 'unknown_field', param);
  });
});

describe('parseSendRequest: mark as read', () => {
  const read = (extra: Body = {}): Body => ({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN', ...extra });
  it('answers a mark-as-read request, with and without the typing indicator', () => {
    expect(parseSendRequest(read())).toEqual({ kind: 'mark_read', messageId: 'wamid.IN', typingIndicator: false });
    expect(parseSendRequest(read({ typing_indicator: { type: 'text' } }))).toEqual({
      kind: 'mark_read',
      messageId: 'wamid.IN',
      typingIndicator: true,
    });
    expect(parseSendRequest({ status: 'read', message_id: 'wamid.IN' })).toMatchObject({ kind: 'mark_read' });
  });

  it.each<[Body, ErrorCode, string]>([
    [read({ status: 'delivered' }), 'invalid_field_value', 'status'],
    [read({ message_id: undefined }), 'missing_required_field', 'message_id'],
    [read({ message_id: '' }), 'invalid_field_value', 'message_id'],
    [read({ messaging_product: 'sms' }), 'invalid_field_value', 'messaging_product'],
    [read({ typing_indicator: { type: 'audio' } }), 'invalid_field_value', 'typing_indicator.type'],
    [read({ typing_indicator: true }), 'invalid_field_value', 'typing_indicator'],
    [read({ typing_indicator: { type: 'text', foo: 1 } }), 'unknown_field', 'typing_indicator.foo'],
    [read({ to: TO }), 'unknown_field', 'to'],
    [read({ foo: 1 }), 'unknown_field', 'foo'],
  ])('refuses %j', (body, code, param) => {
    expectRefused(body, code, param);
  });
});

describe('toMetaRequestBody', () => {
  it('is the envelope, the payload, and the optional context and biz_opaque_callback_data', () => {
    const draft = draftOf({
      ...textMessage({ body: 'Hello', preview_url: false }),
      context: { message_id: 'wamid.Q' },
      biz_opaque_callback_data: 'cb',
      metadata: { m: 1 },
    });
    expect(toMetaRequestBody(draft)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: `+${TO}`,
      type: 'text',
      text: { body: 'Hello', preview_url: false },
      context: { message_id: 'wamid.Q' },
      biz_opaque_callback_data: 'cb',
    });
  });

  it('leaves out what the draft does not have, and sends a template language as {code}', () => {
    const body = toMetaRequestBody(draftOf(template({ components: [{ type: 'body' }] })));
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: `+${TO}`,
      type: 'template',
      template: { name: 'order_confirmation', language: { code: 'en_US' }, components: [{ type: 'body' }] },
    });
    expect(Object.keys(body)).toEqual(['messaging_product', 'recipient_type', 'to', 'type', 'template']);
  });

  it('works on a stored draft (content round-tripped through JSON)', () => {
    const draft = draftOf(reaction('🎉'));
    const stored = JSON.parse(JSON.stringify(draft)) as OutboundMessageDraft;
    expect(toMetaRequestBody(stored)).toEqual(toMetaRequestBody(draft));
    expect(toMetaRequestBody(stored)['reaction']).toEqual({ message_id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI', emoji: '🎉' });
  });

  it('refuses a draft whose content lacks its type', () => {
    expect(() => toMetaRequestBody({ to: TO, type: 'image', content: { text: {} }, context: null, bizOpaqueCallbackData: null })).toThrow(
      AppError,
    );
  });
});
