import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WhatsappAccountResource } from '@kirim/contracts';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { AccountsService } from '../application/accounts.service';
import { ListAccountsQueryDto, WhatsappAccountDto } from './accounts.dto';

@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({ summary: 'List WhatsApp accounts, newest first (default: all but archived).' })
  @ApiData(WhatsappAccountDto, { list: true })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListAccountsQueryDto): Promise<Page<WhatsappAccountResource>> {
    const { status, customer_id: customerId, team_id: teamId, limit, cursor } = query;
    return this.accounts.list(principal, { status, customerId, teamId, limit, cursor });
  }

  @Get('by_phone_number_id/:phone_number_id')
  @ApiOperation({ summary: "Retrieve a WhatsApp account by Meta's phone_number_id." })
  @ApiData(WhatsappAccountDto)
  byPhoneNumberId(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
  ): Promise<WhatsappAccountResource> {
    return this.accounts.getByPhoneNumberId(principal, phoneNumberId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a WhatsApp account.' })
  @ApiData(WhatsappAccountDto)
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('wba')) id: string): Promise<WhatsappAccountResource> {
    return this.accounts.get(principal, id);
  }
}
