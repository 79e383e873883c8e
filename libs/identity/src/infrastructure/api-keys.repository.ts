import { Injectable } from '@nestjs/common';
import { Database, KEYSET_ORDER, type KeysetPosition, keysetWhere } from '@kirim/platform';
import type { ApiKeyRecord } from '../domain/resources';

export interface NewApiKey {
  id: string;
  customerId: string | null;
  label: string | null;
  keyHash: string;
  last4: string;
  expiresAt: Date | null;
}

export interface KeyForAuthentication {
  key: ApiKeyRecord;
  rateLimitWritePerMin: number | null;
  rateLimitReadPerMin: number | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  async create(organizationId: string, key: NewApiKey): Promise<ApiKeyRecord> {
    return toApiKey(await this.db.tx.apiKey.create({ data: { ...key, orgId: organizationId } }));
  }

  /** Newest first. */
  async list(organizationId: string, limit: number, after?: KeysetPosition): Promise<ApiKeyRecord[]> {
    const rows = await this.db.tx.apiKey.findMany({
      where: { orgId: organizationId, ...keysetWhere(after) },
      orderBy: KEYSET_ORDER,
      take: limit,
    });
    return rows.map(toApiKey);
  }

  async find(organizationId: string, keyId: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.tx.apiKey.findFirst({ where: { id: keyId, orgId: organizationId } });
    return row ? toApiKey(row) : null;
  }

  /** Sets `revoked_at` unless already set; returns the key as it now is, or null when not in this organization. */
  async revoke(organizationId: string, keyId: string, at: Date): Promise<ApiKeyRecord | null> {
    await this.db.tx.apiKey.updateMany({ where: { id: keyId, orgId: organizationId, revokedAt: null }, data: { revokedAt: at } });
    return this.find(organizationId, keyId);
  }

  /**
   * The one unscoped read: authentication looks a key up by its keyed hash (unique index, O(1)) before
   * anything is known about the caller. Returns the key with its organization's rate-limit overrides.
   */
  async findForAuthentication(keyHash: string): Promise<KeyForAuthentication | null> {
    const row = await this.db.tx.apiKey.findUnique({
      where: { keyHash },
      include: { organization: { select: { rateLimitWritePerMin: true, rateLimitReadPerMin: true } } },
    });
    if (!row) return null;
    return { key: toApiKey(row), ...row.organization };
  }

  /** Operator CLI only (`keys revoke key_…` names no organization): the organization a key belongs to. */
  async findOrganizationIdOfKey(keyId: string): Promise<string | null> {
    const row = await this.db.tx.apiKey.findUnique({ where: { id: keyId }, select: { orgId: true } });
    return row?.orgId ?? null;
  }
}

function toApiKey(row: {
  id: string;
  orgId: string;
  customerId: string | null;
  label: string | null;
  last4: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}): ApiKeyRecord {
  return {
    id: row.id,
    organizationId: row.orgId,
    customerId: row.customerId,
    label: row.label,
    last4: row.last4,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
  };
}
