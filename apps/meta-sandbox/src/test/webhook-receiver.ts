import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The exact bytes received. */
  raw: string;
  body: WebhookBody;
  at: number;
}

export interface WebhookBody {
  object: string;
  entry: {
    id: string;
    time?: number;
    changes: { field: string; value: Record<string, unknown> & { statuses?: StatusItem[]; messages?: Record<string, unknown>[] } }[];
  }[];
}

export interface StatusItem {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  pricing?: Record<string, unknown>;
  conversation?: Record<string, unknown>;
  errors?: Record<string, unknown>[];
  [key: string]: unknown;
}

/** A stand-in for Kirim's `POST /webhooks/meta`: records every POST and answers what the test says. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Status codes to answer, in order; the last one repeats. */
  private answers: number[] = [200];
  private delayMs = 0;
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/webhooks/meta'): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => holder.receiver?.handle(req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${path}`);
    return holder.receiver;
  }

  private handle(headers: IncomingHttpHeaders, raw: string, res: import('node:http').ServerResponse): void {
    let body: WebhookBody;
    try {
      body = JSON.parse(raw) as WebhookBody;
    } catch {
      body = { object: 'unparseable', entry: [] };
    }
    const status = this.answers.length > 1 ? (this.answers.shift() as number) : (this.answers[0] ?? 200);
    // Recorded on arrival: a POST the sender gave up on (timeout) still counts as received, and a
    // clear() between tests drops it.
    this.received.push({ headers, raw, body, at: Date.now() });
    const answer = () => {
      res.statusCode = status;
      res.end(status === 200 ? 'EVENT_RECEIVED' : 'nope');
      for (const w of this.waiters.splice(0)) w();
    };
    if (this.delayMs > 0) setTimeout(answer, this.delayMs);
    else answer();
  }

  /** Answer these statuses in turn (the last one sticks). */
  answerWith(...statuses: number[]): void {
    this.answers = statuses.length ? statuses : [200];
  }

  /** Delay every answer. */
  slowDown(ms: number): void {
    this.delayMs = ms;
  }

  clear(): void {
    this.received.length = 0;
    this.answers = [200];
    this.delayMs = 0;
  }

  /** Every status item received, in arrival order. */
  statuses(): StatusItem[] {
    return this.received.flatMap((r) => r.body.entry.flatMap((e) => e.changes.flatMap((c) => c.value.statuses ?? [])));
  }

  messages(): Record<string, unknown>[] {
    return this.received.flatMap((r) => r.body.entry.flatMap((e) => e.changes.flatMap((c) => c.value.messages ?? [])));
  }

  /** Resolves once `predicate` holds (checked after every POST), or fails after `timeoutMs`. */
  async waitFor(predicate: (r: this) => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`webhook receiver: condition not met within ${timeoutMs} ms (${this.received.length} POSTs received)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What Kirim must check: `sha256=` + hex HMAC-SHA256 of the raw bytes with the app secret. */
export function expectedSignature(raw: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw, 'utf8').digest('hex')}`;
}
