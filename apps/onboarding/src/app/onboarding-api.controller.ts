import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type HttpRequest, Public, RawResponse } from '@kirim/platform';
import { SetupLinksService } from '@kirim/tenancy';
import { type SignupOutcome, SignupService, unusableLinkRedirect } from '@kirim/whatsapp-accounts';
import type { FastifyReply } from 'fastify';
import { CompleteDto, FailDto, ResolveDto } from './onboarding.dto';
import { OnboardingRateLimit } from './onboarding-rate-limit';

export interface ResolveResponse {
  customer: { name: string };
  organization: { name: string };
  nonce: string;
  expires_at: string;
  meta: { app_id: string; config_id: string; graph_api_version: string; sdk_url: string };
}

export interface UnusableResponse {
  error_code: string;
  failure_redirect_url?: string;
}

/**
 * `POST /onboard/api/{resolve,complete,fail}` (spec 03 steps 5, 7, 8). The token in the body is the
 * credential (no API key). All three share one rate-limit budget per token prefix and per client IP
 * (30 per 60 s). Responses are plain JSON, exactly the spec's shapes, without the `{data}`
 * envelope of the /v1 API; errors (400 validation, 429, 5xx) keep the platform's error envelope.
 */
@Controller('onboard/api')
@Public()
@RawResponse()
export class OnboardingApiController {
  constructor(
    private readonly links: SetupLinksService,
    private readonly signup: SignupService,
    private readonly rateLimit: OnboardingRateLimit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 with a fresh nonce and the Embedded Signup parameters; 410 `{error_code, failure_redirect_url?}` for an unusable link. */
  @Post('resolve')
  @HttpCode(200)
  async resolve(
    @Body() body: ResolveDto,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ResolveResponse | UnusableResponse> {
    await this.rateLimit.take(req, body.token, 'api');
    const resolved = await this.links.resolveToken(body.token);
    res.header('Cache-Control', 'no-store');
    if (resolved.unusable !== undefined) {
      res.status(410);
      const url = unusableLinkRedirect(resolved);
      return { error_code: resolved.unusable, ...(url !== null && { failure_redirect_url: url }) };
    }
    const { nonce, expiresAt } = await this.links.issueNonce(resolved.link.id);
    return {
      customer: { name: resolved.customer.name },
      organization: { name: resolved.organization.name },
      nonce,
      expires_at: expiresAt.toISOString(),
      meta: {
        app_id: this.config.META_APP_ID,
        config_id: this.config.META_CONFIG_ID,
        graph_api_version: this.config.META_GRAPH_VERSION,
        sdk_url: this.config.META_SDK_URL,
      },
    };
  }

  /** Completes the signup with Meta and Kirim; 200 with the outcome (success or failure) and its `redirect_url`. */
  @Post('complete')
  @HttpCode(200)
  async complete(
    @Body() body: CompleteDto,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SignupOutcome> {
    // resolve's budget, shared (spec 03): per token prefix and per client IP.
    await this.rateLimit.take(req, body.token, 'api');
    res.header('Cache-Control', 'no-store');
    return this.signup.complete({
      token: body.token,
      nonce: body.nonce,
      code: body.code,
      waba_id: body.waba_id,
      phone_number_id: body.phone_number_id,
      ...(body.business_id !== undefined && { business_id: body.business_id }),
    });
  }

  /** The popup was cancelled or reported an error; 200 with the failure outcome and its `redirect_url`. The link stays active. */
  @Post('fail')
  @HttpCode(200)
  async fail(@Body() body: FailDto, @Req() req: HttpRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<SignupOutcome> {
    await this.rateLimit.take(req, body.token, 'api');
    res.header('Cache-Control', 'no-store');
    return this.signup.fail({
      token: body.token,
      nonce: body.nonce,
      reason: body.reason,
      ...(body.current_step !== undefined && { current_step: body.current_step }),
      ...(body.error_code !== undefined && { error_code: body.error_code }),
      ...(body.error_message !== undefined && { error_message: body.error_message }),
    });
  }
}
