import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, CurrentPrincipal, ListQueryDto, type Page, type Principal } from '@kirim/platform';
import { UsersService } from '../application/users.service';
import type { UserResource } from '../domain/resources';
import { UserDto } from './dto';

@ApiTags('users')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: "List the organization's users (for assignment pickers)" })
  @ApiData(UserDto, { list: true })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListQueryDto): Promise<Page<UserResource>> {
    return this.users.list(principal.organizationId, query);
  }
}
