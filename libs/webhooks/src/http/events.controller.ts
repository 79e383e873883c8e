import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CurrentPrincipal, type EventResource, IdParam, type Page, type Principal } from '@kirim/platform';
import { EventsService } from '../application/events.service';
import { EventDto, ListEventsQueryDto } from './events.dto';

@ApiTags('events')
@ApiExtraModels(EventDto)
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({ summary: "List the organization's events, newest first (kept 30 days)." })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        data: { type: 'array', items: { $ref: getSchemaPath(EventDto) } },
        has_more: { type: 'boolean' },
        next_cursor: { type: 'string', nullable: true },
        request_id: { type: 'string' },
      },
    },
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListEventsQueryDto): Promise<Page<EventResource>> {
    return this.events.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve an event.' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { data: { $ref: getSchemaPath(EventDto) }, request_id: { type: 'string' } } },
  })
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('evt')) id: string): Promise<EventResource> {
    return this.events.get(principal, id);
  }
}
