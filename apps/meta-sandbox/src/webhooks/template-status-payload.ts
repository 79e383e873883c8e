import type { ManagedTemplate } from '../state/template-store';
import { type EntryChange, unixSeconds } from './webhook-payloads';

/** What a status webhook says besides the template's own fields (reference §5.6). */
export interface TemplateStatusNotice {
  event: string;
  /** Meta's `reason`: `NONE` unless rejected; null when scheduled for deletion. */
  reason?: string | null;
  rejection_info?: { reason: string; recommendation: string };
  other_info?: { title: string; description: string };
  disable_info?: { disable_date: number };
}

/**
 * `message_template_status_update` (reference §5.6): `entry.id` is the WABA, `message_template_id` an
 * integer (as Meta sends it), the language as the template was created.
 */
export function templateStatusChange(template: ManagedTemplate, notice: TemplateStatusNotice, nowMs: number): EntryChange {
  return {
    waba_id: template.waba_id,
    time: unixSeconds(nowMs),
    change: {
      field: 'message_template_status_update',
      value: {
        event: notice.event,
        message_template_id: Number(template.id),
        message_template_name: template.name,
        message_template_language: template.language,
        reason: notice.reason === undefined ? 'NONE' : notice.reason,
        message_template_category: template.category,
        ...(notice.rejection_info && { rejection_info: notice.rejection_info }),
        ...(notice.other_info && { other_info: notice.other_info }),
        ...(notice.disable_info && { disable_info: notice.disable_info }),
      },
    },
  };
}

/** `message_template_quality_update`: the score moved (GREEN, YELLOW, RED, UNKNOWN). */
export function templateQualityChange(template: ManagedTemplate, previous: string, nowMs: number): EntryChange {
  return {
    waba_id: template.waba_id,
    time: unixSeconds(nowMs),
    change: {
      field: 'message_template_quality_update',
      value: {
        previous_quality_score: previous,
        new_quality_score: template.quality_score,
        message_template_id: Number(template.id),
        message_template_name: template.name,
        message_template_language: template.language,
      },
    },
  };
}
