import { Injectable } from '@nestjs/common';
import { AccountHealthHandler } from './account-health.handler';
import type { MetaChange } from './meta-payload';
import { TemplateStatusHandler } from './template-status.handler';

/**
 * Applies the changes of one webhook field other than `messages` (templates' status updates, account
 * health). It runs inside the payload's processing transaction, after its messages and statuses, so what
 * it writes (rows and events, through the owning context's services and `EventWriter`) commits with the
 * payload marked processed — or not at all, and the payload is retried.
 */
export interface MetaChangeHandler {
  /** The webhook fields it applies, e.g. `message_template_status_update`. */
  readonly fields: readonly string[];
  /** Applies the changes (all of its fields, payload order); returns notes for what it kept but did not apply. */
  apply(changes: readonly MetaChange[], now: Date): Promise<string[]>;
}

/**
 * Routes the changes of a payload to the handler of their field. A field no handler claims is kept in
 * the stored payload and noted (`field X`), never an error. Handlers are listed in the constructor: one
 * per context concern, each injected like any provider.
 */
@Injectable()
export class MetaChangeRouter {
  private readonly byField = new Map<string, MetaChangeHandler>();

  constructor(accountHealth: AccountHealthHandler, templateStatus: TemplateStatusHandler) {
    const handlers: MetaChangeHandler[] = [accountHealth, templateStatus];
    for (const handler of handlers) {
      for (const field of handler.fields) {
        if (this.byField.has(field)) throw new Error(`two Meta change handlers claim the field ${field}`);
        this.byField.set(field, handler);
      }
    }
  }

  async apply(changes: readonly MetaChange[], now: Date): Promise<string[]> {
    const notes: string[] = [];
    const grouped = new Map<MetaChangeHandler, MetaChange[]>();
    const unclaimed = new Map<string, number>();
    for (const change of changes) {
      const handler = this.byField.get(change.field);
      if (!handler) {
        unclaimed.set(change.field, (unclaimed.get(change.field) ?? 0) + 1);
        continue;
      }
      const list = grouped.get(handler) ?? [];
      list.push(change);
      grouped.set(handler, list);
    }
    for (const [handler, list] of grouped) notes.push(...(await handler.apply(list, now)));
    for (const [field, count] of unclaimed) notes.push(count === 1 ? `field ${field}` : `field ${field} (×${count})`);
    return notes;
  }
}
