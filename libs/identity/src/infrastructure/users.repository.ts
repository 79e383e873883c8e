import { Injectable } from '@nestjs/common';
import { AppError, Database, isUniqueViolation, KEYSET_ORDER, type KeysetPosition, keysetWhere } from '@kirim/platform';
import type { UserRecord } from '../domain/resources';
import type { UserRole } from '../domain/users';

export interface NewUser {
  id: string;
  email: string;
  name: string | null;
  role: UserRole;
  passwordHash: string;
}

@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  /** Throws `invalid_field_value` (param `email`) when the organization already has that email. */
  async create(organizationId: string, user: NewUser): Promise<UserRecord> {
    try {
      return toUser(await this.db.tx.user.create({ data: { ...user, orgId: organizationId } }));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw AppError.invalid('email', `A user with email '${user.email}' already exists in this organization.`);
      }
      throw error;
    }
  }

  /** The users of this organization among these ids. */
  async findByIds(organizationId: string, ids: readonly string[]): Promise<UserRecord[]> {
    return (await this.db.tx.user.findMany({ where: { orgId: organizationId, id: { in: [...ids] } } })).map(toUser);
  }

  /** Newest first. */
  async list(organizationId: string, limit: number, after?: KeysetPosition): Promise<UserRecord[]> {
    const rows = await this.db.tx.user.findMany({
      where: { orgId: organizationId, ...keysetWhere(after) },
      orderBy: KEYSET_ORDER,
      take: limit,
    });
    return rows.map(toUser);
  }
}

function toUser(row: { id: string; orgId: string; email: string; name: string | null; role: UserRole; createdAt: Date }): UserRecord {
  return { id: row.id, organizationId: row.orgId, email: row.email, name: row.name, role: row.role, createdAt: row.createdAt };
}
