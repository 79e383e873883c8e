import { expectGraphError, Sandbox } from '../../test/harness';

const COMPONENTS = [
  { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
  { type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships {{3}}. Thanks {{1}}!' },
  { type: 'FOOTER', text: 'Kirim' },
  {
    type: 'BUTTONS',
    buttons: [
      { type: 'QUICK_REPLY', text: 'Stop' },
      { type: 'URL', text: 'Track', url: 'https://kirim.test/track/{{1}}' },
    ],
  },
];

const params = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'text', text: `v${i}` }));
const templateSend = (components: unknown[], name = 'order_update', code = 'en_US') => ({
  to: '6281234567890',
  type: 'template',
  template: { name, language: { code }, components },
});
const complete = [
  { type: 'header', parameters: params(1) },
  { type: 'body', parameters: params(3) },
  { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
  { type: 'button', sub_type: 'url', index: '1', parameters: params(1) },
];

describe('template sends against the templates the sandbox knows', () => {
  let sandbox: Sandbox;
  let f: Awaited<ReturnType<Sandbox['sendable']>>;
  let templateId: string;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await sandbox.reset();
    f = await sandbox.sendable();
    const created = await sandbox.http
      .post('/_sandbox/templates')
      .send({ waba_id: f.waba.id, name: 'order_update', language: 'en_US', category: 'UTILITY', components: COMPONENTS })
      .expect(201);
    templateId = created.body.id;
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
    });
  });

  it('accepts a send with one parameter per placeholder (header, body, URL button)', async () => {
    await sandbox.send(f, templateSend(complete)).expect(200);
  });

  it.each([
    [
      'body',
      [complete[0], { type: 'body', parameters: params(2) }, complete[3]],
      'body: number of localizable_params (2) does not match the expected number of params (3)',
    ],
    [
      'header',
      [{ type: 'body', parameters: params(3) }, complete[3]],
      'header: number of localizable_params (0) does not match the expected number of params (1)',
    ],
    [
      'URL button',
      [complete[0], complete[1]],
      'button at index 1: number of localizable_params (0) does not match the expected number of params (1)',
    ],
  ])('answers 132000 for a %s parameter count mismatch', async (_name, components, details) => {
    const error = expectGraphError(await sandbox.send(f, templateSend(components)), 132000, 400);
    expect(error.error_data?.details).toBe(details);
  });

  it('answers 132001 (HTTP 404) for another language or a template not approved', async () => {
    expectGraphError(await sandbox.send(f, templateSend(complete, 'order_update', 'id')), 132001, 404);
    await sandbox.http.patch(`/_sandbox/templates/${templateId}`).send({ status: 'PENDING' }).expect(200);
    expectGraphError(await sandbox.send(f, templateSend(complete)), 132001, 404);
  });

  it('answers 132015 when paused and 132016 when disabled', async () => {
    await sandbox.http.patch(`/_sandbox/templates/${templateId}`).send({ status: 'PAUSED' }).expect(200);
    expect(expectGraphError(await sandbox.send(f, templateSend(complete)), 132015, 400).message).toBe('(#132015) Template is Paused');
    await sandbox.http.patch(`/_sandbox/templates/${templateId}`).send({ status: 'DISABLED' }).expect(200);
    expectGraphError(await sandbox.send(f, templateSend(complete)), 132016, 400);
  });

  it('accepts unknown templates by default, or answers 132001 when asked', async () => {
    await sandbox.send(f, templateSend([], 'never_created')).expect(200);
    await sandbox.http.put('/_sandbox/messaging_behaviour').send({ unknown_templates: 'reject' }).expect(200);
    const error = expectGraphError(await sandbox.send(f, templateSend([], 'never_created')), 132001, 404);
    expect(error.error_data?.details).toBe('template name (never_created) does not exist in en_US');
    // Another WABA's template is unknown here.
    const g = await sandbox.sendable();
    expectGraphError(await sandbox.send(g, templateSend(complete)), 132001, 404);
  });

  it('counts named placeholders once each', async () => {
    await sandbox.http
      .post('/_sandbox/templates')
      .send({
        waba_id: f.waba.id,
        name: 'named',
        language: 'en',
        parameter_format: 'NAMED',
        components: [{ type: 'BODY', text: 'Hi {{first_name}}, {{first_name}}! Order {{order_id}}' }],
      })
      .expect(201);
    const named = [
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'first_name', text: 'A' },
          { type: 'text', parameter_name: 'order_id', text: '1' },
        ],
      },
    ];
    await sandbox.send(f, templateSend(named, 'named', 'en')).expect(200);
    expectGraphError(await sandbox.send(f, templateSend([{ type: 'body', parameters: params(1) }], 'named', 'en')), 132000, 400);
  });

  it('manages templates through the control API', async () => {
    await sandbox.http.post('/_sandbox/templates').send({ waba_id: f.waba.id, name: 'order_update', language: 'en_US' }).expect(409);
    await sandbox.http.post('/_sandbox/templates').send({ waba_id: '1', name: 'x', language: 'en' }).expect(404);
    await sandbox.http.post('/_sandbox/templates').send({ waba_id: f.waba.id, name: 'Bad Name', language: 'en' }).expect(400);
    const list = await sandbox.http.get('/_sandbox/templates').query({ waba_id: f.waba.id }).expect(200);
    expect(list.body.data.map((t: { name: string }) => t.name)).toEqual(['order_update']);
    await sandbox.http.delete(`/_sandbox/templates/${templateId}`).expect(200);
    await sandbox.http.delete(`/_sandbox/templates/${templateId}`).expect(404);
    expect((await sandbox.http.get('/_sandbox/state')).body.templates).toEqual([]);
  });
});
