import { Injectable } from '@nestjs/common';
import { Database, KEYSET_ORDER, type KeysetPosition, keysetWhere, sql } from '@kirim/platform';
import type { ApiKeyRecord, TeamRecord } from '../domain/resources';

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

/** What `GET /v1/me` shows: the key, its organization's name and the organization's teams (oldest first). */
export interface KeyIntrospection {
  key: ApiKeyRecord;
  organization: { id: string; name: string };
  teams: TeamRecord[];
}

interface IntrospectionRow {
  id: string;
  org_id: string;
  customer_id: string | null;
  label: string | null;
  last4: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  org_name: string;
  teams: { id: string; name: string; created_at: string }[];
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

  /**
   * `GET /v1/me` in ONE statement (raw SQL on a hot path: it was three Prisma queries, each its own
   * round trip and PostgreSQL transaction): the key of this organization, the organization's name and its
   * teams in the order of `TeamsRepository.list`. Null when the key is not in this organization.
   */
  async findForIntrospection(organizationId: string, keyId: string): Promise<KeyIntrospection | null> {
    const rows = await this.db.read<IntrospectionRow>(sql`
      SELECT k.id, k.org_id, k.customer_id, k.label, k.last4, k.expires_at, k.revoked_at, k.created_at,
             o.name AS org_name,
             COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'created_at', t.created_at)
                                       ORDER BY t.created_at, t.id)
                         FROM teams t WHERE t.org_id = o.id), '[]'::json) AS teams
        FROM api_keys k
        JOIN organizations o ON o.id = k.org_id
       WHERE k.id = ${keyId} AND k.org_id = ${organizationId}`);
    const row = rows[0];
    if (!row) return null;
    return {
      key: toApiKey({
        id: row.id,
        orgId: row.org_id,
        customerId: row.customer_id,
        label: row.label,
        last4: row.last4,
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
        createdAt: row.created_at,
      }),
      organization: { id: row.org_id, name: row.org_name },
      teams: row.teams.map((team) => ({ id: team.id, organizationId: row.org_id, name: team.name, createdAt: new Date(team.created_at) })),
    };
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
