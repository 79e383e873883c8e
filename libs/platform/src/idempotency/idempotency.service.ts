import { Injectable } from '@nestjs/common';
import { CryptoService } from '../crypto/crypto.service';
import type { ErrorCode } from '../errors/error-catalogue';
import { Database } from '../persistence/database';
import type { TenantScope } from '../scope/tenant-scope';
import { IDEMPOTENCY_TTL_MS } from './idempotency-key';

/** What a replay needs, sealed (AES-256-GCM) at rest because it may carry a one-time secret. */
export type StoredResponse =
  /** `enveloped`: `body` is the `{data…}` envelope without its `request_id` (re-added on replay). */
  | { kind: 'ok'; body: unknown; enveloped: boolean }
  | { kind: 'error'; code: ErrorCode; message: string; param?: string; headers: Record<string, string> };

/**
 * Whose key space a key lives in: the caller's tenant scope, i.e. the organization AND the key's customer
 * restriction (spec 01: an unrestricted key and a key restricted to customer X have separate key spaces),
 * so a stored response only ever reaches a principal that could have received it.
 */
export type IdempotencyScope = TenantScope;

/** The column value of a scope's restriction ('' = unrestricted; customer ids are never empty). */
function customerScope(scope: IdempotencyScope): string {
  return scope.customerId ?? '';
}

export interface IdempotencyRecordView {
  fingerprint: string;
  statusCode: number;
  requestId: string;
  createdAt: Date;
  response: StoredResponse;
}

/** A stored row as `find` and `lockAndFind` read it. */
interface StoredRow {
  fingerprint: string;
  statusCode: number;
  requestId: string;
  createdAt: Date;
  responseCiphertext: string;
}

export interface NewIdempotencyRecord {
  scope: IdempotencyScope;
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
   * Takes the transaction-scoped advisory lock of (organization, restriction, key) without waiting; false
   * when another transaction holds it (the same key is being processed). Released at commit or rollback.
   * The name is JSON so no choice of key can collide with another scope's name.
   */
  async tryLock(scope: IdempotencyScope, key: string): Promise<boolean> {
    const lockName = JSON.stringify(['idempotency', scope.organizationId, customerScope(scope), key]);
    const rows = await this.db.tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtextextended(${lockName}::text, 0)) AS locked`;
    return rows[0]?.locked === true;
  }

  /**
   * {@link tryLock} and {@link find} in ONE statement (one round trip less on every idempotent POST).
   * `record` is read only when the lock was taken. Caveat of one statement: its snapshot is taken just
   * before the lock, so a holder that committed in between is not seen (`record: null`); its insert then
   * makes {@link save} fail with a unique violation, which the interceptor answers by trying once more
   * (see IdempotencyInterceptor), so the outcome is the same as with two statements.
   */
  async lockAndFind(scope: IdempotencyScope, key: string): Promise<{ locked: boolean; record: IdempotencyRecordView | null }> {
    const lockName = JSON.stringify(['idempotency', scope.organizationId, customerScope(scope), key]);
    const rows = await this.db.tx.$queryRaw<
      {
        locked: boolean;
        fingerprint: string | null;
        status_code: number | null;
        request_id: string | null;
        created_at: Date | null;
        response_ciphertext: string | null;
      }[]
    >`
      SELECT l.locked, r.fingerprint, r.status_code, r.request_id, r.created_at, r.response_ciphertext
        FROM (SELECT pg_try_advisory_xact_lock(hashtextextended(${lockName}::text, 0)) AS locked) l
        LEFT JOIN idempotency_records r
          ON l.locked AND r.org_id = ${scope.organizationId} AND r.customer_scope = ${customerScope(scope)} AND r.key = ${key}`;
    const row = rows[0];
    if (row?.locked !== true) return { locked: false, record: null };
    if (row.fingerprint === null || row.created_at === null) return { locked: true, record: null };
    return {
      locked: true,
      record: await this.live(scope, key, {
        fingerprint: row.fingerprint,
        statusCode: row.status_code as number,
        requestId: row.request_id as string,
        createdAt: row.created_at,
        responseCiphertext: row.response_ciphertext as string,
      }),
    };
  }

  /** The live record of (scope, key); one past the 24 h retention is deleted and ignored. */
  async find(scope: IdempotencyScope, key: string): Promise<IdempotencyRecordView | null> {
    const rows = await this.db.tx.$queryRaw<StoredRow[]>`
      SELECT fingerprint, status_code AS "statusCode", request_id AS "requestId", created_at AS "createdAt",
             response_ciphertext AS "responseCiphertext"
        FROM idempotency_records
       WHERE org_id = ${scope.organizationId} AND customer_scope = ${customerScope(scope)} AND key = ${key}`;
    const row = rows[0];
    return row ? this.live(scope, key, row) : null;
  }

  private async live(scope: IdempotencyScope, key: string, row: StoredRow): Promise<IdempotencyRecordView | null> {
    if (row.createdAt.getTime() < Date.now() - IDEMPOTENCY_TTL_MS) {
      await this.db.tx.$executeRaw`
        DELETE FROM idempotency_records
         WHERE org_id = ${scope.organizationId} AND customer_scope = ${customerScope(scope)} AND key = ${key}`;
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

  /**
   * Inserts the record (one raw statement: Prisma's model create cost more CPU than the INSERT). A record
   * already stored for (scope, key) fails with a unique violation (`isUniqueViolation`), which the
   * interceptor's race handling relies on. `created_at` is the process clock, as Prisma's `now()` was.
   */
  async save(record: NewIdempotencyRecord): Promise<void> {
    const ciphertext = this.crypto.seal(JSON.stringify(record.response));
    await this.db.tx.$executeRaw`
      INSERT INTO idempotency_records (org_id, customer_scope, key, fingerprint, status_code, response_ciphertext, request_id, created_at)
      VALUES (${record.scope.organizationId}, ${customerScope(record.scope)}, ${record.key}, ${record.fingerprint},
              ${record.statusCode}::int, ${ciphertext}, ${record.requestId}, ${new Date()}::timestamptz)`;
  }

  /** Deletes records created before `olderThan` (default: 24 h ago); the worker runs it periodically. */
  async purgeExpired(olderThan: Date = new Date(Date.now() - IDEMPOTENCY_TTL_MS)): Promise<number> {
    const { count } = await this.db.tx.idempotencyRecord.deleteMany({ where: { createdAt: { lt: olderThan } } });
    return count;
  }
}
