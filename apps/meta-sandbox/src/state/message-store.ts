import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { InboundMessage, MessageRecord, OutboundMessage, ReadMark } from './messaging-model';

/** Messages kept for the control API; the oldest go first (benchmarks send a lot). */
export const MESSAGE_STORE_CAPACITY = 20_000;
export const READ_MARK_CAPACITY = 5_000;

export interface MessageFilter {
  direction?: 'outbound' | 'inbound';
  phone_number_id?: string;
  /** Digits of the user's number (`to` of a send, `from` of an inbound message). */
  wa_id?: string;
  type?: string;
  /** Only messages received at or after this ISO time. */
  since?: string;
  /** At most this many, the most recent ones. */
  limit?: number;
}

/**
 * Every send the sandbox accepted (with its wamid, number, body, receive time and the status webhooks
 * planned for it), every inbound message it injected, and mark-as-read calls. Also the customer
 * service windows that the injected inbound messages open.
 */
@Injectable()
export class MessageStore {
  private readonly messages = new Map<string, MessageRecord>();
  private readMarks: ReadMark[] = [];
  /** `${phone_number_id}:${wa_id}` → time of the user's last inbound message. */
  private readonly lastInbound = new Map<string, number>();
  private counts = { outbound: 0, inbound: 0, read_marks: 0 };

  constructor(private readonly clock: Clock) {}

  reset(): void {
    this.messages.clear();
    this.readMarks = [];
    this.lastInbound.clear();
    this.counts = { outbound: 0, inbound: 0, read_marks: 0 };
  }

  add(record: MessageRecord): void {
    this.messages.set(record.wamid, record);
    this.counts[record.direction] += 1;
    if (record.direction === 'inbound') {
      this.lastInbound.set(`${record.phone_number_id}:${record.from}`, Date.parse(record.received_at));
    }
    if (this.messages.size > MESSAGE_STORE_CAPACITY) {
      const oldest = this.messages.keys().next();
      if (!oldest.done) this.messages.delete(oldest.value);
    }
  }

  get(wamid: string): MessageRecord | undefined {
    return this.messages.get(wamid);
  }

  outbound(wamid: string): OutboundMessage | undefined {
    const record = this.messages.get(wamid);
    return record?.direction === 'outbound' ? record : undefined;
  }

  inbound(wamid: string): InboundMessage | undefined {
    const record = this.messages.get(wamid);
    return record?.direction === 'inbound' ? record : undefined;
  }

  list(filter: MessageFilter = {}): MessageRecord[] {
    const since = filter.since === undefined ? undefined : Date.parse(filter.since);
    const matches = [...this.messages.values()].filter(
      (m) =>
        (filter.direction === undefined || m.direction === filter.direction) &&
        (filter.phone_number_id === undefined || m.phone_number_id === filter.phone_number_id) &&
        (filter.wa_id === undefined || (m.direction === 'outbound' ? m.wa_id : m.from) === filter.wa_id) &&
        (filter.type === undefined || m.type === filter.type) &&
        (since === undefined || Date.parse(m.received_at) >= since),
    );
    return filter.limit === undefined ? matches : matches.slice(-filter.limit);
  }

  /** How many were recorded since the last reset (also those dropped for capacity). */
  totals(): { outbound: number; inbound: number; read_marks: number } {
    return { ...this.counts };
  }

  addReadMark(mark: ReadMark): void {
    this.readMarks.push(mark);
    this.counts.read_marks += 1;
    if (this.readMarks.length > READ_MARK_CAPACITY) this.readMarks.splice(0, this.readMarks.length - READ_MARK_CAPACITY);
  }

  listReadMarks(phoneNumberId?: string): ReadMark[] {
    return this.readMarks.filter((m) => phoneNumberId === undefined || m.phone_number_id === phoneNumberId).map((m) => ({ ...m }));
  }

  /** Is the user's customer service window open (an inbound message within `hours`)? */
  windowOpen(phoneNumberId: string, waId: string, hours: number): boolean {
    const last = this.lastInbound.get(`${phoneNumberId}:${waId}`);
    return last !== undefined && this.clock.now() - last < hours * 3_600_000;
  }
}
