import { expectGraphError, Sandbox } from '../../test/harness';

const TO = '6281234567890';
const button = (id: string, title: string) => ({ type: 'reply', reply: { id, title } });
const interactive = (value: Record<string, unknown>) => ({ to: TO, type: 'interactive', interactive: value });
const buttons = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  interactive({ type: 'button', body: { text: 'Pick one' }, action, ...extra });
const list = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  interactive({ type: 'list', body: { text: 'Pick one' }, action, ...extra });
const rows = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }));

/** [case, body, Meta code, HTTP status, text the message or details must contain]. */
const INVALID: [string, Record<string, unknown>, number, number, string][] = [
  // envelope
  ['no messaging_product', { to: TO, text: { body: 'x' }, messaging_product: undefined }, 100, 400, 'messaging_product'],
  ['messaging_product sms', { messaging_product: 'sms', to: TO, text: { body: 'x' } }, 100, 400, 'messaging_product'],
  ['no to', { text: { body: 'x' } }, 100, 400, 'The parameter to is required'],
  ['to not a phone number', { to: 'call me', text: { body: 'x' } }, 100, 400, 'not a valid WhatsApp phone number'],
  ['to too short', { to: '+62 812', text: { body: 'x' } }, 100, 400, 'not a valid WhatsApp phone number'],
  ['unknown type', { to: TO, type: 'carrier_pigeon', carrier_pigeon: {} }, 100, 400, 'Param type must be one of {TEXT'],
  ['bad recipient_type', { to: TO, recipient_type: 'everyone', text: { body: 'x' } }, 100, 400, 'recipient_type'],
  [
    'unexpected top-level key',
    { to: TO, text: { body: 'x' }, metadata: { a: 1 } },
    100,
    400,
    'Unexpected key "metadata" on param "message"',
  ],
  [
    'biz_opaque_callback_data over 512',
    { to: TO, text: { body: 'x' }, biz_opaque_callback_data: 'x'.repeat(513) },
    100,
    400,
    'at most 512',
  ],
  ['context without message_id', { to: TO, text: { body: 'x' }, context: {} }, 100, 400, "context['message_id']"],
  [
    'context with another key',
    { to: TO, text: { body: 'x' }, context: { message_id: 'wamid.x', from: '1' } },
    100,
    400,
    'Unexpected key "from"',
  ],
  // text
  ['type text without text', { to: TO, type: 'text' }, 100, 400, 'The parameter text is required'],
  ['text not an object', { to: TO, text: 'hello' }, 100, 400, 'must be a JSON object'],
  ['text without body', { to: TO, text: { preview_url: true } }, 100, 400, "text['body'] is required"],
  ['empty body', { to: TO, text: { body: '' } }, 100, 400, "text['body'] is required"],
  ['body over 4096', { to: TO, text: { body: 'x'.repeat(4097) } }, 100, 400, "Param text['body'] must be at most 4096 characters long."],
  ['preview_url not boolean', { to: TO, text: { body: 'x', preview_url: 'yes' } }, 100, 400, 'boolean'],
  ['misspelt preview_url', { to: TO, text: { body: 'x', previewUrl: true } }, 100, 400, 'Unexpected key "previewUrl" on param "text".'],
  // media
  ['image without id or link', { to: TO, type: 'image', image: { caption: 'x' } }, 131008, 400, "image['id'] or image['link']"],
  ['image with id and link', { to: TO, type: 'image', image: { id: '1', link: 'https://a/b.jpg' } }, 100, 400, 'not both'],
  ['image link not a URL', { to: TO, type: 'image', image: { link: 'ftp://a/b.jpg' } }, 100, 400, 'valid http(s) URL'],
  ['caption over 1024', { to: TO, type: 'video', video: { id: '1', caption: 'x'.repeat(1025) } }, 100, 400, 'at most 1024'],
  [
    'audio with caption',
    { to: TO, type: 'audio', audio: { id: '1', caption: 'x' } },
    100,
    400,
    'Unexpected key "caption" on param "audio".',
  ],
  ['sticker with caption', { to: TO, type: 'sticker', sticker: { id: '1', caption: 'x' } }, 100, 400, 'Unexpected key "caption"'],
  ['image with filename', { to: TO, type: 'image', image: { id: '1', filename: 'a.jpg' } }, 100, 400, 'Unexpected key "filename"'],
  ['filename over 240', { to: TO, type: 'document', document: { id: '1', filename: `${'x'.repeat(241)}` } }, 100, 400, 'at most 240'],
  // location
  ['location without latitude', { to: TO, type: 'location', location: { longitude: 1 } }, 100, 400, "location['latitude']"],
  ['latitude out of range', { to: TO, type: 'location', location: { latitude: 91, longitude: 1 } }, 100, 400, 'between -90 and 90'],
  ['longitude not a number', { to: TO, type: 'location', location: { latitude: 1, longitude: 'east' } }, 100, 400, 'must be a number'],
  // contacts
  ['contacts not an array', { to: TO, type: 'contacts', contacts: { name: {} } }, 100, 400, 'must be an array'],
  ['contacts empty', { to: TO, type: 'contacts', contacts: [] }, 100, 400, 'at least 1'],
  [
    'contact without formatted_name',
    { to: TO, type: 'contacts', contacts: [{ name: { first_name: 'A' } }] },
    100,
    400,
    "contacts[0]['name']['formatted_name']",
  ],
  // reaction
  ['reaction without message_id', { to: TO, type: 'reaction', reaction: { emoji: '👍' } }, 100, 400, "reaction['message_id']"],
  ['reaction without emoji', { to: TO, type: 'reaction', reaction: { message_id: 'wamid.x' } }, 100, 400, "reaction['emoji']"],
  [
    'reaction with two emoji',
    { to: TO, type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍👍' } },
    131009,
    400,
    'single emoji',
  ],
  ['reaction with text', { to: TO, type: 'reaction', reaction: { message_id: 'wamid.x', emoji: 'ok' } }, 131009, 400, 'single emoji'],
  // interactive
  ['interactive without type', interactive({ body: { text: 'x' } }), 131008, 400, "interactive['type']"],
  ['buttons without body', interactive({ type: 'button', action: { buttons: [button('a', 'A')] } }), 131008, 400, "interactive['body']"],
  ['button body over 1024', buttons({ buttons: [button('a', 'A')] }, { body: { text: 'x'.repeat(1025) } }), 131009, 400, 'at most 1024'],
  ['no buttons', buttons({ buttons: [] }), 131009, 400, 'at least 1'],
  [
    'four buttons',
    buttons({ buttons: [button('a', 'A'), button('b', 'B'), button('c', 'C'), button('d', 'D')] }),
    131009,
    400,
    'at most 3',
  ],
  ['button title over 20', buttons({ buttons: [button('a', 'x'.repeat(21))] }), 131009, 400, "['reply']['title'] must be at most 20"],
  ['button id over 256', buttons({ buttons: [button('x'.repeat(257), 'A')] }), 131009, 400, "['reply']['id'] must be at most 256"],
  ['duplicate button ids', buttons({ buttons: [button('a', 'A'), button('a', 'B')] }), 131009, 400, 'Duplicate button id'],
  ['duplicate button titles', buttons({ buttons: [button('a', 'A'), button('b', 'A')] }), 131009, 400, 'Duplicate button title'],
  [
    'button type url',
    buttons({ buttons: [{ type: 'url', reply: { id: 'a', title: 'A' } }] }),
    131009,
    400,
    "['type'] must be one of {reply}",
  ],
  ['footer over 60', buttons({ buttons: [button('a', 'A')] }, { footer: { text: 'x'.repeat(61) } }), 131009, 400, 'at most 60'],
  [
    'header text over 60',
    buttons({ buttons: [button('a', 'A')] }, { header: { type: 'text', text: 'x'.repeat(61) } }),
    131009,
    400,
    'at most 60',
  ],
  [
    'header of type audio',
    buttons({ buttons: [button('a', 'A')] }, { header: { type: 'audio', audio: { id: '1' } } }),
    131009,
    400,
    'Unexpected key "audio"',
  ],
  [
    'image header without media',
    buttons({ buttons: [button('a', 'A')] }, { header: { type: 'image' } }),
    131008,
    400,
    "['header']['image']",
  ],
  ['list without button label', list({ sections: [{ rows: rows(1) }] }), 131008, 400, "['action']['button']"],
  ['list button label over 20', list({ button: 'x'.repeat(21), sections: [{ rows: rows(1) }] }), 131009, 400, 'at most 20'],
  [
    'list with 11 sections',
    list({ button: 'B', sections: Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: rows(1, `s${i}-`) })) }),
    131009,
    400,
    'at most 10',
  ],
  [
    'list with 11 rows in total',
    list({
      button: 'B',
      sections: [
        { title: 'A', rows: rows(6, 'a') },
        { title: 'B', rows: rows(5, 'b') },
      ],
    }),
    131009,
    400,
    'Total row count exceeded',
  ],
  ['list row title over 24', list({ button: 'B', sections: [{ rows: [{ id: 'a', title: 'x'.repeat(25) }] }] }), 131009, 400, 'at most 24'],
  [
    'list row description over 72',
    list({ button: 'B', sections: [{ rows: [{ id: 'a', title: 'A', description: 'x'.repeat(73) }] }] }),
    131009,
    400,
    'at most 72',
  ],
  ['list row id over 200', list({ button: 'B', sections: [{ rows: [{ id: 'x'.repeat(201), title: 'A' }] }] }), 131009, 400, 'at most 200'],
  [
    'duplicate row ids',
    list({
      button: 'B',
      sections: [
        { title: 'A', rows: rows(1) },
        { title: 'B', rows: rows(1) },
      ],
    }),
    131009,
    400,
    'Duplicate row id',
  ],
  [
    'two sections, one without title',
    list({ button: 'B', sections: [{ rows: rows(1, 'a') }, { title: 'B', rows: rows(1, 'b') }] }),
    131008,
    400,
    "sections'][0]['title']",
  ],
  ['list section title over 24', list({ button: 'B', sections: [{ title: 'x'.repeat(25), rows: rows(1) }] }), 131009, 400, 'at most 24'],
  [
    'list with an image header',
    list({ button: 'B', sections: [{ rows: rows(1) }] }, { header: { type: 'image', image: { id: '1' } } }),
    131009,
    400,
    'Unexpected key "image"',
  ],
  [
    'list body over 4096',
    list({ button: 'B', sections: [{ rows: rows(1) }] }, { body: { text: 'x'.repeat(4097) } }),
    131009,
    400,
    'at most 4096',
  ],
  [
    'cta_url without url',
    interactive({ type: 'cta_url', body: { text: 'x' }, action: { name: 'cta_url', parameters: { display_text: 'Go' } } }),
    131008,
    400,
    "['parameters']['url']",
  ],
  [
    'cta_url with a bad url',
    interactive({
      type: 'cta_url',
      body: { text: 'x' },
      action: { name: 'cta_url', parameters: { display_text: 'Go', url: 'not a url' } },
    }),
    131009,
    400,
    'valid http(s) URL',
  ],
  [
    'cta_url display_text over 20',
    interactive({
      type: 'cta_url',
      body: { text: 'x' },
      action: { name: 'cta_url', parameters: { display_text: 'x'.repeat(21), url: 'https://a.b' } },
    }),
    131009,
    400,
    'at most 20',
  ],
  [
    'cta_url with another action name',
    interactive({ type: 'cta_url', body: { text: 'x' }, action: { name: 'link', parameters: { display_text: 'Go', url: 'https://a.b' } } }),
    131009,
    400,
    '{cta_url}',
  ],
  // template
  ['template without name', { to: TO, type: 'template', template: { language: { code: 'en_US' } } }, 100, 400, "template['name']"],
  ['template without language', { to: TO, type: 'template', template: { name: 'hello' } }, 100, 400, "template['language']"],
  [
    'template language as a string',
    { to: TO, type: 'template', template: { name: 'hello', language: 'en_US' } },
    100,
    400,
    "Param template['language'] must be a JSON object.",
  ],
  [
    'template language with policystring',
    { to: TO, type: 'template', template: { name: 'hello', language: { code: 'en', policystring: 'deterministic' } } },
    100,
    400,
    'Unexpected key "policystring" on param "template[\'language\']".',
  ],
  [
    'template component of unknown type',
    { to: TO, type: 'template', template: { name: 'h', language: { code: 'en' }, components: [{ type: 'sidebar' }] } },
    100,
    400,
    'sidebar',
  ],
  [
    'button component without index',
    {
      to: TO,
      type: 'template',
      template: { name: 'h', language: { code: 'en' }, components: [{ type: 'button', sub_type: 'url', parameters: [] }] },
    },
    100,
    400,
    'index',
  ],
  [
    'text parameter without text',
    {
      to: TO,
      type: 'template',
      template: { name: 'h', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text' }] }] },
    },
    100,
    400,
    "parameters'][0]['text']",
  ],
  [
    'currency parameter without amount',
    {
      to: TO,
      type: 'template',
      template: {
        name: 'h',
        language: { code: 'en' },
        components: [{ type: 'body', parameters: [{ type: 'currency', currency: { fallback_value: '$1', code: 'USD' } }] }],
      },
    },
    100,
    400,
    'amount_1000',
  ],
];

