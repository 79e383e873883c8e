// The benchmark's messaging half (spec 08 § Performance targets; issue 10, item 7), run by run.mjs:
//   seedMessaging()  50 connected accounts: a business, WABA, registered number and business token each at
//                    the Meta sandbox (control API), and the matching `approved` whatsapp_accounts rows
//                    (token sealed as CryptoService does), contacts with a recent inbound message (the 24 h
//                    window is open) and their conversations, straight into PostgreSQL;
//   the scenarios    messages-send, messages-e2e, messages-cap, inbound (see README.md).
// Every load still runs in its own autocannon process (load.mjs); the harness only reads PostgreSQL and
// the sandbox's records afterwards.
import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Accounts and contacts of the messaging seed. */
export const MESSAGING_SEED = { accounts: 50, contactsPerAccount: 20 };
export const MESSAGING_SEED_SMOKE = { accounts: 50, contactsPerAccount: 4 };

/** Spec 08's targets of the messaging scenarios. */
export const TARGETS = {
  sendRatio: 0.5,
  sendP99Ms: 50,
  e2eRate: 500,
  e2eP50Ms: 50,
  e2eP99Ms: 250,
  capPerSecond: 80,
  capQueued: 500,
  coldDelayMs: 100,
  inboundPerSecond: 2000,
  inboundBatch: 50,
  inboundAckP99Ms: 100,
  rssMb: 300,
};

// ------------------------------------------------------------------------------------------ helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (0-100) of numbers, nearest rank; null when empty. */
export function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank] * 10) / 10;
}

const summary = (values) => ({
  p50: percentile(values, 50),
  p90: percentile(values, 90),
  p99: percentile(values, 99),
  max: percentile(values, 100),
  count: values.length,
});

