import { Controller, Get, HttpCode } from '@nestjs/common';
import { HealthService, RawResponse } from '@kirim/platform';

/** `GET /health` of the worker: 200 `{status: "ok"}` when PostgreSQL and Redis answer, else 503. */
@Controller('health')
export class WorkerHealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @HttpCode(200)
  @RawResponse()
  get(): Promise<{ status: 'ok' }> {
    return this.health.check();
  }
}
