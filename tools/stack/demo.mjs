#!/usr/bin/env node
// `npm run demo -- <command>`: the messaging demo of a running `npm start` stack, for a person trying
// Kirim. It reads .kirim/stack.json (the API URL, the seeded key, the demo customer) and talks to the
// API and to the Meta sandbox's control API exactly as printed by `npm start`:
//
//   npm run demo                          the demo customer's connected number (after Finish on the onboarding page)
//   npm run demo -- send [to] [text]      sends from that number (a template, or `text` inside the 24 h window)
//                                         and follows the message to "read"
//   npm run demo -- reply [text] [from]   the recipient answers through the sandbox; it shows up as inbound
//   npm run demo -- inbox                 the number's latest messages, both directions
import { join } from 'node:path';
import { readJson, requestJson, root, sleep } from './lib.mjs';

const DEFAULT_RECIPIENT = '15551234567';

// KIRIM_STACK_FILE: another stack's file (the messaging tests run this script against their own stack).
const stack = readJson(process.env.KIRIM_STACK_FILE ?? join(root, '.kirim', 'stack.json'));
if (!stack?.api_url || !stack.api_key) {
  console.error('npm run demo: no running stack found (.kirim/stack.json); start it with `npm start`.');
  process.exit(1);
}
const api = `http://127.0.0.1:${new URL(stack.api_url).port || 80}`;
const sandbox = stack.meta_sandbox_url;
const call = (method, path, body) => requestJson(`${api}${path}`, { method, apiKey: stack.api_key, body });

function die(message) {
  console.error(`npm run demo: ${message}`);
  process.exit(1);
}

async function demoNumber() {
  if (!stack.demo_customer_id) die('the stack has no demo customer (was the onboarding app started?).');
  const res = await call('GET', `/v1/accounts?customer_id=${stack.demo_customer_id}&status=approved&limit=1`);
  if (res.status !== 200) die(`GET /v1/accounts answered ${res.status}: ${JSON.stringify(res.body)}`);
  const account = res.body.data[0];
  if (!account) {
    die(
      `the demo customer has no connected number yet: open ${stack.demo_setup_url ?? 'its setup link'}, press "Connect WhatsApp", then Finish.`,
    );
  }
  return account;
}

/**
 * Meta gives every WABA an approved `hello_world` template; the sandbox's WABAs get one here (a conflict
 * means it is there already), and Kirim mirrors it through `POST …/templates/sync`, since only an approved
 * template Kirim knows can be sent.
 */
async function ensureHelloWorld(account) {
  if (sandbox) {
    const res = await requestJson(`${sandbox}/_sandbox/templates`, {
      method: 'POST',
      body: {
        waba_id: account.waba_id,
        name: 'hello_world',
        language: 'en_US',
        category: 'UTILITY',
        status: 'APPROVED',
        components: [{ type: 'BODY', text: 'Hello World' }],
      },
    });
    if (res.status >= 300 && res.status !== 409) die(`the sandbox answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  const sync = await call('POST', `/v1/${account.phone_number_id}/templates/sync`);
  if (sync.status !== 200) die(`POST …/templates/sync answered ${sync.status}: ${JSON.stringify(sync.body)}`);
}

function sendBody(to, text) {
  return text
    ? { to, type: 'text', text: { body: text } }
    : { to, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } };
}

function curlSend(pn, body) {
  return [
    `curl -s -X POST ${stack.api_url}/v1/${pn}/messages \\`,
    `  -H "Authorization: Bearer ${stack.api_key}" -H "Content-Type: application/json" \\`,
    `  -H "Idempotency-Key: $(date +%s%N)" -d '${JSON.stringify(body)}'`,
  ].join('\n');
}

async function follow(pn, id) {
  let last;
  for (let i = 0; i < 200; i++) {
    const res = await call('GET', `/v1/${pn}/messages/${id}`);
    const message = res.body?.data;
    if (message?.status && message.status !== last) {
      console.log(
        `  ${new Date().toISOString().slice(11, 23)}  ${message.status}${message.error ? ` ${JSON.stringify(message.error)}` : ''}`,
      );
      last = message.status;
    }
    if (message?.status === 'read' || message?.status === 'failed') {
      // The sandbox moves a message along in well under a second; the stored times show every step.
      const steps = ['created_at', 'sent_at', 'delivered_at', 'read_at', 'failed_at'].filter((k) => message[k]);
      console.log(
        `  as stored: ${steps.map((k) => `${k.replace('_at', '')} ${message[k].slice(11, 23)}`).join(' → ')} (wamid ${message.wamid})`,
      );
      return;
    }
    await sleep(150);
  }
  console.log('  (still not read after 30 s)');
}

async function main() {
  const [command = 'number', ...args] = process.argv.slice(2);
  if (command === 'number') {
    const account = await demoNumber();
    await ensureHelloWorld(account);
    console.log(`Demo number: ${account.display_phone_number ?? ''} phone_number_id ${account.phone_number_id} (account ${account.id})`);
    console.log('\nSend a message with one curl:\n');
    console.log(curlSend(account.phone_number_id, sendBody(DEFAULT_RECIPIENT)));
    console.log(`\nor: npm run demo -- send; then npm run demo -- reply "Hi!"`);
    return;
  }
  if (command === 'send') {
    const [to = DEFAULT_RECIPIENT, text] = args;
    const account = await demoNumber();
    if (!text) await ensureHelloWorld(account);
    const res = await call('POST', `/v1/${account.phone_number_id}/messages`, sendBody(to, text));
    if (res.status !== 202) die(`POST …/messages answered ${res.status}: ${JSON.stringify(res.body)}`);
    console.log(`Sent ${res.body.data.id} to +${to} from ${account.phone_number_id}; its status:`);
    await follow(account.phone_number_id, res.body.data.id);
    return;
  }
  if (command === 'reply') {
    const [text = 'Hi! Thanks for the message.', from = DEFAULT_RECIPIENT] = args;
    if (!sandbox) die('the stack runs no Meta sandbox.');
    const account = await demoNumber();
    const res = await requestJson(`${sandbox}/_sandbox/webhooks/inbound`, {
      method: 'POST',
      body: {
        phone_number_id: account.phone_number_id,
        messages: [{ from, type: 'text', text: { body: text }, profile_name: 'Demo Recipient' }],
      },
    });
    if (res.status >= 300) die(`the sandbox answered ${res.status}: ${JSON.stringify(res.body)}`);
    const wamid = res.body?.messages?.[0]?.wamid;
    console.log(`The sandbox delivered a reply from +${from} (${wamid}); waiting for Kirim to store it …`);
    for (let i = 0; i < 40; i++) {
      const list = await call('GET', `/v1/${account.phone_number_id}/messages?direction=inbound&limit=5`);
      const found = list.body?.data?.find((m) => m.wamid === wamid);
      if (found) {
        console.log(`  inbound ${found.id}: ${JSON.stringify(found.content)} (conversation ${found.conversation_id})`);
        return;
      }
      await sleep(250);
    }
    die('the reply did not show up within 10 s (is the worker running?).');
  }
  if (command === 'inbox') {
    const account = await demoNumber();
    const list = await call('GET', `/v1/${account.phone_number_id}/messages?limit=10`);
    for (const m of list.body?.data ?? []) {
      console.log(
        `${m.created_at}  ${m.direction.padEnd(8)} ${m.status.padEnd(9)} ${m.type.padEnd(9)} ${JSON.stringify(m.content).slice(0, 80)}`,
      );
    }
    return;
  }
  die(`unknown command '${command}' (number, send, reply, inbox)`);
}

main().catch((error) => die(error?.stack ?? String(error)));