/** The most events in any 1 s window (sliding, half-open [t, t + 1000)) of these times (ms). */
export function maxPerSecond(times) {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** AES-256-GCM `v1.<iv>.<tag>.<ciphertext>` (base64url), what libs/platform's CryptoService.seal writes. */
function seal(plaintext, key) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The sandbox's control API (`/_sandbox`, JSON). Throws on a non-2xx answer. */
export function sandboxControl(sandboxUrl) {
  return async (method, path, body) => {
    const res = await fetch(`${sandboxUrl}/_sandbox${path}`, {
      method,
      headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`sandbox ${method} /_sandbox${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
}

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function withPg(databaseUrl, fn) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// --------------------------------------------------------------------------------------------- seed

/**
 * 50 connected accounts of one organization's customers, each with its own business, WABA, registered
 * number and business token at the sandbox, and `contactsPerAccount` contacts whose last inbound message was
 * an hour ago (free-form text passes the 24 h window). Rows as a completed signup leaves them
 * (libs/messaging/src/test/helpers.ts `seedAccount`/`seedContact`), written in one INSERT … SELECT per table.
 * Status webhooks are switched off at the sandbox (`statuses: []`, as the dispatch tests do): the outbound
 * scenarios measure sending, the inbound scenario measures the webhook path on its own.
 */
export async function seedMessaging({ sandboxUrl, databaseUrl, orgId, teamId, encryptionKey, accounts, contactsPerAccount }) {
  const control = sandboxControl(sandboxUrl);
  const { monotonicFactory } = await import('ulid');
  const ulid = monotonicFactory();
  await control('PUT', '/status_behaviour', { statuses: [] });
  const numbers = await inBatches(
    Array.from({ length: accounts }, (_, i) => i),
    10,
    async (i) => {
      const f = await control('POST', '/signup_fixtures', {
        business_name: `Bench customer ${i + 1}`,
        waba_name: `Bench WABA ${i + 1}`,
        verified_name: `Bench ${i + 1}`,
      });
      const token = await control('POST', '/tokens', { waba_ids: [f.waba.id], business_id: f.business.id });
      await control('POST', `/phone_numbers/${f.phone_number.id}/register`);
      return {
        phoneNumberId: f.phone_number.id,
        wabaId: f.waba.id,
        displayPhoneNumber: f.phone_number.display_phone_number,
        verifiedName: f.phone_number.verified_name ?? `Bench ${i + 1}`,
        token: token.access_token,
      };
    },
  );
  const key = Buffer.from(encryptionKey, 'base64');
  return withPg(databaseUrl, async (client) => {
    const customers = (await client.query('SELECT id FROM customers WHERE org_id = $1 ORDER BY id LIMIT $2', [orgId, accounts])).rows.map(
      (r) => r.id,
    );
    if (customers.length < accounts) throw new Error(`messaging seed: ${accounts} customers needed, ${customers.length} stored`);
    const now = Date.now();
    const rows = numbers.map((n, i) => ({ ...n, id: `wba_${ulid(now)}`, customerId: customers[i] }));
    await client.query(
      `INSERT INTO whatsapp_accounts (id, org_id, team_id, customer_id, phone_number_id, waba_id, display_phone_number,
         verified_name, quality_rating, throughput_level, messaging_limit_tier, status, business_token_ciphertext,
         registration_pin_ciphertext, onboarded_at, created_at, updated_at)
       SELECT t.id, $1, $2, t.customer_id, t.pn, t.waba, t.display, t.verified, 'GREEN', 'STANDARD', 'TIER_100K', 'approved',
              t.token, t.pin, now(), now(), now()
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS t(id, customer_id, pn, waba, display, verified, token, pin)`,
      [
        orgId,
        teamId,
        rows.map((r) => r.id),
        rows.map((r) => r.customerId),
        rows.map((r) => r.phoneNumberId),
        rows.map((r) => r.wabaId),
        rows.map((r) => r.displayPhoneNumber),
        rows.map((r) => r.verifiedName),
        rows.map((r) => seal(r.token, key)),
        rows.map(() => seal('123456', key)),
      ],
    );
    // Contacts: wa_id 62 81 <account, 3 digits> <contact, 5 digits> (12 digits, never a sandbox number).
    const contacts = [];
    for (const [i, r] of rows.entries())
      for (let j = 0; j < contactsPerAccount; j++)
        contacts.push({
          accountIndex: i,
          accountId: r.id,
          customerId: r.customerId,
          waId: `6281${String(i).padStart(3, '0')}${String(j).padStart(5, '0')}`,
        });
    const inboundAt = new Date(now - 60 * 60 * 1000).toISOString();
    const contactIds = contacts.map(() => `ctc_${ulid(now)}`);
    const conversationIds = contacts.map(() => `cnv_${ulid(now)}`);
    await client.query(
      `INSERT INTO contacts (id, org_id, team_id, customer_id, account_id, wa_id, profile_name, last_inbound_at)
       SELECT t.id, $1, $2, t.customer_id, t.account_id, t.wa_id, 'Bench contact', $7::timestamptz
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, customer_id, account_id, wa_id)`,
      [
        orgId,
        teamId,
        contactIds,
        contacts.map((c) => c.customerId),
        contacts.map((c) => c.accountId),
        contacts.map((c) => c.waId),
        inboundAt,
      ],
    );
    await client.query(
      `INSERT INTO conversations (id, org_id, team_id, customer_id, account_id, contact_id, last_message_at, last_inbound_at)
       SELECT t.id, $1, $2, t.customer_id, t.account_id, t.contact_id, $7::timestamptz, $7::timestamptz
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, customer_id, account_id, contact_id)`,
      [orgId, teamId, conversationIds, contacts.map((c) => c.customerId), contacts.map((c) => c.accountId), contactIds, inboundAt],
    );
    await client.query('ANALYZE whatsapp_accounts; ANALYZE contacts; ANALYZE conversations');
    const accountsOut = rows.map((r, i) => ({
      ...r,
      token: undefined,
      waIds: contacts.filter((c) => c.accountIndex === i).map((c) => c.waId),
    }));
    return { accounts: accountsOut, contacts: contacts.length };
  });
}

/** Text sends, consecutive requests on different numbers (contact j of every account, then j + 1, …). */
function sendVariants(accounts) {
  const out = [];
  const per = Math.max(...accounts.map((a) => a.waIds.length));
  for (let j = 0; j < per; j++)
    for (const a of accounts)
      if (a.waIds[j])
        out.push({
          path: `/v1/${a.phoneNumberId}/messages`,
          body: { messaging_product: 'whatsapp', to: a.waIds[j], type: 'text', text: { body: 'Bench message' } },
        });
  return out;
}

// ------------------------------------------------------------------------------------ measurements

/** Outbound messages by status (the bench database holds only this run's). */
async function outboundCounts(databaseUrl) {
  return withPg(databaseUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*)::int AS total
       FROM messages WHERE direction = 'outbound'`,
    );
    return rows[0];
  });
}

