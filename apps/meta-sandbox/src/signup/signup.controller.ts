import { Body, Controller, Get, Header, HttpCode, Inject, Post, Query, UsePipes } from '@nestjs/common';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { SandboxConfig } from '../app/config';
import { SANDBOX_CONFIG } from '../app/tokens';
import { stringParam } from '../common/request-context';
import { validation } from '../control/validation';
import { renderDialogPage } from './dialog-page';
import { sdkScript } from './sdk-script';
import { type FinishResult, SignupService } from './signup.service';

const FEATURE_TYPES = ['', 'only_waba_sharing', 'whatsapp_business_app_onboarding'];

export class FinishSignupDto {
  @IsString() @MaxLength(128) app_id!: string;
  @IsString() @MaxLength(128) config_id!: string;
  @IsOptional() @IsIn(FEATURE_TYPES) feature_type?: string;
  @IsOptional() @IsString() @MaxLength(32) business_id?: string;
  @IsOptional() @IsString() @MaxLength(200) business_name?: string;
  @IsOptional() @IsString() @MaxLength(32) waba_id?: string;
  @IsOptional() @IsString() @MaxLength(200) waba_name?: string;
  @IsOptional() @IsString() @MaxLength(32) phone_number_id?: string;
  @IsOptional() @IsString() @MaxLength(40) display_phone_number?: string;
  @IsOptional() @IsString() @MaxLength(200) verified_name?: string;
}

/** The opener's origin as a postMessage target, or undefined when absent or not an http(s) origin. */
function openerOrigin(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** `extras.featureType` of FB.login when it is one the sandbox models, else the default Cloud API flow (''). */
function featureType(extras: string | undefined): string {
  if (!extras) return '';
  try {
    const parsed = JSON.parse(extras) as { featureType?: unknown } | null;
    const value = parsed?.featureType;
    return typeof value === 'string' && FEATURE_TYPES.includes(value) ? value : '';
  } catch {
    return '';
  }
}

/** Embedded Signup, browser side: the SDK stand-in and the popup (reference §2.1, §2.2). */
@Controller()
export class SignupController {
  constructor(
    private readonly signup: SignupService,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  @Get(['sdk.js', 'en_US/sdk.js'])
  @Header('content-type', 'application/javascript; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('access-control-allow-origin', '*')
  sdk(): string {
    return sdkScript(this.config.publicUrl);
  }

  /** `GET /dialog/embedded-signup?app_id&config_id&origin&request_id&extras&version`: the popup page. */
  @Get('dialog/embedded-signup')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  dialog(@Query() query: Record<string, unknown>): string {
    return renderDialogPage(
      this.signup.dialogModel({
        appId: stringParam(query, 'app_id'),
        configId: stringParam(query, 'config_id'),
        requestId: stringParam(query, 'request_id'),
        origin: openerOrigin(stringParam(query, 'origin')),
        featureType: featureType(stringParam(query, 'extras')),
      }),
    );
  }

  /** The popup's Finish: creates what was asked for and mints the 30-second code. */
  @Post('dialog/embedded-signup/finish')
  @HttpCode(200)
  @UsePipes(validation)
  finish(@Body() body: FinishSignupDto): FinishResult {
    return this.signup.finish(body);
  }
}
