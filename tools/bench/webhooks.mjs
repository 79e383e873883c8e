// The benchmark's webhook-delivery scenario (spec 08 § Performance targets, the inbound row's "event → webhook
// delivered p99 ≤ 1 s"; issue 12, item 8), run by run.mjs:
//   webhooks   the inbound burst of the `inbound` scenario (Meta webhooks in batches of 50, posted by load.mjs
//              in its webhook mode) with a subscription to a local receiver, once alone and once with a second
//              subscription to a hanging endpoint beside it; per delivery `received − event.created_at`.
// The receiver is this file run as its own process (`node tools/bench/webhooks.mjs receiver <port>`), so its
// CPU is neither the harness's nor the load generator's and is accounted for like the servers'.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { inboundAvailable, maxPerSecond, percentile, TARGETS } from './messaging.mjs';

/** Spec 08's webhook figure. */
export const WEBHOOK_TARGETS = { deliveredP99Ms: 1000 };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------- receiver

/**
 * The receiver: `POST /ok` answers 200 at once and records, per webhook-id, the first arrival's latency from
 * the event's `created_at` (the same machine's clock) and each repeat as a duplicate; `POST /hang` reads the
 * request and never answers (the connection stays open until Kirim gives up on it). `GET /_stats?tag=` reports,
 * `POST /_reset` starts a phase afresh, `GET /_health` answers 200.
 */
function startReceiver(port) {
  let state;
  const reset = () => {
    state = { received: 0, ids: new Set(), duplicates: 0, byType: {}, messages: new Map(), hang: { requests: 0, open: 0 } };
  };
  reset();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/_health') return res.writeHead(200).end('ok');
    if (req.method === 'GET' && path === '/_stats') return res.writeHead(200, { 'content-type': 'application/json' }).end(stats(req.url));
    if (req.method === 'POST' && path === '/_reset') return (reset(), res.writeHead(204).end());
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      if (path === '/hang') {
        state.hang.requests++;
        state.hang.open++;
        res.on('close', () => state.hang.open--);
        return; // never answered
      }
      res.writeHead(200).end();
      state.received++;
      const id = req.headers['webhook-id'];
      if (state.ids.has(id)) return void state.duplicates++;
      state.ids.add(id);
      let event;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return;
      }
      state.byType[event.type] = (state.byType[event.type] ?? 0) + 1;
      // message.received of this run's inbound messages, by the load's tag (`wamid.bench-<tag>-…`).
      const tag = /^wamid\.bench-([^-]+)-/.exec(event.data?.message?.wamid ?? '')?.[1];
      if (event.type !== 'message.received' || !tag) return;
      if (!state.messages.has(tag)) state.messages.set(tag, { latencies: [], at: [] });
      const m = state.messages.get(tag);
      m.latencies.push(now - Date.parse(event.created_at));
      m.at.push(now);
    });
  });
  function stats(url) {
    const tag = new URL(url, 'http://x').searchParams.get('tag');
    const m = state.messages.get(tag) ?? { latencies: [], at: [] };
    return JSON.stringify({
      received: state.received,
      unique: state.ids.size,
      duplicates: state.duplicates,
      by_type: state.byType,
      hang: state.hang,
      tagged: { delivered: m.latencies.length, latencies: m.latencies, at: m.at },
    });
  }
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1', () => process.stdout.write(`receiver listening on 127.0.0.1:${port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------- helpers

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

/** CPU seconds of every PostgreSQL process on the machine (comm `postgres`): the server's share of the work. */
export function postgresCpuSeconds(cpuSeconds) {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const s = cpuSeconds(pid);
    if (!Number.isNaN(s)) total += s;
  }
  return total;
}

