import { unusableLinkRedirect } from '@kirim/whatsapp-accounts';
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type HttpRequest, Public, RawResponse } from '@kirim/platform';
import { SetupLinksService } from '@kirim/tenancy';
import type { FastifyReply } from 'fastify';
import { OnboardingRateLimit } from './onboarding-rate-limit';
import { PAGE_CSS, PAGE_SCRIPT, pageHeaders, renderReadyPage, renderUnusablePage } from './page';

/** No powerful feature is ever used by the page (the popup is Meta's own window). */
const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'camera=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
  'interest-cohort=()',
  'browsing-topics=()',
].join(', ');

/** Besides the page's own CSP and COOP (`same-origin-allow-popups`): Permissions-Policy, and HSTS over https. */
function extraPageHeaders(config: AppConfig): Record<string, string> {
  return {
    'Permissions-Policy': PERMISSIONS_POLICY,
    ...(config.ONBOARDING_PUBLIC_URL.startsWith('https:') ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/**
 * `GET /onboard/{token}`: the onboarding page, rendered with the organization's and customer's names
 * (resolved server-side); 410 with its own page for an unknown, expired, consumed or revoked link.
 * The static routes are declared first so that they win over `:token`.
 */
@Controller('onboard')
@Public()
@RawResponse()
export class OnboardingPageController {
  constructor(
    private readonly links: SetupLinksService,
    private readonly rateLimit: OnboardingRateLimit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('static/onboarding.js')
  script(@Res() res: FastifyReply): void {
    res
      .headers({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' })
      .send(PAGE_SCRIPT);
  }

  @Get('static/onboarding.css')
  style(@Res() res: FastifyReply): void {
    res
      .headers({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' })
      .send(PAGE_CSS);
  }

  @Get(':token')
  async page(@Param('token') token: string, @Req() req: HttpRequest, @Res() res: FastifyReply): Promise<void> {
    await this.rateLimit.take(req, token, 'page');
    const resolved = await this.links.resolveToken(token);
    res.headers({ ...pageHeaders(this.config), ...extraPageHeaders(this.config) });
    const signupOrigin = this.config.META_SIGNUP_ORIGIN;
    if (resolved.unusable !== undefined) {
      res.status(410).send(
        renderUnusablePage({
          reason: resolved.unusable,
          failureRedirectUrl: unusableLinkRedirect(resolved),
          signupOrigin,
        }),
      );
      return;
    }
    res
      .status(200)
      .send(renderReadyPage({ token, organizationName: resolved.organization.name, customerName: resolved.customer.name, signupOrigin }));
  }
}
