#!/usr/bin/env node
// The local webhook receiver of `npm start`: the demo organization's subscription points here, and every
// delivery is checked and printed as one line, e.g.
//   webhook  message.received  evt_…  cus_…  from +6281234567890 "Hi!"  ✓ signed
// It verifies the Standard Webhooks signature itself (no library), as an integrator's endpoint would, so a
// line that says "✓ signed" shows the whole chain works: event → relay → worker → signed POST.
//
// Environment: KIRIM_WEBHOOK_SECRET (the subscription's `whsec_…`, required), KIRIM_WEBHOOK_RECEIVER_PORT (3006).
// Answers 204 to a correctly signed POST, 401 to a badly signed one; GET /health answers 200.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.KIRIM_WEBHOOK_RECEIVER_PORT || 3006);
const secret = process.env.KIRIM_WEBHOOK_SECRET ?? '';
if (!secret.startsWith('whsec_')) {
  process.stderr.write('webhook-receiver: KIRIM_WEBHOOK_SECRET must be the subscription secret (whsec_…)\n');
  process.exit(1);
}
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');

/**
 * True when one `v1,<base64>` entry of the space-separated `webhook-signature` header is the HMAC-SHA256
 * of `${id}.${timestamp}.${body}` (several entries while a rotated secret still lives).
 */
function signatureMatches(headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signature.split(' ').some((entry) => {
    if (!entry.startsWith('v1,')) return false;
    const given = Buffer.from(entry.slice(3), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** `"text…"` for a text message, `[image]` and the like for others. */
function preview(message) {
  const content = message?.content ?? {};
  const text = content.text?.body;
  if (typeof text !== 'string') return `[${message?.type ?? Object.keys(content)[0] ?? 'message'}]`;
  const line = text.replace(/\s+/g, ' ');
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 59)}…` : line);
}

/** The most useful detail of an event, after its type, id and customer. */
function detail(event) {
  const data = event?.data ?? {};
  const { message } = data;
  if (event?.type === 'message.received') return `from ${data.contact?.phone_number ?? '?'} ${preview(message)}`;
  if (event?.type === 'message.created') return `${message?.id} ${preview(message)}`;
  if (event?.type?.startsWith('message.')) {
    return `${message?.id} status ${message?.status}${message?.error ? ` (${message.error.code}: ${message.error.message})` : ''}`;
  }
  // Otherwise the id (and status, when it has one) of the resource the event is about.
  const resource = Object.values(data).find((value) => value && typeof value === 'object' && typeof value.id === 'string');
  if (!resource || resource.id === event?.customer_id) return '';
  return `${resource.id}${resource.status ? ` ${resource.status}` : ''}`;
}

function describe(headers, body) {
  let event;
  try {
    event = JSON.parse(body);
  } catch {
    return `${headers['kirim-event-type'] ?? '?'}  ${headers['webhook-id'] ?? '?'}  (body is not JSON)`;
  }
  return [event.type, event.id, event.customer_id ?? '-', detail(event)].filter(Boolean).join('  ');
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return void res.writeHead(200).end('ok');
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const signed = signatureMatches(req.headers, body);
    const attempt = Number(req.headers['kirim-attempt'] ?? 1);
    const retry = attempt > 1 ? `  (attempt ${attempt})` : '';
    process.stdout.write(`webhook  ${describe(req.headers, body)}  ${signed ? '✓ signed' : '✗ bad signature'}${retry}\n`);
    res.writeHead(signed ? 204 : 401).end();
  });
});
server.listen(port, '127.0.0.1');
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
