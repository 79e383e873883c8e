import { Controller, Get, HttpCode, Injectable } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/principal';
import { AppError } from '../errors/app-error';
import { RawResponse } from '../http/envelope';
import { PrismaService } from '../persistence/prisma.service';
import { RedisService } from '../redis/redis.service';

@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  /** Throws `service_unavailable` (503) when PostgreSQL or Redis does not answer. */
  async check(): Promise<{ status: 'ok' }> {
    try {
      await Promise.all([this.prisma.$queryRawUnsafe('SELECT 1'), this.redis.client.ping()]);
    } catch (cause) {
      throw new AppError('service_unavailable', 'A dependency is unavailable.', { cause, headers: { 'Retry-After': '5' } });
    }
    return { status: 'ok' };
  }
}

@ApiTags('health')
@Controller('v1/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Public()
  @RawResponse()
  @HttpCode(200)
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  get(): Promise<{ status: 'ok' }> {
    return this.health.check();
  }
}
