import { Body, Controller, Get, HttpCode, Param, Post, Put, UsePipes } from '@nestjs/common';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { StateError } from '../state/sandbox-state';
import { type ReviewOutcome, TemplateStore } from '../state/template-store';
import { type Posted, TemplateReviewer, type TemplateTransition } from '../graph/templates/template-reviewer';
import { templateValues } from '../graph/templates/templates.controller';
import { deliverySummary } from '../webhooks/inbound-injector';
import { validation } from './validation';

const OUTCOMES: ReviewOutcome[] = ['approve', 'reject', 'hold'];
const REASON = /^[A-Z_]{2,60}$/;
const REASON_MESSAGE = 'reason must be an upper-case reason such as INVALID_FORMAT';

export class ReviewRuleDto {
  @IsOptional() @IsIn(OUTCOMES) outcome?: ReviewOutcome;
  @IsOptional() @IsInt() @Min(0) @Max(86_400_000) delay_ms?: number;
  @IsOptional() @IsString() @Matches(REASON, { message: REASON_MESSAGE }) reason?: string;
}

export class ReviewBehaviourDto extends ReviewRuleDto {
  /** Per template name: a rule, or null to drop the name's rule. */
  @IsOptional() @IsObject() by_name?: Record<string, ReviewRuleDto | null>;
}

export class TransitionDto {
  @IsOptional() @IsString() @Matches(REASON, { message: REASON_MESSAGE }) reason?: string;
  /** Wait for the webhook's first attempt before answering (default true). */
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class QualityDto {
  @IsIn(['GREEN', 'YELLOW', 'RED', 'UNKNOWN']) score!: string;
  @IsOptional() @IsBoolean() wait?: boolean;
}

const ACTIONS: Record<string, TemplateTransition> = {
  approve: 'APPROVED',
  reject: 'REJECTED',
  pause: 'PAUSED',
  disable: 'DISABLED',
  reinstate: 'REINSTATED',
};

/**
 * Templates' review at "Meta": how templates created over Graph are reviewed (approve, reject or hold,
 * after a delay; per name), and status changes made now — each posts `message_template_status_update`.
 */
@Controller('_sandbox')
@UsePipes(validation)
export class TemplatesControlController {
  constructor(
    private readonly templates: TemplateStore,
    private readonly reviewer: TemplateReviewer,
  ) {}

  @Get('template_review')
  review() {
    return this.templates.review;
  }

  @Put('template_review')
  setReview(@Body() body: ReviewBehaviourDto) {
    for (const [name, rule] of Object.entries(body.by_name ?? {})) {
      if (rule === null) continue;
      if (typeof rule !== 'object' || Array.isArray(rule)) throw new StateError('invalid', `by_name.${name} must be an object or null`);
      const unknown = Object.keys(rule).find((k) => !['outcome', 'delay_ms', 'reason'].includes(k));
      if (unknown) throw new StateError('invalid', `by_name.${name}.${unknown} is not a review setting`);
      if (rule.outcome !== undefined && !OUTCOMES.includes(rule.outcome))
        throw new StateError('invalid', `by_name.${name}.outcome must be one of ${OUTCOMES.join(', ')}`);
      if (rule.delay_ms !== undefined && (!Number.isInteger(rule.delay_ms) || rule.delay_ms < 0)) {
        throw new StateError('invalid', `by_name.${name}.delay_ms must be a non-negative integer`);
      }
      if (rule.reason !== undefined && (typeof rule.reason !== 'string' || !REASON.test(rule.reason))) {
        throw new StateError('invalid', `by_name.${name}.${REASON_MESSAGE}`);
      }
    }
    return this.templates.setReview(body);
  }

  /** `POST /_sandbox/templates/{id}/quality {score}`: posts `message_template_quality_update`. */
  @Post('templates/:id/quality')
  @HttpCode(200)
  async quality(@Param('id') id: string, @Body() body: QualityDto) {
    return this.answer(id, this.reviewer.quality(this.templates.require(id), body.score), body.wait);
  }

  /** `POST /_sandbox/templates/{id}/{approve|reject|pause|disable|reinstate} {reason?, wait?}`. */
  @Post('templates/:id/:action')
  @HttpCode(200)
  async transition(@Param('id') id: string, @Param('action') action: string, @Body() body: TransitionDto) {
    const event = ACTIONS[action];
    if (!event) throw new StateError('not_found', `unknown template action ${action} (${Object.keys(ACTIONS).join(', ')}, or quality)`);
    const template = this.templates.require(id);
    if (template.deleted_at !== null) throw new StateError('conflict', `template ${id} is deleted`);
    return this.answer(template.id, this.reviewer.transition(template, event, body.reason), body.wait);
  }

  private async answer(id: string, posted: Posted, wait: boolean | undefined) {
    if (wait !== false) await posted.firstAttempt;
    const template = this.templates.require(id);
    return { template: { ...templateValues(template), waba_id: template.waba_id }, webhook: deliverySummary(posted.delivery) };
  }
}
