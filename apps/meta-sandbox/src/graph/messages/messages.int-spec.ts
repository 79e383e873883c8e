import { expectGraphError, Sandbox, V } from '../../test/harness';

const IMAGE = 'https://cdn.example.com/a.jpg';

/** One valid body per message type (Meta's shapes, reference §3.3). */
export const VALID_SENDS: Record<string, Record<string, unknown>> = {
  text: { to: '+62 812-3456-7890', type: 'text', text: { body: 'Halo!', preview_url: false } },
  'text without type': { to: '6281234567890', text: { body: 'type defaults to text' } },
  image: { to: '6281234567890', type: 'image', image: { link: IMAGE, caption: 'A photo' } },
  'image by id': { to: '6281234567890', type: 'image', image: { id: '1013859600285441' } },
  video: { to: '6281234567890', type: 'video', video: { id: '1166846181421424', caption: 'clip' } },
  audio: { to: '6281234567890', type: 'audio', audio: { link: 'https://cdn.example.com/a.ogg' } },
  document: {
    to: '6281234567890',
    type: 'document',
    document: { link: 'https://cdn.example.com/i.pdf', filename: 'invoice.pdf', caption: 'Your invoice' },
  },
  sticker: { to: '6281234567890', type: 'sticker', sticker: { id: '798882015472548' } },
  location: {
    to: '6281234567890',
    type: 'location',
    location: { latitude: 37.758056, longitude: -122.425332, name: 'META HQ', address: '1 Hacker Way' },
  },
  contacts: {
    to: '6281234567890',
    type: 'contacts',
    contacts: [
      {
        name: { formatted_name: 'Budi Santoso', first_name: 'Budi' },
        phones: [{ phone: '+62 812 0000 0001', type: 'CELL', wa_id: '6281200000001' }],
        emails: [{ email: 'budi@example.com', type: 'WORK' }],
        org: { company: 'Kirim' },
      },
    ],
  },
  reaction: {
    to: '6281234567890',
    type: 'reaction',
    reaction: { message_id: 'wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=', emoji: '👍' },
  },
  'reaction removal': { to: '6281234567890', type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '' } },
  'interactive button': {
    to: '6281234567890',
    type: 'interactive',
    interactive: {
      type: 'button',
      header: { type: 'text', text: 'Your order' },
      body: { text: 'Confirm the delivery?' },
      footer: { text: 'Reply within 24h' },
      action: {
        buttons: [
          { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
          { type: 'reply', reply: { id: 'no', title: 'No' } },
        ],
      },
    },
  },
  'interactive button with image header': {
    to: '6281234567890',
    type: 'interactive',
    interactive: {
      type: 'button',
      header: { type: 'image', image: { link: IMAGE } },
      body: { text: 'Like it?' },
      action: { buttons: [{ type: 'reply', reply: { id: 'like', title: '👍' } }] },
    },
  },
  'interactive list': {
    to: '6281234567890',
    type: 'interactive',
    interactive: {
      type: 'list',
      header: { type: 'text', text: 'Menu' },
      body: { text: 'Pick a slot' },
      action: {
        button: 'Slots',
        sections: [
          { title: 'Morning', rows: [{ id: 'm1', title: '09:00', description: 'Early bird' }] },
          { title: 'Afternoon', rows: [{ id: 'a1', title: '14:00' }] },
        ],
      },
    },
  },
  'interactive cta_url': {
    to: '6281234567890',
    type: 'interactive',
    interactive: {
      type: 'cta_url',
      body: { text: 'Tap to see the dates' },
      action: { name: 'cta_url', parameters: { display_text: 'See Dates', url: 'https://example.com/dates' } },
    },
  },
  'interactive flow (passed through)': {
    to: '6281234567890',
    type: 'interactive',
    interactive: {
      type: 'flow',
      body: { text: 'Book now' },
      action: {
        name: 'flow',
        parameters: { flow_message_version: '3', flow_token: 't', flow_id: '123', flow_cta: 'Open', flow_action: 'navigate' },
      },
    },
  },
  'interactive product_list (passed through)': {
    to: '6281234567890',
    type: 'interactive',
    interactive: {
      type: 'product_list',
      header: { type: 'text', text: 'Shop' },
      body: { text: 'Our picks' },
      action: { catalog_id: '1', sections: [] },
    },
  },
  template: {
    to: '6281234567890',
    type: 'template',
    template: {
      name: 'order_confirmation',
      language: { code: 'en_US', policy: 'deterministic' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: IMAGE } }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Jessica' },
            { type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } },
            { type: 'date_time', date_time: { fallback_value: 'February 25, 1977' } },
          ],
        },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
        { type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: 'abc' }] },
      ],
    },
  },
  'text reply with context': { to: '6281234567890', type: 'text', text: { body: 'Quoted' }, context: { message_id: 'wamid.quoted' } },
  'with biz_opaque_callback_data': {
    to: '6281234567890',
    recipient_type: 'individual',
    text: { body: 'x' },
    biz_opaque_callback_data: 'order-42',
  },
};

