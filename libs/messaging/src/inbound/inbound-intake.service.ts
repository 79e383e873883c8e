import { Inject, Injectable, Logger } from '@nestjs/common';
import { QUEUES } from '@kirim/contracts';
import { APP_CONFIG, type AppConfig, AppError, InjectJobQueue, type JobQueue, parseJsonBody, pooledPrng } from '@kirim/platform';
import { monotonicFactory } from 'ulid';
import { InboundRepository } from './inbound.repository';
import { constantTimeEquals, isValidMetaSignature } from './meta-signature';

const nextUlid = monotonicFactory(pooledPrng);

/**
 * The api's half of Meta's webhook (spec 05 § Inbound): the verification handshake, and the intake of a
 * POST — signature over the raw bytes first (nothing is parsed or stored for a bad one), then the JSON
 * check, then ONE insert of the exact bytes; the 200 follows. The processing job is enqueued after that
 * insert without holding the answer (a lost enqueue is found again by the payload sweep). No per-message
 * work happens here: a batch of 1,000 changes costs what a batch of one costs.
 */
@Injectable()
export class InboundIntakeService {
  private readonly logger = new Logger('MetaWebhookIntake');

  constructor(
    private readonly repo: InboundRepository,
    @InjectJobQueue(QUEUES.messagingInbound) private readonly queue: JobQueue<typeof QUEUES.messagingInbound>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `GET /webhooks/meta`: the challenge when `hub.mode=subscribe` and the verify token matches, else 403. */
  handshake(query: Record<string, unknown>): string {
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (mode !== 'subscribe' || typeof token !== 'string' || !constantTimeEquals(token, this.config.META_VERIFY_TOKEN)) {
      throw new AppError('invalid_verify_token', "The verification needs hub.mode=subscribe and Kirim's verify token.");
    }
    if (typeof challenge !== 'string' || challenge.length === 0) {
      throw AppError.invalid('hub.challenge', "'hub.challenge' is required.");
    }
    return challenge;
  }

  /** `POST /webhooks/meta`: verified, parsed, stored — then the caller answers 200. */
  async receive(rawBody: Buffer | undefined, signature: string | string[] | undefined): Promise<string> {
    const bytes = rawBody ?? Buffer.alloc(0);
    if (!isValidMetaSignature(bytes, signature, this.config.META_APP_SECRET)) {
      throw new AppError('invalid_signature', "X-Hub-Signature-256 must be 'sha256=' and the HMAC-SHA256 of the body with the app secret.");
    }
    if (bytes.length === 0) throw new AppError('invalid_json', 'The request body is empty.');
    parseJsonBody(bytes);
    const id = nextUlid();
    await this.repo.insertPayload(id, bytes);
    this.queue.add('process_payload', { payloadId: id }, { workId: id }).catch((error: unknown) => {
      this.logger.warn({ msg: 'enqueue of a stored Meta webhook failed; the sweep will process it', payload_id: id, err: error });
    });
    return id;
  }
}
