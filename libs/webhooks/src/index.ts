// Public face of the webhooks context: modules, application services and their types.
export * from './webhooks.module';
export * from './webhooks-http.module';
export * from './webhooks-jobs.module';
export { EventsService, type ListEventsInput } from './application/events.service';
export { EVENT_RETENTION_DAYS, EVENT_RETENTION_MS, type EventFilters } from './domain/event-log';
export {
  SubscriptionsService,
  type CreateSubscriptionInput,
  type SubscriptionWithSecret,
  type UpdateSubscriptionInput,
} from './application/subscriptions.service';
export { DeliveriesService, BULK_REPLAY_LIMIT } from './application/deliveries.service';
export { OutboxRelayService, type RelayedBatch } from './application/outbox-relay.service';
export { DelivererService } from './application/deliverer.service';