/** Waits until the worker has handed every outbound message to the sandbox (none `pending`). */
async function waitDispatched(h, timeoutMs) {
  const started = Date.now();
  for (;;) {
    const counts = await outboundCounts(h.databaseUrl);
    if (counts.pending === 0) return { ...counts, seconds: Math.round((Date.now() - started) / 100) / 10, drained: true };
    if (Date.now() - started > timeoutMs) return { ...counts, seconds: Math.round((Date.now() - started) / 100) / 10, drained: false };
    await sleep(200);
  }
}

/** CPU seconds of the named processes, to charge a load and its drain to them. */
function cpuOf(h, procs) {
  return Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, h.cpuSeconds(p.pid)]));
}
function cpuPer(h, before, procs, count) {
  return Object.fromEntries(
    Object.entries(procs).map(([k, p]) => [k, count ? Math.round(((h.cpuSeconds(p.pid) - before[k]) / count) * 1e6) : null]),
  );
}

/** `[message id, epoch ms of the 202]` of a load run with `record` (load.mjs), and the file removed. */
function readRecord(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } finally {
    rmSync(file, { force: true });
  }
}

/** wamid of each message id (after dispatch), from PostgreSQL. */
async function wamidsOf(databaseUrl, ids) {
  return withPg(databaseUrl, async (client) => {
    const { rows } = await client.query('SELECT id, wamid, status, attempts FROM messages WHERE id = ANY($1::text[])', [ids]);
    return new Map(rows.map((r) => [r.id, r]));
  });
}

/** The sandbox's outbound records (receive times) since a time, by wamid. */
async function sandboxSends(h, sinceIso) {
  const control = sandboxControl(h.sandboxUrl);
  const { data } = await control('GET', `/messages?direction=outbound&limit=20000&since=${encodeURIComponent(sinceIso)}`);
  return new Map(data.map((m) => [m.wamid, m]));
}

/** Latency from each recorded 202 to the sandbox's receive time of that message. */
async function endToEnd(h, record, sinceIso) {
  const byId = await wamidsOf(
    h.databaseUrl,
    record.map(([id]) => id),
  );
  const sends = await sandboxSends(h, sinceIso);
  const latencies = [];
  let failed = 0;
  for (const [id, at] of record) {
    const row = byId.get(id);
    if (row?.status === 'failed') failed++;
    const received = row?.wamid && sends.get(row.wamid);
    if (received) latencies.push(Date.parse(received.received_at) - at);
  }
  return { ms: summary(latencies), arrived: latencies.length, failed, accepted: record.length };
}

const memoryRow = (h) => ({ worker: h.memoryOf(h.worker.pid), api: h.memoryOf(h.api.pid), sandbox: h.memoryOf(h.sandbox.pid) });

// -------------------------------------------------------------------------------------- scenarios

/**
 * `messages-send`: POST /v1/{phone_number_id}/messages (text, fresh Idempotency-Key) rotating over the 50
 * numbers and their contacts, at full load and at the fixed rate, like the api scenarios (paired baseline,
 * CPU per request, PostgreSQL per request). The worker's backlog is drained after each load (not measured
 * as latency, but its CPU is charged per message: load + drain).
 */
async function runSend(def, h) {
  const variants = sendVariants(h.messaging.accounts);
  const spec = {
    url: h.apiUrl + variants[0].path,
    method: 'POST',
    headers: { authorization: `Bearer ${h.apiKey}` },
    idempotencyKey: true,
    variants,
  };
  const drainMs = h.smoke ? 30_000 : 180_000;
  if (h.warmup > 0) {
    await h.load({ ...spec, connections: h.connections, duration: h.warmup });
    await waitDispatched(h, drainMs);
  }
  const paired = h.smoke
    ? undefined
    : await h.measuredLoad({ ...h.baselineSpec, connections: h.connections, duration: h.duration }, { server: h.baseline.pid });
  const before = await h.dbStats(h.databaseUrl);
  const procs = { worker: h.worker, sandbox: h.sandbox };
  const cpu0 = cpuOf(h, procs);
  const max = {
    mode: 'max',
    ...(await h.measuredLoad({ ...spec, connections: h.connections, duration: h.duration }, { server: h.api.pid })),
  };
  const drained = await waitDispatched(h, drainMs);
  Object.assign(max.cpu_us_per_request, cpuPer(h, cpu0, procs, max.ok_2xx));
  max.dispatch = { drain_s: drained.seconds, drained: drained.drained, failed_total: drained.failed };
  const fixed = {
    mode: 'rate',
    target_rate: h.rate,
    ...(await h.load({ ...spec, connections: Math.min(h.connections, 20), duration: h.duration, overallRate: h.rate })),
  };
  const drainedFixed = await waitDispatched(h, drainMs);
  fixed.dispatch = { drain_s: drainedFixed.seconds, drained: drainedFixed.drained, failed_total: drainedFixed.failed };
  if (!h.smoke) {
    await sleep(11_000);
    max.db_per_request = h.perRequest(before, await h.dbStats(h.databaseUrl), max.requests_total + fixed.requests_total);
  }
  const runs = [max, fixed];
  for (const r of runs) r.failed = r.non_2xx + r.errors + r.timeouts > 0 || r.ok_2xx === 0 || !r.dispatch.drained;
  fixed.rate_reached = fixed.req_per_s >= 0.9 * h.rate;
  return { max, rate: fixed, runs, memory_after: memoryRow(h), ...(paired && { paired_baseline: paired }) };
}

