import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kirim/platform';
import { DelivererService } from '../application/deliverer.service';
import { OutboxRelayService } from '../application/outbox-relay.service';

/** Events taken from the outbox per relay transaction. */
export const RELAY_BATCH_SIZE = 500;
/** After a failed round (PostgreSQL away), wait this long before the next. */
const ERROR_BACKOFF_MS = 1_000;

/**
 * The worker's two loops (started when WEBHOOK_DELIVERY_ENABLED): the outbox relay, which runs back to back
 * while batches come full and otherwise every WEBHOOK_POLL_MS, waking the deliverer for the subscriptions it
 * fed; and the deliverer's poll. They are loops over PostgreSQL rather than BullMQ jobs because the table is
 * the queue (decision 70): nothing sits between commit and delivery that could be lost. Every process may run
 * them; `SKIP LOCKED` splits the work. On shutdown both stop and the attempts in flight finish first.
 */
@Injectable()
export class WebhookDeliveryLoops implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDeliveryLoops');
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly relay: OutboxRelayService,
    private readonly deliverer: DelivererService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.WEBHOOK_DELIVERY_ENABLED) return;
    this.running = true;
    this.loops = [this.loop('relay', () => this.relayOnce()), this.loop('deliverer', () => this.deliverer.poll().then(() => false))];
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    for (const wake of this.sleepers) wake();
    await Promise.allSettled(this.loops);
    await this.deliverer.stop();
  }

  /** One relay batch; true when it came full (run again at once). */
  private async relayOnce(): Promise<boolean> {
    const batch = await this.relay.relayBatch(RELAY_BATCH_SIZE);
    if (batch.subscriptions.length > 0) this.deliverer.wake(batch.subscriptions);
    return batch.events === RELAY_BATCH_SIZE;
  }

  private async loop(name: string, round: () => Promise<boolean>): Promise<void> {
    while (this.running) {
      let again = false;
      try {
        again = await round();
      } catch (error) {
        this.logger.error({ msg: `webhook ${name} round failed`, err: error });
        await this.sleep(ERROR_BACKOFF_MS);
        continue;
      }
      if (!again) await this.sleep(this.config.WEBHOOK_POLL_MS);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
