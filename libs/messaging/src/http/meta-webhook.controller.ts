import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { headerValue, type HttpReply, Public, RawResponse, type RequestWithRawBody } from '@kirim/platform';
import { InboundIntakeService } from '../inbound/inbound-intake.service';

/**
 * Meta's webhook (spec 05 § Inbound), outside `/v1`: no API key (`@Public()`; Meta proves itself with the
 * signature), not enveloped (`@RawResponse()`), not in the OpenAPI document (it is Meta's contract, not
 * Kirim's). The api keeps this route's raw bytes (`rawBodyRoutes`, 3 MiB) and does not parse them.
 */
@ApiExcludeController()
@Controller('webhooks/meta')
export class MetaWebhookController {
  constructor(private readonly intake: InboundIntakeService) {}

  @Get()
  @Public()
  @RawResponse()
  @HttpCode(200)
  handshake(@Req() req: RequestWithRawBody & { query?: Record<string, unknown> }, @Res({ passthrough: true }) reply: HttpReply): string {
    const challenge = this.intake.handshake(req.query ?? {});
    // Set only on success: an error answers in the JSON envelope.
    reply.header('Content-Type', 'text/plain; charset=utf-8');
    return challenge;
  }

  @Post()
  @Public()
  @RawResponse()
  @HttpCode(200)
  async receive(@Req() req: RequestWithRawBody): Promise<void> {
    await this.intake.receive(req.rawBody, headerValue(req, 'x-hub-signature-256'));
  }
}
