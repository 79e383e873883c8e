import { Injectable } from '@nestjs/common';
import { CryptoService } from '../crypto/crypto.service';
import type { ErrorCode } from '../errors/error-catalogue';
import { Database } from '../persistence/database';
import { IDEMPOTENCY_TTL_MS } from './idempotency-key';

/** What a replay needs, sealed (AES-256-GCM) at rest because it may carry a one-time secret. */
export type StoredResponse =
  /** `enveloped`: `body` is the `{data…}` envelope without its `request_id` (re-added on replay). */
  | { kind: 'ok'; body: unknown; enveloped: boolean }
  | { kind: 'error'; code: ErrorCode; message: string; param?: string; headers: Record<string, string> };

export interface IdempotencyRecordView {
  fingerprint: string;
  statusCode: number;
  requestId: string;
  createdAt: Date;
  response: StoredResponse;
}

export interface NewIdempotencyRecord {
  orgId: string;
  key: string;
  fingerprint: string;
  statusCode: number;
  requestId: string;
  response: StoredResponse;
}

/**
 * The `idempotency_records` table. Every method except {@link purgeExpired} runs in the caller's
 * transaction (`db.tx`), which is what makes a stored response commit together with its effect.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly db: Database,
    private readonly crypto: CryptoService,
  ) {}

  /**
   * Takes the transaction-scoped advisory lock of (organization, key) without waiting; false when
   * another transaction holds it (the same key is being processed). Released at commit or rollback.
   */
  async tryLock(orgId: string, key: string): Promise<boolean> {
    const lockName = `${orgId}:${key}`;
    const rows = await this.db.tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtextextended(${lockName}::text, 0)) AS locked`;
    return rows[0]?.locked === true;
  }

  /** The live record of (organization, key); one past the 24 h retention is deleted and ignored. */
  async find(orgId: string, key: string): Promise<IdempotencyRecordView | null> {
    const row = await this.db.tx.idempotencyRecord.findUnique({ where: { orgId_key: { orgId, key } } });
    if (!row) return null;
    if (row.createdAt.getTime() < Date.now() - IDEMPOTENCY_TTL_MS) {
      await this.db.tx.idempotencyRecord.delete({ where: { orgId_key: { orgId, key } } });
      return null;
    }
    return {
      fingerprint: row.fingerprint,
      statusCode: row.statusCode,
      requestId: row.requestId,
      createdAt: row.createdAt,
      response: JSON.parse(this.crypto.open(row.responseCiphertext)) as StoredResponse,
    };
  }

  async save(record: NewIdempotencyRecord): Promise<void> {
    await this.db.tx.idempotencyRecord.create({
      data: {
        orgId: record.orgId,
        key: record.key,
        fingerprint: record.fingerprint,
        statusCode: record.statusCode,
        requestId: record.requestId,
        responseCiphertext: this.crypto.seal(JSON.stringify(record.response)),
      },
    });
  }

  /** Deletes records created before `olderThan` (default: 24 h ago); the worker runs it periodically. */
  async purgeExpired(olderThan: Date = new Date(Date.now() - IDEMPOTENCY_TTL_MS)): Promise<number> {
    const { count } = await this.db.tx.idempotencyRecord.deleteMany({ where: { createdAt: { lt: olderThan } } });
    return count;
  }
}
