import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ApiKeysService, OrganizationsService, TeamsService } from '@kirim/identity';

export interface OrgSession {
  organizationId: string;
  /** The first (default) team. */
  teamId: string;
  /** Every team, oldest first (`teams` of them). */
  teamIds: string[];
  apiKey: string;
  apiKeyId: string;
  /** `{ Authorization: 'Bearer …' }`, for supertest's `.set(session.auth)`. */
  auth: { Authorization: string };
}

/**
 * A fresh organization of its own (first team, owner, API key) created through identity's services of
 * `app`, so tests never share tenants. `teams` > 1 adds teams; `customerId` makes the session's key a
 * customer-restricted one (the app's CUSTOMER_DIRECTORY must accept that id: create the customer first
 * when the tenancy context is loaded, then call ApiKeysService.create yourself).
 */
export async function createOrgSession(
  app: INestApplication,
  opts: { teams?: number; name?: string; customerId?: string } = {},
): Promise<OrgSession> {
  const suffix = randomBytes(4).toString('hex');
  const created = await app.get(OrganizationsService).create({
    name: opts.name ?? `Test Org ${suffix}`,
    ownerEmail: `owner-${suffix}@example.test`,
  });
  const organizationId = created.organization.id;
  const teamIds = [created.team.id];
  for (let i = 1; i < (opts.teams ?? 1); i++) {
    teamIds.push((await app.get(TeamsService).create(organizationId, `Team ${i + 1}`)).id);
  }
  let key = created.apiKey;
  if (opts.customerId !== undefined) {
    key = await app.get(ApiKeysService).create(organizationId, { customerId: opts.customerId, label: 'restricted' });
  }
  return {
    organizationId,
    teamId: created.team.id,
    teamIds,
    apiKey: key.secret,
    apiKeyId: key.id,
    auth: { Authorization: `Bearer ${key.secret}` },
  };
}
