#!/usr/bin/env node
// The benchmark's baseline (spec 08): a bare Node HTTP server that, per request, does one INSERT into
// PostgreSQL and one LPUSH into Redis, pooled like the app (a pg pool of DATABASE_POOL_SIZE connections,
// one ioredis connection). What a request costs with no framework at all: the ceiling the api's
// scenarios are compared with.
// Environment: DATABASE_URL, REDIS_URL, REDIS_PREFIX, BASELINE_PORT, DATABASE_POOL_SIZE (10).
// Prints "listening <port>" once it accepts requests; SIGTERM closes it.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE || 10) });
const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
const listKey = `${process.env.REDIS_PREFIX ?? 'kirim:bench:'}baseline`;

await pool.query(`CREATE TABLE IF NOT EXISTS bench_baseline (
  id bigserial PRIMARY KEY,
  request_id text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
)`);

const server = http.createServer(async (req, res) => {
  try {
    const requestId = randomUUID();
    const payload = JSON.stringify({ method: req.method, url: req.url, at: Date.now() });
    await pool.query('INSERT INTO bench_baseline (request_id, payload) VALUES ($1, $2)', [requestId, payload]);
    await redis.lpush(listKey, requestId);
    const body = JSON.stringify({ ok: true, request_id: requestId });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(error?.message ?? error));
  }
});
server.keepAliveTimeout = 65_000;

server.listen(Number(process.env.BASELINE_PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections?.();
  void Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
});
