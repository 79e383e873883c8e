import { Injectable } from '@nestjs/common';
import { AppError, newId, Transactional } from '@kirim/platform';
import { requireName } from '../domain/names';
import { type CreatedApiKey, type OrganizationResource, toOrganizationResource } from '../domain/resources';
import { generatePassword, requireEmail } from '../domain/users';
import { OrganizationsRepository } from '../infrastructure/organizations.repository';
import { TeamsRepository } from '../infrastructure/teams.repository';
import { UsersRepository } from '../infrastructure/users.repository';
import { ApiKeysService } from './api-keys.service';
import { hashPassword } from './passwords';

export interface NewOrganizationInput {
  name: string;
  ownerEmail: string;
  ownerName?: string | null;
  /** Name of the first team; "Default" when omitted. */
  teamName?: string | null;
}

export interface CreatedOrganization {
  organization: OrganizationResource;
  team: { id: string; name: string };
  user: { id: string; email: string; role: 'owner' };
  /** Shown once; stored only as an argon2id hash. */
  ownerPassword: string;
  /** Shown once (`secret`); stored only as a keyed hash. */
  apiKey: Pick<CreatedApiKey, 'id' | 'secret' | 'label' | 'last4' | 'customer_id' | 'expires_at'>;
}

export const DEFAULT_TEAM_NAME = 'Default';
export const FIRST_KEY_LABEL = 'default';

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly teams: TeamsRepository,
    private readonly users: UsersRepository,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /** The bootstrap of a tenant: organization, first team, owner user and first API key, in one transaction. */
  async create(input: NewOrganizationInput): Promise<CreatedOrganization> {
    const name = requireName('name', input.name);
    const teamName = input.teamName == null ? DEFAULT_TEAM_NAME : requireName('team_name', input.teamName);
    const ownerName = input.ownerName == null ? null : requireName('owner_name', input.ownerName);
    const email = requireEmail(input.ownerEmail);
    const ownerPassword = generatePassword();
    const passwordHash = await hashPassword(ownerPassword); // slow on purpose: kept out of the transaction
    return this.insert({ name, teamName, ownerName, email, passwordHash, ownerPassword });
  }

  /** Every organization, oldest first (operator CLI). */
  async list(): Promise<OrganizationResource[]> {
    return (await this.organizations.listAll()).map(toOrganizationResource);
  }

  async get(organizationId: string): Promise<OrganizationResource> {
    const organization = await this.organizations.find(organizationId);
    if (!organization) throw AppError.notFound('organization', organizationId);
    return toOrganizationResource(organization);
  }

  @Transactional()
  private async insert(o: {
    name: string;
    teamName: string;
    ownerName: string | null;
    email: string;
    passwordHash: string;
    ownerPassword: string;
  }): Promise<CreatedOrganization> {
    const organization = await this.organizations.create(newId('org'), o.name);
    const team = await this.teams.create(organization.id, { id: newId('team'), name: o.teamName });
    const user = await this.users.create(organization.id, {
      id: newId('usr'),
      email: o.email,
      name: o.ownerName,
      role: 'owner',
      passwordHash: o.passwordHash,
    });
    const key = await this.apiKeys.create(organization.id, { label: FIRST_KEY_LABEL });
    return {
      organization: toOrganizationResource(organization),
      team: { id: team.id, name: team.name },
      user: { id: user.id, email: user.email, role: 'owner' },
      ownerPassword: o.ownerPassword,
      apiKey: {
        id: key.id,
        secret: key.secret,
        label: key.label,
        last4: key.last4,
        customer_id: key.customer_id,
        expires_at: key.expires_at,
      },
    };
  }
}
