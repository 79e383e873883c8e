import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { SingleLineText } from '@kirim/platform';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });
const str = (param: string, max: number) => [
  IsString(mustBe(param, 'a string')),
  IsNotEmpty(mustBe(param, 'a non-empty string')),
  MaxLength(max, mustBe(param, `at most ${max} characters`)),
  SingleLineText(mustBe(param, 'text without control characters')),
];
function Str(param: string, max: number): PropertyDecorator {
  return (target, key) => str(param, max).forEach((d) => d(target, key));
}

/** `POST /onboard/api/resolve`. The token's format is checked by the resolver (a malformed one is `link_invalid`, 410). */
export class ResolveDto {
  @Str('token', 200) token!: string;
}

export class CompleteDto {
  @Str('token', 200) token!: string;
  @Str('nonce', 128) nonce!: string;
  @Str('code', 4096) code!: string;
  @Str('waba_id', 64) waba_id!: string;
  @Str('phone_number_id', 64) phone_number_id!: string;
  @IsOptional() @Str('business_id', 64) business_id?: string;
}

export const FAIL_REASONS = ['cancelled', 'error'] as const;

export class FailDto {
  @Str('token', 200) token!: string;
  @Str('nonce', 128) nonce!: string;
  @IsIn(FAIL_REASONS, mustBe('reason', FAIL_REASONS.join(' or '))) reason!: (typeof FAIL_REASONS)[number];
  @IsOptional() @Str('current_step', 100) current_step?: string;
  @IsOptional() @Str('error_code', 100) error_code?: string;
  @IsOptional() @Str('error_message', 1000) error_message?: string;
}
