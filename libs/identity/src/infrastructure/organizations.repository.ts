import { Injectable } from '@nestjs/common';
import { Database } from '@kirim/platform';
import type { OrganizationRecord } from '../domain/resources';

@Injectable()
export class OrganizationsRepository {
  constructor(private readonly db: Database) {}

  async create(organizationId: string, name: string): Promise<OrganizationRecord> {
    return this.db.tx.organization.create({ data: { id: organizationId, name }, select: ORGANIZATION });
  }

  async find(organizationId: string): Promise<OrganizationRecord | null> {
    return this.db.tx.organization.findUnique({ where: { id: organizationId }, select: ORGANIZATION });
  }

  /**
   * Every organization, oldest first. The one tenant-crossing list: organizations are the tenants
   * themselves, and only the operator CLI calls it (never an API-key path).
   */
  async listAll(): Promise<OrganizationRecord[]> {
    return this.db.tx.organization.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: ORGANIZATION });
  }
}

const ORGANIZATION = { id: true, name: true, rateLimitWritePerMin: true, rateLimitReadPerMin: true, createdAt: true } as const;
