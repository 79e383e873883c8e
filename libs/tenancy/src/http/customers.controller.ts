import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CustomerResource } from '@kirim/contracts';
import { OrganizationScopeOnly } from '@kirim/identity';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { type CustomerWithAccounts, CustomersService } from '../application/customers.service';
import { CreateCustomerDto, CustomerDto, CustomerWithAccountsDto, ListCustomersQueryDto, UpdateCustomerDto } from './customers.dto';

@ApiTags('customers')
@Controller('v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  @ApiOperation({ summary: 'List customers, newest first.' })
  @ApiData(CustomerDto, { list: true })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListCustomersQueryDto): Promise<Page<CustomerResource>> {
    const { status, team_id: teamId, email, q, limit, cursor } = query;
    return this.customers.list(principal, { status, teamId, email, q, limit, cursor });
  }

  @Post()
  @HttpCode(201)
  @OrganizationScopeOnly()
  @ApiOperation({ summary: 'Create a customer (status `pending`); emits `customer.created`.' })
  @ApiData(CustomerDto, { status: 201 })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateCustomerDto): Promise<CustomerResource> {
    return this.customers.create(principal, { name: body.name, email: body.email, metadata: body.metadata, teamId: body.team_id });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a customer with its WhatsApp accounts.' })
  @ApiData(CustomerWithAccountsDto)
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('cus')) id: string): Promise<CustomerWithAccounts> {
    return this.customers.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a customer; emits `customer.updated` when anything changed.' })
  @ApiData(CustomerDto)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('cus')) id: string,
    @Body() body: UpdateCustomerDto,
  ): Promise<CustomerResource> {
    return this.customers.update(principal, id, body);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Archive a customer (revokes its active setup links); emits `customer.archived`.' })
  @ApiData(CustomerDto)
  archive(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('cus')) id: string): Promise<CustomerResource> {
    return this.customers.archive(principal, id);
  }
}
