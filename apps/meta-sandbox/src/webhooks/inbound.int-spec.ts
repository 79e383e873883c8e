import { APP_SECRET, Sandbox } from '../test/harness';
import { expectedSignature, WebhookReceiver } from '../test/webhook-receiver';

const USER = '6281234567890';

/** One input per inbound type, and what Meta's message object must contain for it. */
const TYPES: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['text', { type: 'text', text: { body: 'Does it come in red?' } }, { text: { body: 'Does it come in red?' } }],
  ['text shorthand', { type: 'text', text: 'hi' }, { type: 'text', text: { body: 'hi' } }],
  [
    'image',
    { type: 'image', image: { caption: 'look' } },
    { image: { caption: 'look', mime_type: 'image/jpeg', sha256: expect.any(String), id: expect.stringMatching(/^\d+$/) } },
  ],
  ['video', { type: 'video', video: { id: '555' } }, { video: { mime_type: 'video/mp4', sha256: expect.any(String), id: '555' } }],
  [
    'audio',
    { type: 'audio', audio: { voice: true } },
    { audio: { voice: true, mime_type: 'audio/ogg; codecs=opus', sha256: expect.any(String), id: expect.any(String) } },
  ],
  [
    'document',
    { type: 'document', document: { filename: 'a.pdf', mime_type: 'application/pdf' } },
    { document: { filename: 'a.pdf', mime_type: 'application/pdf', sha256: expect.any(String), id: expect.any(String) } },
  ],
  [
    'sticker',
    { type: 'sticker' },
    { sticker: { mime_type: 'image/webp', sha256: expect.any(String), id: expect.any(String), animated: false } },
  ],
  [
    'location',
    { type: 'location', location: { latitude: -6.2, longitude: 106.8, name: 'Monas' } },
    { location: { latitude: -6.2, longitude: 106.8, name: 'Monas' } },
  ],
  [
    'contacts',
    { type: 'contacts', contacts: [{ name: { formatted_name: 'Ani' }, phones: [{ phone: '+62 811', wa_id: '62811', type: 'CELL' }] }] },
    { contacts: [{ name: { formatted_name: 'Ani' }, phones: [{ phone: '+62 811', wa_id: '62811', type: 'CELL' }] }] },
  ],
  [
    'button_reply',
    { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } } },
    { interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } } },
  ],
  [
    'list_reply',
    { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'm1', title: '09:00', description: 'Early' } } },
    { interactive: { type: 'list_reply', list_reply: { id: 'm1', title: '09:00', description: 'Early' } } },
  ],
  [
    'button',
    { type: 'button', button: { payload: 'STOP', text: 'Stop' }, context: { message_id: 'wamid.template' } },
    { button: { payload: 'STOP', text: 'Stop' }, context: { from: expect.any(String), id: 'wamid.template' } },
  ],
  [
    'reaction',
    { type: 'reaction', reaction: { message_id: 'wamid.sent', emoji: '❤️' } },
    { reaction: { message_id: 'wamid.sent', emoji: '❤️' } },
  ],
  [
    'order',
    {
      type: 'order',
      order: {
        catalog_id: 'c1',
        text: 'pls',
        product_items: [{ product_retailer_id: 'p1', quantity: 2, item_price: 10, currency: 'USD' }],
      },
    },
    {
      order: {
        catalog_id: 'c1',
        text: 'pls',
        product_items: [{ product_retailer_id: 'p1', quantity: 2, item_price: 10, currency: 'USD' }],
      },
    },
  ],
  [
    'system',
    { type: 'system', system: { wa_id: '6289999999999' } },
    { system: { body: expect.any(String), type: 'user_changed_number', wa_id: '6289999999999' } },
  ],
  [
    'unsupported',
    { type: 'unsupported' },
    {
      errors: [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          error_data: { details: 'Message type is currently not supported.' },
        },
      ],
    },
  ],
  ['unknown', { type: 'unknown' }, { type: 'unknown', errors: [expect.objectContaining({ code: 131051 })] }],
];

