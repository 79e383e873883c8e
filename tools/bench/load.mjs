#!/usr/bin/env node
// One load run with autocannon, in its own process so the generator never shares an event loop with the
// harness or the servers under test. Started by tools/bench/run.mjs:
//   node tools/bench/load.mjs '<json>'
// where <json> is { url, method, headers, body, connections, duration, overallRate?, idempotencyKey? }.
// Prints one line of JSON (the figures the harness records) on stdout; exits 0 when autocannon ran.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2] ?? '{}');

const request = {
  method: spec.method ?? 'GET',
  ...(spec.body !== undefined && { body: JSON.stringify(spec.body) }),
  // A fresh Idempotency-Key per request: every POST is a new effect, never a replay.
  ...(spec.idempotencyKey && {
    setupRequest: (req) => {
      req.headers = { ...req.headers, 'idempotency-key': randomUUID() };
      return req;
    },
  }),
};

const options = {
  url: spec.url,
  method: request.method,
  headers: { accept: 'application/json', ...(spec.body !== undefined && { 'content-type': 'application/json' }), ...spec.headers },
  connections: spec.connections,
  duration: spec.duration,
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