/** Kirim's api, authenticated with the org-wide key. Throws on a non-2xx answer. */
function apiClient(h) {
  return async (method, path, body) => {
    const res = await fetch(`${h.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${h.apiKey}`, accept: 'application/json', ...(body && { 'content-type': 'application/json' }) },
      body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
}

/** The inbound payloads stored since `sinceMs` and how many the worker has processed; messages of the tag. */
async function inboundState(databaseUrl, sinceMs, tag) {
  return withPg(databaseUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT count(*)::int AS payloads, count(*) FILTER (WHERE processed_at IS NULL)::int AS unprocessed,
              count(*) FILTER (WHERE last_error IS NOT NULL)::int AS errored,
              extract(epoch FROM min(received_at)) * 1000 AS first_received, extract(epoch FROM max(processed_at)) * 1000 AS last_processed,
              (SELECT count(*)::int FROM messages WHERE direction = 'inbound' AND wamid LIKE $2) AS messages,
              (SELECT count(*)::int FROM events WHERE relayed_at IS NULL) AS unrelayed
       FROM meta_webhook_payloads WHERE received_at >= $1::timestamptz`,
      [new Date(sinceMs).toISOString(), `wamid.bench-${tag}-%`],
    );
    const r = rows[0];
    return { ...r, first_received: Number(r.first_received), last_processed: Number(r.last_processed) };
  });
}

/** message.received events of the tag in the log (what should be delivered, once each, per subscription). */
async function expectedEvents(databaseUrl, tag) {
  return withPg(databaseUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM events WHERE type = 'message.received' AND data->'message'->>'wamid' LIKE $1`,
      [`wamid.bench-${tag}-%`],
    );
    return rows[0].n;
  });
}

/** Deliveries of a subscription by status (the hanging one's backlog). */
async function deliveryStatuses(databaseUrl, subscriptionId) {
  return withPg(databaseUrl, async (client) => {
    const { rows } = await client.query(
      'SELECT status::text AS status, count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1 GROUP BY status',
      [subscriptionId],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  });
}

/** Waits (bounded) until no event waits for the relay: the previous scenario's events stay out of this one. */
async function waitRelayed(h, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { unrelayed } = await inboundState(h.databaseUrl, Date.now(), '-');
    if (unrelayed === 0) return true;
    await sleep(200);
  }
  return false;
}

// -------------------------------------------------------------------------------------------- phase

/**
 * One phase: the inbound burst (tag `tag`), then wait for the worker to process it and for the receiver to
 * have every message.received of it (bounded), then a short grace for late duplicates. CPU of each process
 * and of PostgreSQL from the burst's start to the last delivery.
 */
