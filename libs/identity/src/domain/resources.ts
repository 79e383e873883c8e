import type { UserRole } from './users';

/** What repositories return (plain objects, never Prisma types). */
export interface OrganizationRecord {
  id: string;
  name: string;
  /** Per-organization rate-limit overrides; null = the configured default. */
  rateLimitWritePerMin: number | null;
  rateLimitReadPerMin: number | null;
  createdAt: Date;
}

export interface TeamRecord {
  id: string;
  organizationId: string;
  name: string;
  createdAt: Date;
}

export interface UserRecord {
  id: string;
  organizationId: string;
  email: string;
  name: string | null;
  role: UserRole;
  createdAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  customerId: string | null;
  label: string | null;
  last4: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/** Public shapes (spec 01 § Responses: `id` + `object`, ISO timestamps with milliseconds). */
export interface OrganizationResource {
  id: string;
  object: 'organization';
  name: string;
  created_at: string;
}

export interface TeamResource {
  id: string;
  object: 'team';
  name: string;
}

export interface UserResource {
  id: string;
  object: 'user';
  email: string;
  name: string | null;
  role: UserRole;
  created_at: string;
}

export interface ApiKeyResource {
  id: string;
  object: 'api_key';
  label: string | null;
  last4: string;
  customer_id: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

/** A new key as answered once, with its plaintext. */
export type CreatedApiKey = ApiKeyResource & { secret: string };

export interface MeResource {
  object: 'me';
  organization: { id: string; object: 'organization'; name: string };
  teams: TeamResource[];
  api_key: Pick<ApiKeyResource, 'id' | 'object' | 'label' | 'last4' | 'customer_id' | 'expires_at'>;
  rate_limits: { write_per_minute: number; read_per_minute: number };
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toOrganizationResource(org: OrganizationRecord): OrganizationResource {
  return { id: org.id, object: 'organization', name: org.name, created_at: org.createdAt.toISOString() };
}

export function toTeamResource(team: TeamRecord): TeamResource {
  return { id: team.id, object: 'team', name: team.name };
}

export function toUserResource(user: UserRecord): UserResource {
  return { id: user.id, object: 'user', email: user.email, name: user.name, role: user.role, created_at: user.createdAt.toISOString() };
}

export function toApiKeyResource(key: ApiKeyRecord): ApiKeyResource {
  return {
    id: key.id,
    object: 'api_key',
    label: key.label,
    last4: key.last4,
    customer_id: key.customerId,
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
    created_at: key.createdAt.toISOString(),
  };
}
