import { Injectable } from '@nestjs/common';
import { AppError, newId, type Page, Paginator } from '@kirim/platform';
import { requireName } from '../domain/names';
import { toUserResource, type UserResource } from '../domain/resources';
import { generatePassword, isUserRole, requireEmail, type UserRole } from '../domain/users';
import { UsersRepository } from '../infrastructure/users.repository';
import { hashPassword } from './passwords';

export interface NewUserInput {
  email: string;
  name?: string | null;
  role: UserRole;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly paginator: Paginator,
  ) {}

  /** Creates a user with a random one-time password (returned here only; stored as an argon2id hash). */
  async create(organizationId: string, input: NewUserInput): Promise<{ user: UserResource; password: string }> {
    const email = requireEmail(input.email);
    const name = input.name == null ? null : requireName('name', input.name);
    if (!isUserRole(input.role)) throw AppError.invalid('role', "role must be 'owner' or 'agent'.");
    const password = generatePassword();
    const user = await this.users.create(organizationId, {
      id: newId('usr'),
      email,
      name,
      role: input.role,
      passwordHash: await hashPassword(password),
    });
    return { user: toUserResource(user), password };
  }

  /** `{id, email, name}` of the given users of this organization, by id (unknown or foreign ids are absent): conversation assignees. */
  async summariesOf(
    organizationId: string,
    ids: readonly string[],
  ): Promise<Map<string, { id: string; email: string; name: string | null }>> {
    const rows = ids.length === 0 ? [] : await this.users.findByIds(organizationId, [...new Set(ids)]);
    return new Map(rows.map((u) => [u.id, { id: u.id, email: u.email, name: u.name }]));
  }

  /** Newest first. */
  async list(organizationId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<UserResource>> {
    return this.paginator.paginate({
      query,
      scope: `users:${organizationId}`,
      fetch: ({ take, after }) => this.users.list(organizationId, take, after),
      map: toUserResource,
    });
  }
}
