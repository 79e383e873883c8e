import { Injectable } from '@nestjs/common';
import { newId } from '@kirim/platform';
import { requireName } from '../domain/names';
import { type TeamResource, toTeamResource } from '../domain/resources';
import { TeamsRepository } from '../infrastructure/teams.repository';

@Injectable()
export class TeamsService {
  constructor(private readonly teams: TeamsRepository) {}

  async create(organizationId: string, name: string): Promise<TeamResource> {
    return toTeamResource(await this.teams.create(organizationId, { id: newId('team'), name: requireName('name', name) }));
  }

  /** Oldest first (the first is the organization's default team). */
  async listForOrganization(organizationId: string): Promise<TeamResource[]> {
    return (await this.teams.list(organizationId)).map(toTeamResource);
  }

  /** The team when it belongs to this organization, else null. */
  async find(organizationId: string, teamId: string): Promise<TeamResource | null> {
    const team = await this.teams.find(organizationId, teamId);
    return team ? toTeamResource(team) : null;
  }
}
