import { Injectable } from '@nestjs/common';
import type { LabelResource } from '@kirim/contracts';
import { TeamsService } from '@kirim/identity';
import { AppError, isUniqueViolation, newId, type Page, Paginator, scopeKey, type TenantScope, Transactional } from '@kirim/platform';
import { DEFAULT_LABEL_COLOR, type Label, labelAlreadyExists, validateLabelColor, validateLabelName } from '../domain/labels';
import { type LabelChanges, LabelsRepository } from '../infrastructure/labels.repository';

export interface CreateLabelInput {
  name: string;
  color?: string | undefined;
  teamId?: string | undefined;
}

export interface UpdateLabelInput {
  name?: string | undefined;
  color?: string | undefined;
}

/** The label resource (spec 05 § Labels). */
export function toLabelResource(l: Label): LabelResource {
  return {
    id: l.id,
    object: 'label',
    team_id: l.teamId,
    name: l.name,
    color: l.color,
    created_at: l.createdAt.toISOString(),
    updated_at: l.updatedAt.toISOString(),
  };
}

/**
 * Team-scoped labels (`/v1/labels`, spec 05 § Labels). No events: the spec has no `label.*` type, and a
 * label's rename shows in the contacts and conversations that carry it on their next read. Creates, changes
 * and deletes are for organization-wide keys (the controller's `@OrganizationScopeOnly()`); a
 * customer-restricted key reads the labels of its customer's team.
 */
@Injectable()
export class LabelsService {
  constructor(
    private readonly labels: LabelsRepository,
    private readonly teams: TeamsService,
    private readonly paginator: Paginator,
  ) {}

  @Transactional()
  async create(scope: TenantScope, input: CreateLabelInput): Promise<LabelResource> {
    const name = validateLabelName(input.name);
    const color = input.color === undefined ? DEFAULT_LABEL_COLOR : validateLabelColor(input.color);
    const teamId = await this.resolveTeam(scope.organizationId, input.teamId);
    try {
      const label = await this.labels.create({ id: newId('lbl'), organizationId: scope.organizationId, teamId, name, color }, new Date());
      return toLabelResource(label);
    } catch (error) {
      if (isUniqueViolation(error)) throw labelAlreadyExists(name);
      throw error;
    }
  }

  async list(
    scope: TenantScope,
    input: { teamId?: string | undefined; limit?: number | undefined; cursor?: string | undefined },
  ): Promise<Page<LabelResource>> {
    const filters = { teamId: input.teamId };
    return this.paginator.paginate({
      query: input,
      scope: `labels:${scopeKey(scope)}`,
      filters: { team_id: filters.teamId },
      fetch: (page) => this.labels.list(scope, filters, page),
      map: toLabelResource,
    });
  }

  async get(scope: TenantScope, id: string): Promise<LabelResource> {
    return toLabelResource(await this.require(scope, id));
  }

  /** Applies the fields that differ (a no-op PATCH changes nothing, not even `updated_at`); a taken name → 409. */
  @Transactional()
  async update(scope: TenantScope, id: string, input: UpdateLabelInput): Promise<LabelResource> {
    const name = input.name === undefined ? undefined : validateLabelName(input.name);
    const color = input.color === undefined ? undefined : validateLabelColor(input.color);
    const current = await this.require(scope, id, 'update');
    const changes: LabelChanges = {};
    if (name !== undefined && name !== current.name) changes.name = name;
    if (color !== undefined && color !== current.color) changes.color = color;
    if (Object.keys(changes).length === 0) return toLabelResource(current);
    try {
      return toLabelResource(await this.labels.update(current.id, changes, new Date()));
    } catch (error) {
      if (isUniqueViolation(error)) throw labelAlreadyExists(name ?? current.name);
      throw error;
    }
  }

  /** Deletes the label and detaches it from every contact and conversation; answers the label as it was. */
  @Transactional()
  async delete(scope: TenantScope, id: string): Promise<LabelResource> {
    const current = await this.require(scope, id, 'update');
    await this.labels.delete(current.id);
    return toLabelResource(current);
  }

  private async require(scope: TenantScope, id: string, lock: 'update' | null = null): Promise<Label> {
    const label = await this.labels.find(scope, id, lock);
    if (!label) throw AppError.notFound('label', id);
    return label;
  }

  /**
   * Multi-team resolution (spec 01): a given team must be the organization's (else 404); without one, the
   * organization's only team, else 422 `team_id_required`.
   */
  private async resolveTeam(organizationId: string, teamId: string | undefined): Promise<string> {
    if (teamId !== undefined) {
      const team = await this.teams.find(organizationId, teamId);
      if (!team) throw AppError.notFound('team', teamId);
      return team.id;
    }
    const teams = await this.teams.listForOrganization(organizationId);
    const only = teams.length === 1 ? teams[0] : undefined;
    if (!only)
      throw new AppError('team_id_required', 'This organization has several teams: say which one with team_id.', { param: 'team_id' });
    return only.id;
  }
}
