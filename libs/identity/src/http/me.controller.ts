import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, CurrentPrincipal, type Principal } from '@kirim/platform';
import { ApiKeysService } from '../application/api-keys.service';
import type { MeResource } from '../domain/resources';
import { MeDto } from './dto';

@ApiTags('identity')
@Controller('v1/me')
export class MeController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'Introspect the calling API key' })
  @ApiData(MeDto)
  me(@CurrentPrincipal() principal: Principal): Promise<MeResource> {
    return this.apiKeys.introspect(principal);
  }
}
