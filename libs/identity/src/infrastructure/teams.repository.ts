import { Injectable } from '@nestjs/common';
import { Database } from '@kirim/platform';
import type { TeamRecord } from '../domain/resources';

@Injectable()
export class TeamsRepository {
  constructor(private readonly db: Database) {}

  async create(organizationId: string, team: { id: string; name: string }): Promise<TeamRecord> {
    return toTeam(await this.db.tx.team.create({ data: { id: team.id, orgId: organizationId, name: team.name } }));
  }

  /** Oldest first. */
  async list(organizationId: string): Promise<TeamRecord[]> {
    const rows = await this.db.tx.team.findMany({ where: { orgId: organizationId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toTeam);
  }

  async find(organizationId: string, teamId: string): Promise<TeamRecord | null> {
    const row = await this.db.tx.team.findFirst({ where: { id: teamId, orgId: organizationId } });
    return row ? toTeam(row) : null;
  }
}

function toTeam(row: { id: string; orgId: string; name: string; createdAt: Date }): TeamRecord {
  return { id: row.id, organizationId: row.orgId, name: row.name, createdAt: row.createdAt };
}