async function phase(h, { tag, hangingId, receiverUrl, receiver, webhook, burst, timeoutMs }) {
  const batch = TARGETS.inboundBatch;
  await fetch(`${receiverUrl}/_reset`, { method: 'POST' });
  const procs = { api: h.api, worker: h.worker, sandbox: h.sandbox, receiver };
  const cpu0 = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, h.cpuSeconds(p.pid)]));
  const pg0 = postgresCpuSeconds(h.cpuSeconds);
  const since = Date.now();
  const run = {
    mode: hangingId ? 'with-hanging' : 'alone',
    ...(await h.load({
      url: `${h.apiUrl}/webhooks/meta`,
      method: 'POST',
      headers: {},
      webhook: { ...webhook, tag },
      connections: 10,
      amount: burst,
    })),
  };
  // Processed: every payload stored since the phase began.
  const deadline = Date.now() + timeoutMs;
  let inbound;
  for (;;) {
    inbound = await inboundState(h.databaseUrl, since, tag);
    if (inbound.unprocessed === 0 || Date.now() > deadline) break;
    await sleep(200);
  }
  const expected = await expectedEvents(h.databaseUrl, tag);
  // Delivered: every message.received of the tag at the receiver (or the timeout).
  let stats;
  for (;;) {
    stats = await (await fetch(`${receiverUrl}/_stats?tag=${tag}`)).json();
    if (stats.tagged.delivered >= expected || Date.now() > deadline) break;
    await sleep(200);
  }
  const drainedAt = Date.now();
  const cpu = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, h.cpuSeconds(p.pid) - cpu0[k]]));
  cpu.postgresql = postgresCpuSeconds(h.cpuSeconds) - pg0;
  await sleep(h.smoke ? 500 : 2000); // a repeat of a delivery would come now
  stats = await (await fetch(`${receiverUrl}/_stats?tag=${tag}`)).json();
  const wallS = (drainedAt - since) / 1000;
  const windowMs = inbound.last_processed - inbound.first_received;
  const lastDelivered = stats.tagged.at.length ? Math.max(...stats.tagged.at) : null;
  run.inbound = {
    posted_messages: run.ok_2xx * batch,
    stored_payloads: inbound.payloads,
    messages_stored: inbound.messages,
    per_s: windowMs > 0 ? Math.round((inbound.messages / windowMs) * 1e4) / 10 : null,
    window_ms: Math.round(windowMs),
    drained: inbound.unprocessed === 0,
    errored: inbound.errored,
  };
  const lat = stats.tagged.latencies;
  run.delivery = {
    expected,
    delivered: stats.tagged.delivered,
    missing: Math.max(0, expected - stats.tagged.delivered),
    duplicates: stats.duplicates,
    received_total: stats.received,
    by_type: stats.by_type,
    latency_ms: {
      p50: percentile(lat, 50),
      p95: percentile(lat, 95),
      p99: percentile(lat, 99),
      max: percentile(lat, 100),
      count: lat.length,
    },
    max_per_s: maxPerSecond(stats.tagged.at),
    last_after_processed_ms: lastDelivered && inbound.last_processed ? Math.round(lastDelivered - inbound.last_processed) : null,
    drained: stats.tagged.delivered >= expected,
  };
  if (hangingId)
    run.hanging = { requests: stats.hang.requests, open: stats.hang.open, deliveries: await deliveryStatuses(h.databaseUrl, hangingId) };
  // CPU from the burst's start to the last delivery: seconds, cores busy (seconds ÷ wall), µs per message.
  run.cpu = {
    wall_s: Math.round(wallS * 10) / 10,
    seconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v * 100) / 100])),
    cores: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round((v / wallS) * 100) / 100])),
  };
  run.cpu_us_per_request = Object.fromEntries(
    Object.entries(cpu).map(([k, v]) => [k, inbound.messages ? Math.round((v / inbound.messages) * 1e6) : null]),
  );
  run.failed =
    run.non_2xx + run.errors + run.timeouts > 0 ||
    run.ok_2xx === 0 ||
    !run.inbound.drained ||
    run.inbound.errored > 0 ||
    expected === 0 ||
    run.delivery.missing > 0;
  return run;
}

// ------------------------------------------------------------------------------------------ scenario

/**
 * `webhooks`: a warm-up burst (unmeasured, no subscription yet); a subscription (`*`) to the receiver's `/ok`; the inbound burst of the `inbound` scenario (200
 * POSTs × 50 messages at 10 connections; 10 in the smoke run); then a second subscription (message.received) to
 * `/hang` and the same burst again. Waits for processing and delivery (bounded) after each.
 */