describe('injected inbound messages and other webhooks', () => {
  let sandbox: Sandbox;
  let receiver: WebhookReceiver;
  let f: Awaited<ReturnType<Sandbox['sendable']>>;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    sandbox = await Sandbox.start({ META_SANDBOX_WEBHOOK_URL: receiver.url });
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await sandbox.reset();
    receiver.clear();
    f = await sandbox.sendable({ display_phone_number: '+1 555-010-4242' });
  });

  const inject = (messages: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
    sandbox.http.post('/_sandbox/webhooks/inbound').send({ phone_number_id: f.phone_number.id, messages, ...extra });

  it.each(TYPES)('builds a %s message as Meta does, signed, and answers with what it posted', async (_name, input, expected) => {
    const res = await inject([{ from: USER, profile_name: 'Sheena Nelson', ...input }]).expect(201);
    const post = receiver.received[0];
    expect(receiver.received).toHaveLength(1);
    expect(post?.headers['x-hub-signature-256']).toBe(expectedSignature(post?.raw ?? '', APP_SECRET));
    expect(res.body.payloads).toEqual([post?.body]);
    const value = post?.body.entry[0]?.changes[0]?.value;
    expect(post?.body.entry[0]?.id).toBe(f.waba.id);
    expect(post?.body.entry[0]?.time).toBeUndefined();
    expect(post?.body.entry[0]?.changes[0]?.field).toBe('messages');
    expect(value).toMatchObject({
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550104242', phone_number_id: f.phone_number.id },
    });
    if (input['type'] === 'system') expect(value?.['contacts']).toBeUndefined();
    else expect(value?.['contacts']).toEqual([{ profile: { name: 'Sheena Nelson' }, wa_id: USER }]);
    const [message] = value?.messages ?? [];
    expect(message).toEqual({
      from: USER,
      id: expect.stringMatching(/^wamid\./),
      timestamp: String(Math.floor(sandbox.clock.now() / 1000)),
      type: input['type'],
      ...expected,
    });
    expect(res.body.messages).toEqual([
      { wamid: message?.['id'], from: USER, type: input['type'], delivery_id: expect.stringMatching(/^whd_/) },
    ]);
    expect(res.body.deliveries).toEqual([
      {
        id: res.body.messages[0].delivery_id,
        state: 'delivered',
        url: receiver.url,
        http_status: 200,
        error: null,
        attempts: 1,
        change_count: 1,
      },
    ]);
  });

  it('keeps context, referral, explicit ids and timestamps', async () => {
    await inject([
      {
        from: '+62 812-3456-7890',
        type: 'text',
        text: { body: 'About this' },
        id: 'wamid.mine',
        timestamp: 1700000000,
        context: { message_id: 'wamid.quoted', referred_product: { catalog_id: 'c', product_retailer_id: 'p' } },
        referral: { source_url: 'https://fb.me/ad', source_type: 'ad', ctwa_clid: 'clid' },
      },
    ]).expect(201);
    expect(receiver.messages()[0]).toEqual({
      context: { from: '15550104242', id: 'wamid.quoted', referred_product: { catalog_id: 'c', product_retailer_id: 'p' } },
      from: USER,
      id: 'wamid.mine',
      timestamp: '1700000000',
      type: 'text',
      text: { body: 'About this' },
      referral: { source_url: 'https://fb.me/ad', source_type: 'ad', ctwa_clid: 'clid' },
    });
  });

  it('batches: batch_size changes per POST, messages_per_change messages per change', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      from: `62812000000${String(i).padStart(2, '0')}`,
      type: 'text',
      text: { body: `m${i}` },
    }));
    const res = await inject(many, { batch_size: 10 }).expect(201);
    expect(receiver.received.map((r) => r.body.entry[0]?.changes.length)).toEqual([10, 10, 5]);
    expect(res.body.deliveries.map((d: { change_count: number }) => d.change_count)).toEqual([10, 10, 5]);
    expect(receiver.messages().map((m) => (m['text'] as { body: string }).body)).toEqual(many.map((m) => m.text.body));
    expect(res.body.messages).toHaveLength(25);

    receiver.clear();
    await inject(
      [
        { from: USER, type: 'text', text: 'a' },
        { from: USER, type: 'text', text: 'b' },
        { from: '6289876543210', type: 'text', text: 'c' },
      ],
      { messages_per_change: 3 },
    ).expect(201);
    const value = receiver.received[0]?.body.entry[0]?.changes[0]?.value;
    expect(value?.messages).toHaveLength(3);
    expect(value?.['contacts']).toEqual([expect.objectContaining({ wa_id: USER }), expect.objectContaining({ wa_id: '6289876543210' })]);

    const thousand = Array.from({ length: 1000 }, (_, i) => ({ from: USER, type: 'text', text: `x${i}` }));
    receiver.clear();
    await inject(thousand, { batch_size: 1000 }).expect(201);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.body.entry[0]?.changes).toHaveLength(1000);
  });

  it('records injected messages (direction inbound) and knows them when marked read', async () => {
    const res = await inject([{ from: USER, type: 'text', text: 'hi' }]).expect(201);
    const wamid = res.body.messages[0].wamid as string;
    const listed = await sandbox.http.get('/_sandbox/messages').query({ direction: 'inbound' }).expect(200);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ direction: 'inbound', wamid, from: USER, phone_number_id: f.phone_number.id, type: 'text' }),
    ]);
    await sandbox.send(f, { status: 'read', message_id: wamid }).expect(200);
    expect((await sandbox.http.get('/_sandbox/read_marks')).body.data[0]).toMatchObject({ message_id: wamid, known: true });
  });

  it('signs with a wrong secret or not at all when asked, and reports a refusing callback', async () => {
    receiver.answerWith(401);
    await sandbox.webhooksTo(receiver.url, { retry_delays_ms: [] });
    const res = await inject([{ from: USER, type: 'text', text: 'x' }], { signature: 'invalid' }).expect(201);
    expect(receiver.received[0]?.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(receiver.received[0]?.headers['x-hub-signature-256']).not.toBe(expectedSignature(receiver.received[0]?.raw ?? '', APP_SECRET));
    expect(res.body.deliveries[0]).toMatchObject({ state: 'failed', http_status: 401 });
    receiver.clear();
    await inject([{ from: USER, type: 'text', text: 'x' }], { signature: 'none' }).expect(201);
    expect(receiver.received[0]?.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('answers without waiting when wait is false', async () => {
    receiver.slowDown(300);
    const started = Date.now();
    const res = await inject([{ from: USER, type: 'text', text: 'x' }], { wait: false }).expect(201);
    expect(Date.now() - started).toBeLessThan(250);
    expect(res.body.deliveries[0].state).toBe('pending');
    await sandbox.drain();
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses bad input with 400', async () => {
    await inject([{ from: 'nobody', type: 'text', text: 'x' }]).expect(400);
    await inject([{ from: USER, type: 'call', call: {} }]).expect(400);
    await inject([{ from: USER, type: 'text' }]).expect(400);
    await inject([{ from: USER, type: 'location', location: { latitude: 'north' } }]).expect(400);
    await inject([]).expect(400);
    await inject([{ from: USER, type: 'text', text: 'x' }], { batch_size: 1001 }).expect(400);
    await sandbox.http
      .post('/_sandbox/webhooks/inbound')
      .send({ phone_number_id: '123', messages: [{ from: USER, type: 'text', text: 'x' }] })
      .expect(404);
    expect(receiver.received).toEqual([]);
  });

  it('posts raw payloads: exact bytes, any JSON (unknown numbers, groups), to the callback or a URL', async () => {
    const body =
      '{"object":"whatsapp_business_account","entry":[{"id":"999","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"000000000000000"},"messages":[]},"field":"messages"}]}]}';
    const exact = await sandbox.http.post('/_sandbox/webhooks/raw').send({ body }).expect(201);
    expect(receiver.received[0]?.raw).toBe(body);
    expect(receiver.received[0]?.headers['x-hub-signature-256']).toBe(expectedSignature(body, APP_SECRET));
    expect(exact.body.delivery).toMatchObject({ state: 'delivered', http_status: 200 });

    const group = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: f.waba.id,
          changes: [{ field: 'messages', value: { messages: [{ from: USER, group_id: 'g1', type: 'text', text: { body: 'hé' } }] } }],
        },
      ],
    };
    const res = await sandbox.http.post('/_sandbox/webhooks/raw').send({ payload: group }).expect(201);
    expect(res.body.payload).toEqual(group);
    expect(receiver.received[1]?.raw).toContain('"h\\u00e9"');
    expect(receiver.received[1]?.body).toEqual(group);

    const other = await WebhookReceiver.start('/elsewhere');
    try {
      await sandbox.http
        .post('/_sandbox/webhooks/raw')
        .send({ payload: { hello: 'world' }, url: other.url, signature: 'none' })
        .expect(201);
      expect(other.received[0]?.body).toEqual({ hello: 'world' });
    } finally {
      await other.close();
    }
    await sandbox.http.post('/_sandbox/webhooks/raw').send({}).expect(400);
  });

  it('posts template status updates and updates a known template', async () => {
    const template = await sandbox.http
      .post('/_sandbox/templates')
      .send({ waba_id: f.waba.id, name: 'order_confirmation', language: 'en_US', status: 'PENDING', category: 'UTILITY' })
      .expect(201);
    const res = await sandbox.http
      .post('/_sandbox/webhooks/template_status')
      .send({ template_id: template.body.id, event: 'APPROVED' })
      .expect(201);
    const time = Math.floor(sandbox.clock.now() / 1000);
    expect(receiver.received[0]?.body).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: f.waba.id,
          time,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'APPROVED',
                message_template_id: Number(template.body.id),
                message_template_name: 'order_confirmation',
                message_template_language: 'en_US',
                reason: 'NONE',
                message_template_category: 'UTILITY',
              },
            },
          ],
        },
      ],
    });
    expect(res.body.delivery.state).toBe('delivered');
    expect((await sandbox.http.get('/_sandbox/templates')).body.data[0].status).toBe('APPROVED');

    // PATCH with notify posts the change too.
    receiver.clear();
    await sandbox.http.patch(`/_sandbox/templates/${template.body.id}`).send({ status: 'PAUSED', notify: true }).expect(200);
    expect(receiver.received[0]?.body.entry[0]?.changes[0]?.value['event']).toBe('PAUSED');

    receiver.clear();
    await sandbox.http
      .post('/_sandbox/webhooks/template_status')
      .send({
        waba_id: f.waba.id,
        event: 'REJECTED',
        message_template_id: '1689556908129832',
        message_template_name: 'promo',
        message_template_language: 'id',
        rejection_info: { reason: 'PROMOTIONAL', recommendation: 'Use MARKETING' },
      })
      .expect(201);
    expect(receiver.received[0]?.body.entry[0]?.changes[0]?.value).toEqual({
      event: 'REJECTED',
      message_template_id: 1689556908129832,
      message_template_name: 'promo',
      message_template_language: 'id',
      reason: 'INVALID_FORMAT',
      rejection_info: { reason: 'PROMOTIONAL', recommendation: 'Use MARKETING' },
    });
    await sandbox.http.post('/_sandbox/webhooks/template_status').send({ event: 'APPROVED' }).expect(400);
  });

  it('posts account updates and any other field', async () => {
    await sandbox.http.post('/_sandbox/webhooks/account_update').send({ waba_id: f.waba.id, event: 'PARTNER_APP_INSTALLED' }).expect(201);
    const installed = receiver.received[0]?.body.entry[0];
    expect(installed).toEqual({
      id: f.waba.id,
      time: expect.any(Number),
      changes: [
        {
          field: 'account_update',
          value: {
            event: 'PARTNER_APP_INSTALLED',
            waba_info: { waba_id: f.waba.id, owner_business_id: f.business.id, partner_app_id: sandbox.config.appId },
          },
        },
      ],
    });
    await sandbox.http
      .post('/_sandbox/webhooks/account_update')
      .send({
        waba_id: f.waba.id,
        event: 'DISABLED_UPDATE',
        value: { ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: '2026-06-01' } },
      })
      .expect(201);
    expect(receiver.received[1]?.body.entry[0]?.changes[0]?.value).toEqual({
      event: 'DISABLED_UPDATE',
      ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: '2026-06-01' },
    });
    await sandbox.http
      .post('/_sandbox/webhooks/change')
      .send({
        waba_id: f.waba.id,
        field: 'phone_number_quality_update',
        value: { display_phone_number: '15550104242', event: 'THROUGHPUT_UPGRADE', current_limit: 'TIER_UNLIMITED' },
      })
      .expect(201);
    expect(receiver.received[2]?.body.entry[0]?.changes[0]).toEqual({
      field: 'phone_number_quality_update',
      value: { display_phone_number: '15550104242', event: 'THROUGHPUT_UPGRADE', current_limit: 'TIER_UNLIMITED' },
    });
    const kinds = (await sandbox.http.get('/_sandbox/webhooks/deliveries')).body.data.map((d: { kind: string }) => d.kind);
    expect(kinds).toEqual(['account_update', 'account_update', 'change']);
  });
});
