import { Injectable } from '@nestjs/common';
import { Database, sql } from '@kirim/platform';
import type { TeamRecord } from '../domain/resources';

interface TeamRow {
  id: string;
  orgId: string;
  name: string;
  createdAt: Date;
}

/** A teams row as {@link TeamRow} (the reads are raw statements: they run inside every customer create). */
const TEAM_COLUMNS = sql`id, org_id AS "orgId", name, created_at AS "createdAt"`;

@Injectable()
export class TeamsRepository {
  constructor(private readonly db: Database) {}

  async create(organizationId: string, team: { id: string; name: string }): Promise<TeamRecord> {
    return toTeam(await this.db.tx.team.create({ data: { id: team.id, orgId: organizationId, name: team.name } }));
  }

  /** Oldest first. */
  async list(organizationId: string): Promise<TeamRecord[]> {
    const rows = await this.db.tx.$queryRaw<TeamRow[]>`
      SELECT ${TEAM_COLUMNS} FROM teams WHERE org_id = ${organizationId} ORDER BY created_at ASC, id ASC`;
    return rows.map(toTeam);
  }

  async find(organizationId: string, teamId: string): Promise<TeamRecord | null> {
    const rows = await this.db.tx.$queryRaw<TeamRow[]>`
      SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ${teamId} AND org_id = ${organizationId}`;
    const row = rows[0];
    return row ? toTeam(row) : null;
  }
}

function toTeam(row: TeamRow): TeamRecord {
  return { id: row.id, organizationId: row.orgId, name: row.name, createdAt: row.createdAt };
}
