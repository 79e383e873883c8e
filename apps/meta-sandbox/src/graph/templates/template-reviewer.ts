import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { TemplateStatus } from '../../state/messaging-model';
import { type ManagedTemplate, TemplateStore } from '../../state/template-store';
import { templateQualityChange, templateStatusChange, type TemplateStatusNotice } from '../../webhooks/template-status-payload';
import { webhookEnvelope } from '../../webhooks/webhook-payloads';
import { type WebhookDelivery, WebhookSender } from '../../webhooks/webhook-sender';

/** A posted webhook: its delivery record and the end of its first attempt. */
export interface Posted {
  delivery: WebhookDelivery;
  firstAttempt: Promise<void>;
}

/** A status change the control API or a review makes; `reason` only for rejections. */
export type TemplateTransition = 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'REINSTATED' | 'FLAGGED' | 'IN_APPEAL';

/** Why a template is paused or disabled, as `other_info.title` says it. */
const OTHER_INFO: Partial<Record<TemplateTransition, { title: string; description: string }>> = {
  PAUSED: { title: 'FIRST_PAUSE', description: 'Your message template has been paused for 3 hours due to low quality.' },
  DISABLED: { title: 'DISABLED', description: 'Your message template has been disabled due to continued low quality.' },
};

/**
 * Meta's asynchronous review of templates created over Graph: after the review behaviour's delay the
 * template becomes APPROVED or REJECTED (or stays PENDING with `hold`), and a signed
 * `message_template_status_update` goes to the WABA's webhook target. The control API uses the same
 * transitions to approve, reject, pause or disable a template at once.
 */
@Injectable()
export class TemplateReviewer implements OnApplicationShutdown {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly templates: TemplateStore,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
  ) {}

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Schedules the review of a PENDING template by the rule for its name. */
  schedule(template: ManagedTemplate): void {
    const rule = this.templates.ruleFor(template.name);
    if (rule.outcome === 'hold') return;
    const generation = this.templates.generation;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const current = this.templates.get(template.id);
      // A reset, a deletion or a status set by hand meanwhile ends the review.
      if (generation !== this.templates.generation || !current || current.status !== 'PENDING') return;
      if (rule.outcome === 'approve') this.transition(current, 'APPROVED');
      else this.transition(current, 'REJECTED', rule.reason);
    }, rule.delay_ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** The template takes the status now and its webhook is posted (delivery settles in the background). */
  transition(template: ManagedTemplate, event: TemplateTransition, reason?: string): Posted {
    const status: TemplateStatus = event === 'REINSTATED' ? 'APPROVED' : event;
    this.templates.update(template.id, { status, rejected_reason: event === 'REJECTED' ? (reason ?? 'INVALID_FORMAT') : 'NONE' });
    const notice: TemplateStatusNotice = { event, reason: event === 'REJECTED' ? (reason ?? 'INVALID_FORMAT') : 'NONE' };
    if (event === 'REJECTED') {
      notice.rejection_info = { reason: reason ?? 'INVALID_FORMAT', recommendation: 'Review the template guidelines and submit it again.' };
    }
    const other = OTHER_INFO[event];
    if (other) notice.other_info = other;
    if (event === 'DISABLED') notice.disable_info = { disable_date: Math.floor(this.clock.now() / 1000) };
    return this.post(templateStatusChange(template, notice, this.clock.now()), 'message_template_status_update', template.waba_id);
  }

  /** The quality score changes now, with `message_template_quality_update`. */
  quality(template: ManagedTemplate, score: string): Posted {
    const previous = template.quality_score;
    this.templates.update(template.id, { quality_score: score });
    return this.post(templateQualityChange(template, previous, this.clock.now()), 'message_template_quality_update', template.waba_id);
  }

  private post(change: ReturnType<typeof templateStatusChange>, field: string, wabaId: string): Posted {
    return this.sender.deliver({
      kind: 'template_status',
      payload: webhookEnvelope([change]),
      waba_id: wabaId,
      fields: [field],
      waba_ids: [wabaId],
      change_count: 1,
    });
  }
}