/**
 * `messages-e2e`: sends at a fixed 500 msg/s (spread over the 50 numbers) for the load's duration; for
 * each 202 its time (load.mjs `record`), then, once dispatched, the sandbox's receive time of the same
 * message (message id → wamid in PostgreSQL → the sandbox's record).
 */
async function runE2e(def, h) {
  const variants = sendVariants(h.messaging.accounts);
  const rate = h.smoke ? 50 : TARGETS.e2eRate;
  const file = join(h.localDir, `e2e-${process.pid}.json`);
  await sandboxControl(h.sandboxUrl)('DELETE', '/messages');
  const since = new Date(Date.now() - 1000).toISOString();
  const procs = { server: h.api, worker: h.worker, sandbox: h.sandbox };
  const cpu0 = cpuOf(h, procs);
  const run = {
    mode: 'e2e',
    target_rate: rate,
    ...(await h.load({
      url: h.apiUrl + variants[0].path,
      method: 'POST',
      headers: { authorization: `Bearer ${h.apiKey}` },
      idempotencyKey: true,
      variants,
      connections: h.smoke ? 10 : 50,
      duration: h.duration,
      overallRate: rate,
      record: file,
    })),
  };
  const drained = await waitDispatched(h, h.smoke ? 30_000 : 180_000);
  run.cpu_us_per_request = cpuPer(h, cpu0, procs, run.ok_2xx);
  run.dispatch = { drain_s: drained.seconds, drained: drained.drained };
  run.e2e = await endToEnd(h, readRecord(file), since);
  run.rate_reached = run.req_per_s >= 0.9 * rate;
  run.failed = run.non_2xx + run.errors + run.timeouts > 0 || run.ok_2xx === 0 || !drained.drained;
  return { rate: run, runs: [run], memory_after: memoryRow(h) };
}

/**
 * `messages-cap`: the sandbox enforces 80/s per number (STANDARD); 500 sends queued on one hot number as
 * fast as the api takes them, then a few sends on a cold number while the hot backlog drains. Checks, from
 * the sandbox's request log and records: no 1 s window with more than 80 sends to the hot number (every
 * attempt counted, also one the sandbox refused with 130429), none refused, all 500 arrived; and each cold
 * send's delay from its 202 to the sandbox's receipt.
 */
