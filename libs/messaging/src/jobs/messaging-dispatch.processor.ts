import { QUEUES } from '@kirim/contracts';
import { type JobHandlers, ProcessQueue, QueueProcessor } from '@kirim/platform';
import { DispatchService } from '../application/dispatch.service';

/** Outbound dispatch and its sweep (see DispatchService). */
@ProcessQueue(QUEUES.messagingDispatch)
export class MessagingDispatchProcessor extends QueueProcessor<typeof QUEUES.messagingDispatch> {
  constructor(private readonly dispatcher: DispatchService) {
    super();
  }

  protected readonly handlers: JobHandlers<typeof QUEUES.messagingDispatch> = {
    dispatch: (payload, job) => this.dispatcher.dispatch(payload, job),
    sweep_pending: async () => ({ requeued: await this.dispatcher.sweepPending() }),
  };
}