describe("Meta's validation of message sends", () => {
  let sandbox: Sandbox;
  let f: Awaited<ReturnType<Sandbox['sendable']>>;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
    f = await sandbox.sendable();
  });
  afterAll(() => sandbox.close());

  it.each(INVALID)('refuses %s', async (_name, body, code, status, text) => {
    const res = await sandbox.send(f, body);
    const error = expectGraphError(res, code, status);
    expect(`${error.message} ${error.error_data?.details ?? ''}`).toContain(text);
    if (code !== 100) expect(error.error_data).toEqual({ messaging_product: 'whatsapp', details: expect.any(String) });
  });

  it('records none of the refused sends', async () => {
    const res = await sandbox.http.get('/_sandbox/messages').expect(200);
    expect(res.body.data).toEqual([]);
  });

  it('accepts the limits themselves', async () => {
    const ok = [
      { to: TO, text: { body: 'x'.repeat(4096) } },
      buttons({ buttons: [button('a', 'x'.repeat(20)), button('b', 'B'), button('c', 'C')] }, { footer: { text: 'x'.repeat(60) } }),
      list({
        button: 'x'.repeat(20),
        sections: [
          { title: 'x'.repeat(24), rows: rows(5, 'a') },
          { title: 'B', rows: rows(5, 'b') },
        ],
      }),
      { to: TO, type: 'location', location: { latitude: '-90', longitude: 180 } },
      { to: TO, type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '🇮🇩' } },
      { to: TO, type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍🏽' } },
      { to: '+1 (650) 555-1234', text: { body: 'brackets, dashes and spaces' } },
    ];
    for (const body of ok) await sandbox.send(f, body).expect(200);
  });
});