async function runCap(def, h) {
  const control = sandboxControl(h.sandboxUrl);
  const [hot, cold] = h.messaging.accounts;
  const queued = h.smoke ? 120 : TARGETS.capQueued;
  const coldSends = h.smoke ? 3 : 10;
  const variants = (a) => sendVariants([a]);
  await control('DELETE', '/messages');
  await control('DELETE', '/requests');
  await control('PUT', '/throughput', { enabled: true, mps: null }); // by throughput_level: STANDARD = 80
  const since = new Date(Date.now() - 1000).toISOString();
  const hotFile = join(h.localDir, `cap-hot-${process.pid}.json`);
  const coldFile = join(h.localDir, `cap-cold-${process.pid}.json`);
  const base = { method: 'POST', headers: { authorization: `Bearer ${h.apiKey}` }, idempotencyKey: true };
  const procs = { server: h.api, worker: h.worker, sandbox: h.sandbox };
  const cpu0 = cpuOf(h, procs);
  try {
    const hotRun = {
      mode: 'hot',
      ...(await h.load({
        ...base,
        url: h.apiUrl + variants(hot)[0].path,
        variants: variants(hot),
        connections: 20,
        amount: queued,
        record: hotFile,
      })),
    };
    // The cold number's sends while the hot backlog is queued (≈ 6 s of it at 80/s).
    const coldRun = {
      mode: 'cold',
      ...(await h.load({
        ...base,
        url: h.apiUrl + variants(cold)[0].path,
        variants: variants(cold),
        connections: 1,
        amount: coldSends,
        overallRate: 4,
        record: coldFile,
      })),
    };
    const drained = await waitDispatched(h, h.smoke ? 30_000 : 120_000);
    hotRun.cpu_us_per_request = cpuPer(h, cpu0, procs, hotRun.ok_2xx + coldRun.ok_2xx);
    const hotRecord = readRecord(hotFile);
    const coldE2e = await endToEnd(h, readRecord(coldFile), since);
    const hotE2e = await endToEnd(h, hotRecord, since);
    const requests = (await control('GET', `/requests?endpoint=messages&path_contains=${hot.phoneNumberId}&limit=5000`)).data;
    const attempts = requests.map((r) => Date.parse(r.time));
    const sends = [...(await sandboxSends(h, since)).values()].filter((m) => m.phone_number_id === hot.phoneNumberId);
    const first = Math.min(...sends.map((m) => Date.parse(m.received_at)));
    const last = Math.max(...sends.map((m) => Date.parse(m.received_at)));
    hotRun.cap = {
      queued,
      accepted: hotRun.ok_2xx,
      arrived: sends.length,
      attempts: requests.length,
      refused_130429: requests.filter((r) => r.status !== 200).length,
      max_attempts_in_1s: maxPerSecond(attempts),
      max_received_in_1s: maxPerSecond(sends.map((m) => Date.parse(m.received_at))),
      drain_s: Math.round((last - first) / 100) / 10,
      per_s: sends.length > 1 ? Math.round(((sends.length - 1) / (last - first)) * 1e4) / 10 : null,
      e2e_ms: hotE2e.ms,
      drained: drained.drained,
    };
    coldRun.cold = coldE2e;
    hotRun.failed = hotRun.non_2xx + hotRun.errors + hotRun.timeouts > 0 || hotRun.ok_2xx === 0 || !drained.drained;
    coldRun.failed = coldRun.non_2xx + coldRun.errors + coldRun.timeouts > 0 || coldRun.ok_2xx === 0 || coldE2e.arrived !== coldRun.ok_2xx;
    return { runs: [hotRun, coldRun], hot: hotRun, cold: coldRun, memory_after: memoryRow(h) };
  } finally {
    await control('PUT', '/throughput', { enabled: false }).catch(() => undefined);
  }
}

