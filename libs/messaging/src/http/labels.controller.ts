import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LabelResource } from '@kirim/contracts';
import { OrganizationScopeOnly } from '@kirim/identity';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { LabelsService } from '../application/labels.service';
import { CreateLabelDto, LabelDto, ListLabelsQueryDto, UpdateLabelDto } from './labels.dto';

/**
 * `/v1/labels` (spec 05 § Labels): team-scoped, not under a phone number. A customer-restricted key reads the
 * labels of its customer's team; creating, changing and deleting labels is for organization-wide keys (403).
 */
@ApiTags('labels')
@Controller('v1/labels')
export class LabelsController {
  constructor(private readonly labels: LabelsService) {}

  @Get()
  @ApiOperation({ summary: 'List labels, newest first.' })
  @ApiData(LabelDto, { list: true })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListLabelsQueryDto): Promise<Page<LabelResource>> {
    return this.labels.list(principal, { teamId: query.team_id, limit: query.limit, cursor: query.cursor });
  }

  @Post()
  @HttpCode(201)
  @OrganizationScopeOnly()
  @ApiOperation({ summary: 'Create a label (unique per team ignoring case, else 409 `label_already_exists`).' })
  @ApiData(LabelDto, { status: 201 })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateLabelDto): Promise<LabelResource> {
    return this.labels.create(principal, { name: body.name, color: body.color, teamId: body.team_id });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a label.' })
  @ApiData(LabelDto)
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('lbl')) id: string): Promise<LabelResource> {
    return this.labels.get(principal, id);
  }

  @Patch(':id')
  @OrganizationScopeOnly()
  @ApiOperation({ summary: 'Rename or recolour a label.' })
  @ApiData(LabelDto)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('lbl')) id: string,
    @Body() body: UpdateLabelDto,
  ): Promise<LabelResource> {
    return this.labels.update(principal, id, { name: body.name, color: body.color });
  }

  @Delete(':id')
  @OrganizationScopeOnly()
  @ApiOperation({ summary: 'Delete a label: detached from every contact and conversation; answers the label as it was.' })
  @ApiData(LabelDto)
  delete(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('lbl')) id: string): Promise<LabelResource> {
    return this.labels.delete(principal, id);
  }
}
