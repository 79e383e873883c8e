import { Injectable } from '@nestjs/common';
import {
  AppError,
  type EventResource,
  type Page,
  Paginator,
  scopeKey,
  scopeSees,
  type TenantScope,
  toEventResource,
} from '@kirim/platform';
import { cursorFilters, parseEventFilters, type RawEventFilters } from '../domain/event-log';
import { EventsRepository } from '../infrastructure/events.repository';

export interface ListEventsInput extends RawEventFilters {
  limit?: number | undefined;
  cursor?: string | undefined;
}

const PURGE_BATCH_SIZE = 5000;

/**
 * The event log API (spec 06 § Events): list and read an organization's events, newest first, scoped
 * to the caller's tenant scope; and the 30-day retention purge run by the worker. Used by the HTTP controller, and by
 * MCP tools alike, so all validation happens here.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly events: EventsRepository,
    private readonly paginator: Paginator,
  ) {}

  async list(scope: TenantScope, input: ListEventsInput): Promise<Page<EventResource>> {
    const raw: RawEventFilters = {
      type: input.type,
      customer_id: input.customer_id,
      created_after: input.created_after,
      created_before: input.created_before,
    };
    const filters = parseEventFilters(raw);
    return this.paginator.paginate({
      query: { limit: input.limit, cursor: input.cursor },
      scope: `events:${scopeKey(scope)}`,
      filters: cursorFilters(raw, filters),
      fetch: (page) => this.events.list(scope, filters, page),
      map: toEventResource,
    });
  }

  /** One event; unknown, another organization's, or (restricted key) another customer's → 404. */
  async get(scope: TenantScope, id: string): Promise<EventResource> {
    const event = await this.events.findById(scope, id);
    // The repository already scopes the read; checking again costs nothing and guards against a slip there.
    if (!event || !scopeSees(scope, event)) throw AppError.notFound('event', id);
    return toEventResource(event);
  }

  /** Retention: deletes every event created before `cutoff` (the worker passes now − 30 days). */
  purgeOlderThan(cutoff: Date): Promise<number> {
    return this.events.deleteCreatedBefore(cutoff, PURGE_BATCH_SIZE);
  }
}
