import { QUEUES } from '@kirim/contracts';
import { type JobHandlers, ProcessQueue, QueueProcessor } from '@kirim/platform';
import { SetupLinksService } from '../application/setup-links.service';

/** Tenancy's maintenance: a status sweep, idempotent, so a re-run after a crash is harmless. */
@ProcessQueue(QUEUES.tenancyMaintenance)
export class TenancyMaintenanceProcessor extends QueueProcessor<typeof QUEUES.tenancyMaintenance> {
  constructor(private readonly setupLinks: SetupLinksService) {
    super();
  }

  protected readonly handlers: JobHandlers<typeof QUEUES.tenancyMaintenance> = {
    expire_setup_links: async () => ({ expired: await this.setupLinks.expireDue() }),
  };
}