/** Does the api serve Meta's webhook (`POST /webhooks/meta`)? A bad signature answers 401 once it does. */
export async function inboundAvailable(apiUrl) {
  try {
    const res = await fetch(`${apiUrl}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
      body: '{}',
      signal: AbortSignal.timeout(5000),
    });
    return res.status !== 404;
  } catch {
    return false;
  }
}

/** Payloads stored since `sinceMs` (epoch ms, this machine's clock: PostgreSQL's too), processed, and their messages. */
async function inboundCounts(databaseUrl, sinceMs, tag) {
  return withPg(databaseUrl, async (client) => {
    const since = new Date(sinceMs).toISOString();
    const { rows } = await client.query(
      `SELECT count(*)::int AS payloads, count(*) FILTER (WHERE processed_at IS NULL)::int AS unprocessed,
              count(*) FILTER (WHERE last_error IS NOT NULL)::int AS errored,
              extract(epoch FROM min(received_at)) * 1000 AS first_received, extract(epoch FROM max(processed_at)) * 1000 AS last_processed,
              (SELECT count(*)::int FROM messages WHERE direction = 'inbound' AND wamid LIKE $2) AS messages
       FROM meta_webhook_payloads WHERE received_at >= $1::timestamptz`,
      [since, `wamid.bench-${tag}-%`],
    );
    const r = rows[0];
    return { ...r, first_received: Number(r.first_received), last_processed: Number(r.last_processed) };
  });
}

/** Waits until every payload stored since `sinceMs` is processed; what the worker did with them. */
async function waitInboundProcessed(h, sinceMs, tag, posted, timeoutMs) {
  const started = Date.now();
  for (;;) {
    const c = await inboundCounts(h.databaseUrl, sinceMs, tag);
    const drained = c.unprocessed === 0;
    if (drained || Date.now() - started > timeoutMs) {
      // Messages ÷ (last payload processed − first payload stored).
      const windowMs = c.last_processed - c.first_received;
      return {
        posted_messages: posted,
        stored_payloads: c.payloads,
        messages_stored: c.messages,
        per_s: windowMs > 0 ? Math.round((c.messages / windowMs) * 1e4) / 10 : null,
        window_ms: Math.round(windowMs),
        last_processed: c.last_processed,
        drained,
        errored: c.errored,
      };
    }
    await sleep(200);
  }
}

/**
 * `inbound`: Meta's webhook in batches of 50 messages (50 changes of one message each, Meta's usual
 * shape), signed with META_APP_SECRET, each POST for one of the 50 numbers, fresh wamids, from 200 users
 * per number (the seeded contacts and new ones). Posted by load.mjs: first a burst (`amount` POSTs as fast
 * as 10 connections go) to measure processing capacity with a backlog — messages ÷ (last processed − first
 * stored) — then the fixed rate of 2,000 messages/s (40 POSTs/s) for the ack latency.
 */
async function runInbound(def, h) {
  if (!(await inboundAvailable(h.apiUrl))) return { skipped: 'not yet: the api does not serve POST /webhooks/meta', runs: [] };
  const batch = TARGETS.inboundBatch;
  const postsPerSecond = h.smoke ? 4 : TARGETS.inboundPerSecond / batch;
  const burst = h.smoke ? 10 : 200;
  const webhook = {
    secret: h.metaAppSecret,
    batch,
    numbers: h.messaging.accounts.map((a) => ({
      phoneNumberId: a.phoneNumberId,
      wabaId: a.wabaId,
      display: a.displayPhoneNumber,
      waIds: a.waIds,
    })),
  };
  const spec = { url: `${h.apiUrl}/webhooks/meta`, method: 'POST', headers: {}, webhook };
  const procs = { server: h.api, worker: h.worker, sandbox: h.sandbox };
  const timeout = h.smoke ? 30_000 : 180_000;

  let since = Date.now();
  let cpu0 = cpuOf(h, procs);
  const burstRun = { mode: 'burst', ...(await h.load({ ...spec, webhook: { ...webhook, tag: 'b' }, connections: 10, amount: burst })) };
  burstRun.inbound = await waitInboundProcessed(h, since, 'b', burstRun.ok_2xx * batch, timeout);
  burstRun.cpu_us_per_request = cpuPer(h, cpu0, procs, burstRun.ok_2xx * batch); // per message

  since = Date.now();
  cpu0 = cpuOf(h, procs);
  const rateRun = {
    mode: 'rate',
    target_rate: postsPerSecond,
    ...(await h.load({
      ...spec,
      webhook: { ...webhook, tag: 'r' },
      connections: Math.min(h.connections, 20),
      duration: h.duration,
      overallRate: postsPerSecond,
    })),
  };
  const loadEnded = Date.now();
  rateRun.inbound = await waitInboundProcessed(h, since, 'r', rateRun.ok_2xx * batch, timeout);
  rateRun.inbound.lag_after_load_ms = Math.max(0, Math.round(rateRun.inbound.last_processed - loadEnded));
  rateRun.cpu_us_per_request = cpuPer(h, cpu0, procs, rateRun.ok_2xx * batch);
  rateRun.rate_reached = rateRun.req_per_s >= 0.9 * postsPerSecond;
  for (const r of [burstRun, rateRun])
    r.failed =
      r.non_2xx + r.errors + r.timeouts > 0 ||
      r.ok_2xx === 0 ||
      !r.inbound.drained ||
      r.inbound.errored > 0 ||
      // every stored payload became its 50 messages (a POST still in flight when the load stopped is
      // stored and processed too, though autocannon does not count its answer)
      r.inbound.messages_stored !== r.inbound.stored_payloads * batch;
  return { runs: [burstRun, rateRun], burst: burstRun, rate: rateRun, memory_after: memoryRow(h) };
}

export const MESSAGING_SCENARIOS = [
  {
    name: 'messages-send',
    label: 'POST /v1/{pn}/messages (text, 50 numbers)',
    messaging: true,
    run: runSend,
    target: { ratio: TARGETS.sendRatio, p99: TARGETS.sendP99Ms },
  },
  { name: 'messages-e2e', label: 'send → sandbox received (50 numbers)', messaging: true, run: runE2e },
  { name: 'messages-cap', label: 'hot number at its 80/s cap, cold number beside it', messaging: true, run: runCap },
  { name: 'inbound', label: 'POST /webhooks/meta (batches of 50) → processed', messaging: true, run: runInbound },
];

// ------------------------------------------------------------------------------------------ report

/** Targets of the scenarios with their own shape (messages-send uses the api scenarios' ratio and p99). */
export function evaluateMessaging(s, smoke) {
  if (smoke || s.skipped) return [];
  const checks = [];
  const ok = (r) => !r.failed;
  if (s.name === 'messages-e2e') {
    const r = s.rate;
    const e = r.e2e.ms;
    const reached = r.rate_reached ? '' : ' (rate not reached)';
    checks.push({
      what: `p50 ≤ ${TARGETS.e2eP50Ms} ms at ${TARGETS.e2eRate} msg/s${reached}`,
      ok: ok(r) && r.rate_reached && e.p50 !== null && e.p50 <= TARGETS.e2eP50Ms,
    });
    checks.push({
      what: `p99 ≤ ${TARGETS.e2eP99Ms} ms at ${TARGETS.e2eRate} msg/s${reached}`,
      ok: ok(r) && r.rate_reached && e.p99 !== null && e.p99 <= TARGETS.e2eP99Ms,
    });
    checks.push({ what: `all accepted arrived (${r.e2e.arrived} of ${r.e2e.accepted})`, ok: r.e2e.arrived === r.e2e.accepted });
  }
  if (s.name === 'messages-cap') {
    const c = s.hot.cap;
    checks.push({
      what: `≤ ${TARGETS.capPerSecond} sends to the hot number in any 1 s (max ${c.max_attempts_in_1s}, ${c.refused_130429} refused)`,
      ok: ok(s.hot) && c.max_attempts_in_1s <= TARGETS.capPerSecond && c.refused_130429 === 0,
    });
    checks.push({ what: `all ${c.queued} arrived (${c.arrived})`, ok: c.arrived === c.queued });
    checks.push({
      what: `cold number delayed ≤ ${TARGETS.coldDelayMs} ms (max ${s.cold.cold.ms.max} ms)`,
      ok: ok(s.cold) && s.cold.cold.ms.max !== null && s.cold.cold.ms.max <= TARGETS.coldDelayMs,
    });
  }
  if (s.name === 'inbound') {
    const b = s.burst.inbound;
    checks.push({
      what: `≥ ${TARGETS.inboundPerSecond.toLocaleString('en-US')} messages/s processed (${Math.round(b.per_s ?? 0).toLocaleString('en-US')})`,
      ok: ok(s.burst) && (b.per_s ?? 0) >= TARGETS.inboundPerSecond,
    });
    checks.push({
      what: `ack p99 ≤ ${TARGETS.inboundAckP99Ms} ms at ${TARGETS.inboundPerSecond.toLocaleString('en-US')} msg/s${s.rate.rate_reached ? '' : ' (rate not reached)'}`,
      ok: ok(s.rate) && s.rate.rate_reached && s.rate.latency_ms.p99 <= TARGETS.inboundAckP99Ms,
    });
  }
  for (const [proc, m] of Object.entries({ worker: s.memory_after?.worker }))
    if (m)
      checks.push({
        what: `${proc} RSS ≤ ${TARGETS.rssMb} MB (${m.rss_mb} MB, peak ${m.peak_rss_mb})`,
        ok: m.rss_mb !== null && m.rss_mb <= TARGETS.rssMb,
      });
  return checks;
}

/**
 * The messaging table (scenarios other than messages-send, which has the api scenarios' shape and sits in
 * their table): one row per run, CPU per message of each process over the load and its drain.
 */
export function messagingTable(scenarios, { fmt, smoke }) {
  const own = scenarios.filter((s) => ['messages-e2e', 'messages-cap', 'inbound'].includes(s.name));
  if (!own.length) return '';
  const lines = [
    '| scenario | load | throughput | result | CPU µs per message: api / worker / sandbox | p50 ms | p99 ms | non-2xx / errors | worker RSS after (peak) | target |',
    '|---|---|--:|---|--:|--:|--:|--:|--:|---|',
  ];
  const row = (c) => lines.push(`| ${c.join(' | ')} |`);
  const cpu = (r) => {
    const c = r?.cpu_us_per_request;
    return c ? [c.server, c.worker, c.sandbox].map((v) => fmt(v)).join(' / ') : '';
  };
  const bad = (r) => {
    const n = r.non_2xx + r.errors + r.timeouts;
    return n ? `**${fmt(r.non_2xx)} / ${fmt(r.errors + r.timeouts)}** (failed)` : r.failed ? '**failed**' : '0 / 0';
  };
  const rss = (s) => (s.memory_after?.worker ? `${fmt(s.memory_after.worker.rss_mb)} MB (${fmt(s.memory_after.worker.peak_rss_mb)})` : '');
  const marks = (s, pick) =>
    smoke
      ? ''
      : (s.targets ?? [])
          .filter(pick)
          .map((t) => `${t.ok ? '✅' : '❌'} ${t.what}`)
          .join('; ');
  const isRss = (t) => t.what.includes('RSS');
  for (const s of own) {
    if (s.skipped) {
      row([s.label, '', '', s.skipped, '', '', '', '', '', '']);
      continue;
    }
    if (s.name === 'messages-e2e') {
      const r = s.rate;
      row([
        'send → sandbox received (202 → receipt)',
        `${fmt(r.target_rate)} msg/s, 50 numbers${r.rate_reached ? '' : ' (not reached)'}`,
        `${fmt(r.req_per_s)} accepted/s`,
        `${fmt(r.e2e.arrived)} of ${fmt(r.e2e.accepted)} arrived (max ${fmt(r.e2e.ms.max)} ms); drained ${fmt(r.dispatch.drain_s, 1)} s after the load; API p99 ${fmt(r.latency_ms.p99, 1)} ms`,
        cpu(r),
        fmt(r.e2e.ms.p50, 1),
        fmt(r.e2e.ms.p99, 1),
        bad(r),
        rss(s),
        marks(s, () => true),
      ]);
    }
    if (s.name === 'messages-cap') {
      const c = s.hot.cap;
      const cold = s.cold.cold;
      row([
        'hot number, sandbox enforcing 80/s',
        `${fmt(c.queued)} sends queued on 1 number`,
        `${fmt(c.per_s, 1)} sent/s`,
        `max ${fmt(c.max_attempts_in_1s)} sends in 1 s; ${fmt(c.refused_130429)} refused; ${fmt(c.arrived)} arrived over ${fmt(c.drain_s, 1)} s (202 → receipt in the columns)`,
        cpu(s.hot),
        fmt(c.e2e_ms.p50, 1),
        fmt(c.e2e_ms.p99, 1),
        bad(s.hot),
        rss(s),
        marks(s, (t) => !t.what.startsWith('cold')),
      ]);
      row([
        'cold number beside it (202 → receipt)',
        `${fmt(s.cold.ok_2xx)} sends at 4/s during the hot backlog`,
        '',
        `${fmt(cold.arrived)} arrived, max ${fmt(cold.ms.max, 1)} ms`,
        '',
        fmt(cold.ms.p50, 1),
        fmt(cold.ms.p99, 1),
        bad(s.cold),
        '',
        marks(s, (t) => t.what.startsWith('cold')),
      ]);
    }
    if (s.name === 'inbound') {
      const b = s.burst;
      const r = s.rate;
      row([
        'POST /webhooks/meta, 50 messages each: burst → processed',
        `${fmt(b.ok_2xx)} POSTs, 10 conn.`,
        `${fmt(b.inbound.per_s)} msg/s processed`,
        `${fmt(b.inbound.messages_stored)} messages stored and processed in ${fmt(b.inbound.window_ms / 1000, 1)} s; ${fmt(b.req_per_s)} POSTs/s acked`,
        cpu(b),
        fmt(b.latency_ms.p50, 1),
        fmt(b.latency_ms.p99, 1),
        bad(b),
        rss(s),
        marks(s, (t) => t.what.includes('processed') || isRss(t)),
      ]);
      row([
        'POST /webhooks/meta, 50 messages each: ack at a fixed rate',
        `${fmt(r.target_rate)} POSTs/s (${fmt(r.target_rate * 50)} msg/s)${r.rate_reached ? '' : ' (not reached)'}`,
        `${fmt(r.req_per_s * 50)} msg/s acked`,
        `${fmt(r.inbound.messages_stored)} processed, the last ${fmt(r.inbound.lag_after_load_ms)} ms after the load`,
        cpu(r),
        fmt(r.latency_ms.p50, 1),
        fmt(r.latency_ms.p99, 1),
        bad(r),
        '',
        marks(s, (t) => t.what.startsWith('ack')),
      ]);
    }
  }
  return lines.join('\n');
}
