#!/usr/bin/env node
// One load run with autocannon, in its own process so the generator never shares an event loop with the
// harness or the servers under test. Started by tools/bench/run.mjs:
//   node tools/bench/load.mjs '<json>'
// (or node tools/bench/load.mjs @<file with the json>) where <json> is { url, method, headers, body, connections, duration, overallRate?, idempotencyKey?,
// amount?, variants?, record?, webhook? }:
//   amount    a number of requests instead of a duration;
//   variants  [{path, body}] taken in turn, one per request (the messaging scenarios' numbers and contacts);
//   record    a file: [[data.id, epoch ms of the answer], …] of every 2xx is written there (send → receipt);
//   webhook   {secret, batch, numbers: [{phoneNumberId, wabaId, display, waIds}], tag}: each request is a
//             fresh Meta webhook POST (`batch` changes of one text message each, for one number in turn,
//             wamids `wamid.bench-<tag>-…`), signed X-Hub-Signature-256 with `secret`.
// Prints one line of JSON (the figures the harness records) on stdout; exits 0 when autocannon ran.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

const arg = process.argv[2] ?? '{}';
const spec = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg);

let turn = 0; // shared by every connection: consecutive requests take consecutive variants
const recorded = [];
const { webhook } = spec;

/** One Meta webhook POST body: `batch` changes of one inbound text each, for the next number. */
function webhookBody() {
  const n = webhook.numbers[turn++ % webhook.numbers.length];
  const ts = String(Math.floor(Date.now() / 1000));
  const changes = [];
  for (let i = 0; i < webhook.batch; i++) {
    const seq = turn * webhook.batch + i;
    // 200 users per number: the seeded contacts, then new ones (created on their first message).
    const k = seq % 200;
    const from = n.waIds[k] ?? `6282${n.phoneNumberId.slice(-3)}${String(k).padStart(5, '0')}`;
    changes.push({
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: n.display.replace(/\D/g, ''), phone_number_id: n.phoneNumberId },
        contacts: [{ profile: { name: `Bench user ${k}` }, wa_id: from }],
        messages: [
          {
            from,
            id: `wamid.bench-${webhook.tag}-${process.pid}-${seq}`,
            timestamp: ts,
            type: 'text',
            text: { body: `Bench inbound ${seq}` },
          },
        ],
      },
      field: 'messages',
    });
  }
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: n.wabaId, changes }] });
}

const request = {
  method: spec.method ?? 'GET',
  ...(spec.body !== undefined && { body: JSON.stringify(spec.body) }),
  ...((spec.idempotencyKey || spec.variants || webhook) && {
    setupRequest: (req) => {
      if (spec.variants) {
        const v = spec.variants[turn++ % spec.variants.length];
        req.path = new URL(v.path, spec.url).pathname;
        req.body = JSON.stringify(v.body);
      }
      if (webhook) {
        req.body = webhookBody();
        const signature = createHmac('sha256', webhook.secret).update(req.body).digest('hex');
        req.headers = { ...req.headers, 'x-hub-signature-256': `sha256=${signature}` };
      }
      // A fresh Idempotency-Key per request: every POST is a new effect, never a replay.
      if (spec.idempotencyKey) req.headers = { ...req.headers, 'idempotency-key': randomUUID() };
      return req;
    },
  }),
  ...(spec.record && {
    onResponse: (status, body) => {
      if (status < 200 || status >= 300) return;
      const at = performance.timeOrigin + performance.now();
      try {
        recorded.push([JSON.parse(body).data.id, Math.round(at * 10) / 10]);
      } catch {
        // not a message: nothing to join
      }
    },
  }),
};

const options = {
  url: spec.url,
  method: request.method,
  headers: {
    accept: 'application/json',
    ...((spec.body !== undefined || spec.variants || webhook) && { 'content-type': 'application/json' }),
    ...spec.headers,
  },
  connections: spec.connections,
  ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration }),
  pipelining: 1,
  timeout: 10,
  requests: [request],
  ...(spec.overallRate && { overallRate: spec.overallRate }),
};

const started = process.hrtime.bigint();
autocannon(options, (error, result) => {
  const ended = process.hrtime.bigint();
  if (error) {
    process.stderr.write(`autocannon: ${error.message}\n`);
    process.exit(1);
  }
  if (spec.record) writeFileSync(spec.record, JSON.stringify(recorded));
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  const out = {
    // CLOCK_MONOTONIC microseconds, comparable with the api's CPU profile timestamps (same machine).
    window_us: [Number(started / 1000n), Number(ended / 1000n)],
    duration_s: result.duration,
    connections: result.connections,
    requests_total: result.requests.total,
    req_per_s: Math.round((result['2xx'] / result.duration) * 10) / 10,
    req_per_s_all: Math.round((result.requests.total / result.duration) * 10) / 10,
    latency_ms: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    ok_2xx: result['2xx'],
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    status_codes: statusCodes,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
});