describe('POST /{phone_number_id}/messages', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it.each(Object.entries(VALID_SENDS))("accepts %s with Meta's answer and records it", async (_name, body) => {
    const f = await sandbox.sendable();
    const res = await sandbox.send(f, body).expect(200);
    const to = body['to'] as string;
    expect(res.body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to.replace(/\D/g, '') }],
      messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/=]+$/) }],
    });
    const wamid = res.body.messages[0].id as string;
    const recorded = await sandbox.http.get(`/_sandbox/messages/${encodeURIComponent(wamid)}`).expect(200);
    expect(recorded.body).toMatchObject({
      direction: 'outbound',
      wamid,
      phone_number_id: f.phone_number.id,
      waba_id: f.waba.id,
      to,
      wa_id: to.replace(/\D/g, ''),
      type: (body['type'] as string | undefined) ?? 'text',
      body: { messaging_product: 'whatsapp', ...body },
      received_at: new Date(sandbox.clock.now()).toISOString(),
      graph_version: 'v25.0',
    });
  });

  it("builds wamids like Meta's: base64 of the user's number and a hex id", async () => {
    const f = await sandbox.sendable();
    const res = await sandbox.send(f, { to: '16505551234', text: { body: 'hi' } }).expect(200);
    const decoded = Buffer.from((res.body.messages[0].id as string).slice('wamid.'.length), 'base64');
    expect(decoded.subarray(0, 3)).toEqual(Buffer.from([0x1c, 0x18, 11]));
    expect(decoded.subarray(3, 14).toString()).toBe('16505551234');
    expect(decoded.subarray(-19, -1).toString()).toMatch(/^[0-9A-F]{18}$/);
    const again = await sandbox.send(f, { to: '16505551234', text: { body: 'hi' } }).expect(200);
    expect(again.body.messages[0].id).not.toBe(res.body.messages[0].id);
  });

  it('lists what it received through the control API, with filters and totals', async () => {
    const f = await sandbox.sendable();
    const g = await sandbox.sendable();
    await sandbox.send(f, { to: '6281111111111', text: { body: 'one' } }).expect(200);
    await sandbox.send(f, { to: '6282222222222', type: 'image', image: { link: IMAGE } }).expect(200);
    await sandbox.send(g, { to: '6281111111111', text: { body: 'three' } }).expect(200);
    const all = await sandbox.http.get('/_sandbox/messages').expect(200);
    expect(all.body.data.map((m: { body: { text?: { body: string } } }) => m.body.text?.body ?? 'image')).toEqual([
      'one',
      'image',
      'three',
    ]);
    expect(all.body.totals).toEqual({ outbound: 3, inbound: 0, read_marks: 0 });
    const mine = await sandbox.http.get('/_sandbox/messages').query({ phone_number_id: f.phone_number.id, type: 'text' }).expect(200);
    expect(mine.body.data).toHaveLength(1);
    const toUser = await sandbox.http.get('/_sandbox/messages').query({ wa_id: '+62 811-1111-1111' }).expect(200);
    expect(toUser.body.data).toHaveLength(2);
    const last = await sandbox.http.get('/_sandbox/messages').query({ limit: 1 }).expect(200);
    expect(last.body.data[0].phone_number_id).toBe(g.phone_number.id);
    await sandbox.http.get('/_sandbox/messages/wamid.unknown').expect(404);
    await sandbox.http.delete('/_sandbox/messages').expect(200);
    expect((await sandbox.http.get('/_sandbox/messages')).body.data).toEqual([]);
  });

  it('names the endpoint "messages" in the request log', async () => {
    const f = await sandbox.sendable();
    await sandbox.send(f, { to: '6281234567890', text: { body: 'x' } }).expect(200);
    const log = await sandbox.http.get('/_sandbox/requests').query({ endpoint: 'messages' }).expect(200);
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({ method: 'POST', status: 200, body: { to: '6281234567890' } });
  });

  describe("Meta's token and object checks", () => {
    it('answers 190 (HTTP 401) without or with a bad token', async () => {
      const f = await sandbox.sendable();
      const body = { messaging_product: 'whatsapp', to: '6281234567890', text: { body: 'x' } };
      expectGraphError(await sandbox.http.post(`${V}/${f.phone_number.id}/messages`).send(body), 190, 401);
      expectGraphError(
        await sandbox.http.post(`${V}/${f.phone_number.id}/messages`).auth('EAAnope', { type: 'bearer' }).send(body),
        190,
        401,
      );
      await sandbox.http.post('/_sandbox/tokens/revoke').send({ access_token: f.token }).expect(200);
      expectGraphError(await sandbox.send(f, body), 190, 401, 458);
      expect((await sandbox.http.get('/_sandbox/messages')).body.data).toEqual([]);
    });

    it("answers the permission error (200, HTTP 403) for another WABA's number, 100/33 for an unknown one", async () => {
      const mine = await sandbox.sendable();
      const theirs = await sandbox.sendable();
      expectGraphError(await sandbox.send({ ...theirs, token: mine.token }, { to: '6281234567890', text: { body: 'x' } }), 200, 403);
      const res = await sandbox.send(
        { phone_number: { id: '123456789012345' }, token: mine.token },
        { to: '6281234567890', text: { body: 'x' } },
      );
      expect(expectGraphError(res, 100, 400, 33).message).toMatch(/^\(#100\) Unsupported post request/);
      const onWaba = await sandbox.send(
        { phone_number: { id: mine.waba.id }, token: mine.token },
        { to: '6281234567890', text: { body: 'x' } },
      );
      expect(expectGraphError(onWaba, 100, 400).message).toBe(
        '(#100) Tried accessing nonexisting field (messages) on node type (WhatsAppBusinessAccount)',
      );
    });

    it('answers 133010 for a number not registered for Cloud API (unless turned off)', async () => {
      const f = await sandbox.onboarded();
      const error = expectGraphError(await sandbox.send(f, { to: '6281234567890', text: { body: 'x' } }), 133010, 400);
      expect(error.message).toBe('(#133010) Phone number Not Registered');
      await sandbox.http.put('/_sandbox/messaging_behaviour').send({ require_registration: false }).expect(200);
      await sandbox.send(f, { to: '6281234567890', text: { body: 'x' } }).expect(200);
      await sandbox.http.put('/_sandbox/messaging_behaviour').send({ require_registration: true }).expect(200);
      await sandbox.http.post(`/_sandbox/phone_numbers/${f.phone_number.id}/register`).expect(200);
      await sandbox.send(f, { to: '6281234567890', text: { body: 'x' } }).expect(200);
    });

    it('refuses a send to the number itself with 131021', async () => {
      const f = await sandbox.sendable({ display_phone_number: '+62 811-0000-0001' });
      expectGraphError(await sandbox.send(f, { to: '6281100000001', text: { body: 'x' } }), 131021, 400);
    });
  });

  describe('mark as read', () => {
    it('answers {success: true} and records the call', async () => {
      const f = await sandbox.sendable();
      const res = await sandbox.send(f, { status: 'read', message_id: 'wamid.inbound1' }).expect(200);
      expect(res.body).toEqual({ success: true });
      await sandbox
        .send(f, { status: 'read', message_id: 'wamid.inbound2', typing_indicator: { type: 'text' } })
        .expect(200, { success: true });
      const marks = await sandbox.http.get('/_sandbox/read_marks').query({ phone_number_id: f.phone_number.id }).expect(200);
      expect(marks.body.data).toEqual([
        {
          message_id: 'wamid.inbound1',
          phone_number_id: f.phone_number.id,
          typing_indicator: null,
          known: false,
          received_at: expect.any(String),
        },
        {
          message_id: 'wamid.inbound2',
          phone_number_id: f.phone_number.id,
          typing_indicator: { type: 'text' },
          known: false,
          received_at: expect.any(String),
        },
      ]);
      expect((await sandbox.http.get('/_sandbox/messages')).body.data).toEqual([]);
    });

    it.each([
      ['status other than read', { status: 'delivered', message_id: 'wamid.x' }, 100],
      ['no message_id', { status: 'read' }, 100],
      ['another key', { status: 'read', message_id: 'wamid.x', to: '6281234567890' }, 100],
      ['a bad typing indicator', { status: 'read', message_id: 'wamid.x', typing_indicator: { type: 'audio' } }, 100],
    ])('refuses %s', async (_name, body, code) => {
      const f = await sandbox.sendable();
      expectGraphError(await sandbox.send(f, body), code, 400);
    });
  });
});