async function runWebhooks(def, h) {
  if (!(await inboundAvailable(h.apiUrl))) return { skipped: 'not yet: the api does not serve POST /webhooks/meta', runs: [] };
  const api = apiClient(h);
  try {
    await api('GET', '/v1/webhook_subscriptions?limit=1');
  } catch {
    return { skipped: 'not yet: the api does not serve /v1/webhook_subscriptions', runs: [] };
  }
  const port = await h.freePort(43140);
  const receiverUrl = `http://127.0.0.1:${port}`;
  const receiver = h.startChild(
    'webhook-receiver',
    [fileURLToPath(import.meta.url), 'receiver', String(port)],
    process.env,
    `${h.localDir}/webhook-receiver.log`,
  );
  const timeoutMs = h.smoke ? 30_000 : 120_000;
  const subscriptions = [];
  try {
    await h.waitHttp(receiver, `${receiverUrl}/_health`);
    const webhook = {
      secret: h.metaAppSecret,
      batch: TARGETS.inboundBatch,
      numbers: h.messaging.accounts.map((a) => ({
        phoneNumberId: a.phoneNumberId,
        wabaId: a.wabaId,
        display: a.displayPhoneNumber,
        waIds: a.waIds,
      })),
    };
    const burst = h.smoke ? 10 : 200;
    // A warm-up burst before any subscription: the burst's new users become contacts and conversations now,
    // so both measured phases carry the same events (message.received, not also contact/conversation.created).
    const warmSince = Date.now();
    await h.load({
      url: `${h.apiUrl}/webhooks/meta`,
      method: 'POST',
      headers: {},
      webhook: { ...webhook, tag: 'ww' },
      connections: 10,
      amount: burst,
    });
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200))
      if ((await inboundState(h.databaseUrl, warmSince, 'ww')).unprocessed === 0) break;
    await waitRelayed(h, timeoutMs);
    const ok = await api('POST', '/v1/webhook_subscriptions', { url: `${receiverUrl}/ok`, events: ['*'], description: 'bench receiver' });
    subscriptions.push(ok.data.id);
    const common = { receiverUrl, receiver, webhook, burst, timeoutMs };
    const alone = await phase(h, { ...common, tag: 'wa' });
    const hanging = await api('POST', '/v1/webhook_subscriptions', {
      url: `${receiverUrl}/hang`,
      events: ['message.received'],
      description: 'bench hanging endpoint',
    });
    subscriptions.push(hanging.data.id);
    const beside = await phase(h, { ...common, tag: 'wh', hangingId: hanging.data.id });
    const memory_after = { worker: h.memoryOf(h.worker.pid), api: h.memoryOf(h.api.pid), receiver: h.memoryOf(receiver.pid) };
    return {
      runs: [alone, beside],
      alone,
      with_hanging: beside,
      memory_after,
      subscriptions: { ok: ok.data.id, hanging: hanging.data.id },
    };
  } finally {
    // The hanging subscription would keep retrying its backlog through the rest of the run.
    for (const id of subscriptions) await api('DELETE', `/v1/webhook_subscriptions/${id}`).catch(() => undefined);
    await h.stopChild(receiver);
  }
}

export const WEBHOOK_SCENARIOS = [
  {
    name: 'webhooks',
    label: 'inbound burst → webhook delivered (+ a hanging endpoint)',
    messaging: true, // the 50 connected accounts of the messaging seed
    run: runWebhooks,
    evaluate: evaluateWebhooks,
    describe: describeWebhooks,
  },
];

// ------------------------------------------------------------------------------------------- report

/** Spec 08's webhook targets against a run: p99 ≤ 1 s and all delivered, alone and beside the hanging one. */
export function evaluateWebhooks(s, smoke) {
  if (smoke || s.skipped) return [];
  const checks = [];
  for (const [r, where] of [
    [s.alone, 'alone'],
    [s.with_hanging, 'beside a hanging endpoint'],
  ]) {
    const d = r.delivery;
    checks.push({
      what: `delivered p99 ≤ ${WEBHOOK_TARGETS.deliveredP99Ms} ms ${where} (${d.latency_ms.p99} ms)`,
      ok: !r.failed && d.latency_ms.p99 !== null && d.latency_ms.p99 <= WEBHOOK_TARGETS.deliveredP99Ms,
    });
    checks.push({
      what: `≥ ${TARGETS.inboundPerSecond.toLocaleString('en-US')} messages/s processed ${where} (${Math.round(r.inbound.per_s ?? 0).toLocaleString('en-US')})`,
      ok: !r.failed && (r.inbound.per_s ?? 0) >= TARGETS.inboundPerSecond,
    });
    checks.push({
      what: `each delivered once ${where} (${d.missing} missing, ${d.duplicates} duplicates)`,
      ok: d.missing === 0 && d.duplicates === 0,
    });
  }
  return checks;
}

