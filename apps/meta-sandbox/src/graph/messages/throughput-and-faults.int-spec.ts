import { expectGraphError, Sandbox } from '../../test/harness';

const text = (to = '6281234567890') => ({ to, text: { body: 'hi' } });

describe('throughput enforcement and injected errors on messages', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  describe('throughput', () => {
    it('is off by default', async () => {
      const f = await sandbox.sendable();
      for (let i = 0; i < 100; i += 1) await sandbox.send(f, text()).expect(200);
    });

    it('answers 130429 beyond 80/s for a STANDARD number, and again after the window slides', async () => {
      const f = await sandbox.sendable();
      const g = await sandbox.sendable();
      await sandbox.http.put(`/_sandbox/phone_numbers/${f.phone_number.id}/throughput`).send({ enabled: true }).expect(200);
      for (let i = 0; i < 80; i += 1) await sandbox.send(f, text()).expect(200);
      const error = expectGraphError(await sandbox.send(f, text()), 130429, 400, 2494055);
      expect(error.message).toBe('(#130429) Rate limit hit');
      expect(error.error_data).toEqual({ messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' });
      // Another number is not limited (no setting of its own, the default is off).
      await sandbox.send(g, text()).expect(200);
      const usage = await sandbox.http.get('/_sandbox/throughput').expect(200);
      expect(usage.body).toMatchObject({
        enabled: false,
        mps: null,
        phone_numbers: { [f.phone_number.id]: { enabled: true, mps: null } },
        last_second: { [f.phone_number.id]: 80 },
      });

      sandbox.clock.advance(999);
      expectGraphError(await sandbox.send(f, text()), 130429, 400);
      sandbox.clock.advance(1);
      await sandbox.send(f, text()).expect(200);
      // Refused sends are not recorded.
      expect((await sandbox.http.get('/_sandbox/messages').query({ phone_number_id: f.phone_number.id })).body.data).toHaveLength(81);
    });

    it('uses 1,000/s for a HIGH number, or any explicit value, for every number by default', async () => {
      const f = await sandbox.sendable();
      await sandbox.http.patch(`/_sandbox/phone_numbers/${f.phone_number.id}`).send({ throughput_level: 'HIGH' }).expect(200);
      await sandbox.http.put('/_sandbox/throughput').send({ enabled: true }).expect(200);
      const sends = await Promise.all(Array.from({ length: 1001 }, () => sandbox.send(f, text())));
      expect(sends.filter((r) => r.status === 200)).toHaveLength(1000);
      expect(sends.filter((r) => r.status === 400).map((r) => r.body.error.code)).toEqual([130429]);

      const g = await sandbox.sendable();
      await sandbox.http.put('/_sandbox/throughput').send({ mps: 5 }).expect(200);
      for (let i = 0; i < 5; i += 1) await sandbox.send(g, text()).expect(200);
      expectGraphError(await sandbox.send(g, text()), 130429, 400);
      // A number's own setting wins; deleting it goes back to the default.
      await sandbox.http.put(`/_sandbox/phone_numbers/${g.phone_number.id}/throughput`).send({ mps: 7 }).expect(200);
      for (let i = 0; i < 2; i += 1) await sandbox.send(g, text()).expect(200);
      expectGraphError(await sandbox.send(g, text()), 130429, 400);
      await sandbox.http.put(`/_sandbox/phone_numbers/${g.phone_number.id}/throughput`).send({ enabled: false }).expect(200);
      await sandbox.send(g, text()).expect(200);
      await sandbox.http.delete(`/_sandbox/phone_numbers/${g.phone_number.id}/throughput`).expect(200);
      expect((await sandbox.http.get(`/_sandbox/phone_numbers/${g.phone_number.id}/throughput`)).body).toEqual({
        enabled: true,
        mps: 5,
        throughput_level: 'STANDARD',
      });
      await sandbox.http.put('/_sandbox/throughput').send({ mps: 0 }).expect(400);
    });

    it('does not count mark-as-read', async () => {
      const f = await sandbox.sendable();
      await sandbox.http.put(`/_sandbox/phone_numbers/${f.phone_number.id}/throughput`).send({ enabled: true, mps: 1 }).expect(200);
      await sandbox.send(f, { status: 'read', message_id: 'wamid.a' }).expect(200);
      await sandbox.send(f, text()).expect(200);
      await sandbox.send(f, { status: 'read', message_id: 'wamid.b' }).expect(200);
    });
  });

  describe('faults', () => {
    it.each([
      [130429, 400],
      [131056, 400],
      [80007, 400],
      [4, 400],
      [131047, 400],
      [131026, 400],
      [131048, 400],
      [131049, 400],
      [132000, 400],
      [132001, 404],
      [132015, 400],
      [132016, 400],
      [131053, 400],
      [190, 401],
      [133010, 400],
      [131000, 500],
    ])('answers injected code %i with HTTP %i', async (code, status) => {
      const f = await sandbox.sendable();
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', error_code: code, times: 1 }).expect(201);
      expectGraphError(await sandbox.send(f, text()), code, status);
      await sandbox.send(f, text()).expect(200);
    });

    it('answers a bare HTTP 500 (code 1, transient)', async () => {
      const f = await sandbox.sendable();
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', http_status: 500, times: 1 }).expect(201);
      const error = expectGraphError(await sandbox.send(f, text()), 1, 500);
      expect(error.is_transient).toBe(true);
    });

    it('targets one number, one recipient, or every endpoint', async () => {
      const f = await sandbox.sendable();
      const g = await sandbox.sendable();
      await sandbox.http
        .post('/_sandbox/faults')
        .send({ endpoint: 'messages', target_id: g.phone_number.id, error_code: 131056 })
        .expect(201);
      await sandbox.send(f, text()).expect(200);
      expectGraphError(await sandbox.send(g, text()), 131056, 400);
      await sandbox.http.delete('/_sandbox/faults').expect(200);

      await sandbox.http
        .post('/_sandbox/faults')
        .send({ endpoint: 'messages', recipient: '+62 812-0000-0002', error_code: 131026 })
        .expect(201);
      await sandbox.send(f, text('6281200000001')).expect(200);
      expectGraphError(await sandbox.send(f, text('6281200000002')), 131026, 400);
      expectGraphError(await sandbox.send(g, text('+62 812 0000 0002')), 131026, 400);
      // A recipient fault applies to valid sends only: a bad body is still Meta's 100.
      expectGraphError(await sandbox.send(f, { to: '6281200000002', text: {} }), 100, 400);
      await sandbox.http.delete('/_sandbox/faults').expect(200);

      await sandbox.http.post('/_sandbox/faults').send({ endpoint: '*', error_code: 4, times: 1 }).expect(201);
      expectGraphError(await sandbox.send(f, text()), 4, 400);
      await sandbox.send(f, text()).expect(200);
    });

    it('fails a share of the sends with rate', async () => {
      const f = await sandbox.sendable();
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', error_code: 131000, rate: 0.5 }).expect(201);
      const results = [];
      for (let i = 0; i < 80; i += 1) results.push((await sandbox.send(f, text())).status);
      const failed = results.filter((s) => s === 500).length;
      expect(failed).toBeGreaterThan(15);
      expect(failed).toBeLessThan(65);
      expect(results.filter((s) => s !== 200 && s !== 500)).toEqual([]);
      const [fault] = (await sandbox.http.get('/_sandbox/faults')).body.data;
      expect(fault.hits).toBe(failed);
    });

    it('adds latency, and drops the connection', async () => {
      const f = await sandbox.sendable();
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', latency_ms: 150, times: 1 }).expect(201);
      const started = Date.now();
      await sandbox.send(f, text()).expect(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);

      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', drop_connection: true, times: 1 }).expect(201);
      await expect(sandbox.send(f, text())).rejects.toThrow(/socket hang up|ECONNRESET/);
      await sandbox.send(f, text()).expect(200);
      expect((await sandbox.http.get('/_sandbox/messages')).body.data).toHaveLength(2);
    });

    it('accepts an async fault and records its failure (the failed webhook is tested with the webhooks)', async () => {
      const f = await sandbox.sendable();
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', error_code: 131047, async: true }).expect(201);
      const res = await sandbox.send(f, text()).expect(200);
      const record = await sandbox.http.get(`/_sandbox/messages/${res.body.messages[0].id}`).expect(200);
      expect(record.body.failure).toMatchObject({ code: 131047 });
      expect(record.body.statuses).toEqual([expect.objectContaining({ status: 'failed', error_code: 131047 })]);
    });

    it('validates messaging faults', async () => {
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'register', error_code: 131047, async: true }).expect(400);
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'phone_number', recipient: '6281234567890', error_code: 1 }).expect(400);
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', async: true, latency_ms: 10 }).expect(400);
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', error_code: 1, rate: 0 }).expect(400);
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', error_code: 1, rate: 1.5 }).expect(400);
      await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', recipient: 'someone', error_code: 1 }).expect(400);
    });
  });
});