/** One console line. */
export function describeWebhooks(s, fmt) {
  if (s.skipped) return `${s.label.padEnd(42)} ${s.skipped}`;
  const one = (r) => {
    const d = r.delivery;
    return (
      `${r.mode}: ${fmt(r.inbound.messages_stored)} messages processed at ${fmt(r.inbound.per_s)}/s; ${fmt(d.delivered)} of ${fmt(d.expected)} delivered, ` +
      `${fmt(d.duplicates)} duplicates; commit → delivered p50 ${fmt(d.latency_ms.p50, 1)} p95 ${fmt(d.latency_ms.p95, 1)} p99 ${fmt(d.latency_ms.p99, 1)} max ${fmt(d.latency_ms.max)} ms; ` +
      `cores busy worker ${fmt(r.cpu.cores.worker, 2)}, api ${fmt(r.cpu.cores.api, 2)}, PostgreSQL ${fmt(r.cpu.cores.postgresql, 2)}, receiver ${fmt(r.cpu.cores.receiver, 2)}` +
      (r.hanging ? `; hanging endpoint: ${fmt(r.hanging.requests)} requests held` : '') +
      (r.failed ? `  FAILED (${r.ok_2xx} 2xx, ${r.non_2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)` : '')
    );
  };
  return `${s.label}\n  ${one(s.alone)}\n  ${one(s.with_hanging)}`;
}

/** The webhooks table (one row per phase). */
export function webhooksTable(scenarios, { fmt, smoke }) {
  const s = scenarios.find((o) => o.name === 'webhooks');
  if (!s) return '';
  const lines = [
    '| phase | inbound burst | messages/s processed | message.received delivered / expected | missing / duplicates | commit → delivered p50 / p95 / p99 / max ms | cores busy: worker / api / PostgreSQL / receiver / sandbox | CPU µs per message: worker / api / PostgreSQL | target |',
    '|---|---|--:|--:|--:|--:|--:|--:|---|',
  ];
  if (s.skipped) return [...lines, `| ${s.label} | | | | | | | | ${s.skipped} |`].join('\n');
  for (const [r, where] of [
    [s.alone, 'alone'],
    [s.with_hanging, 'beside a hanging endpoint'],
  ]) {
    const d = r.delivery;
    const l = d.latency_ms;
    const c = r.cpu.cores;
    const u = r.cpu_us_per_request;
    const marks = smoke
      ? ''
      : (s.targets ?? [])
          .filter((t) => t.what.includes(where))
          .map((t) => `${t.ok ? '✅' : '❌'} ${t.what.replace(` ${where}`, '')}`)
          .join('; ');
    const bad = r.non_2xx + r.errors + r.timeouts;
    lines.push(
      `| ${where === 'alone' ? 'one subscription (`*`) to the receiver' : `the same + a hanging endpoint (${fmt(r.hanging?.requests)} requests held open)`} | ` +
        `${fmt(r.ok_2xx)} POSTs × 50, 10 conn.${bad ? ` (**${fmt(bad)} failed**)` : ''} | ${fmt(r.inbound.per_s)} | ${fmt(d.delivered)} / ${fmt(d.expected)} | ` +
        `${fmt(d.missing)} / ${fmt(d.duplicates)} | ${fmt(l.p50)} / ${fmt(l.p95)} / **${fmt(l.p99)}** / ${fmt(l.max)} | ` +
        `${[c.worker, c.api, c.postgresql, c.receiver, c.sandbox].map((v) => fmt(v, 2)).join(' / ')} | ${[u.worker, u.api, u.postgresql].map((v) => fmt(v)).join(' / ')} | ${marks} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'receiver') startReceiver(Number(process.argv[3]));
