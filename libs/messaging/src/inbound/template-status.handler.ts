import { Injectable } from '@nestjs/common';
import { EventWriter } from '@kirim/contracts';
import { messageEventScope, toTemplateResource } from '../application/resources';
import { reasonFromMeta, statusFromMeta } from '../domain/templates';
import { TemplatesRepository } from '../infrastructure/templates.repository';
import type { MetaChangeHandler } from './change-router';
import type { MetaChange } from './meta-payload';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/**
 * Meta's template webhooks (reference §5.6), inside the payload's transaction. `message_template_status_update`
 * updates status and rejection reason of the rows of every account of the WABA (`entry.id`) that holds
 * the template, with `template.status_updated` (`previous_attributes: {status}`); a status the row already
 * has (a duplicate delivery) and a template Kirim does not know change nothing and are noted.
 * `message_template_quality_update` updates `quality` (no event: there is no event type for it).
 */
@Injectable()
export class TemplateStatusHandler implements MetaChangeHandler {
  readonly fields = ['message_template_status_update', 'message_template_quality_update'] as const;

  constructor(
    private readonly templates: TemplatesRepository,
    private readonly events: EventWriter,
  ) {}

  async apply(changes: readonly MetaChange[], now: Date): Promise<string[]> {
    const notes: string[] = [];
    for (const change of changes) {
      const v = change.value;
      const metaId = str(v['message_template_id']);
      const name = str(v['message_template_name']);
      const language = str(v['message_template_language']);
      const label = `template ${name ?? metaId ?? '?'}${language ? ` (${language})` : ''}`;
      if (change.wabaId === null || (metaId === null && (name === null || language === null))) {
        notes.push(`${change.field}: no WABA or template named`);
        continue;
      }
      const rows = await this.templates.lockForWebhook(change.wabaId, metaId, name, language);
      if (rows.length === 0) {
        notes.push(`${change.field}: ${label} unknown`);
        continue;
      }
      if (change.field === 'message_template_quality_update') {
        const quality = str(v['new_quality_score']);
        for (const row of rows) {
          if (quality !== null && row.quality !== quality) await this.templates.update(row.id, { quality }, now);
        }
        continue;
      }
      const event = str(v['event']);
      if (event === null) {
        notes.push(`${change.field}: ${label} without event`);
        continue;
      }
      const status = statusFromMeta(event);
      const reason = status === 'rejected' ? (reasonFromMeta(v['reason']) ?? reasonOf(v['rejection_info'])) : null;
      for (const row of rows) {
        const adopt = row.metaTemplateId === null && metaId !== null ? { metaTemplateId: metaId } : {};
        if (row.status === status && row.rejectionReason === reason) {
          if (Object.keys(adopt).length > 0) await this.templates.update(row.id, adopt, now);
          notes.push(`${change.field}: ${label} already ${status}`);
          continue;
        }
        const updated = await this.templates.update(
          row.id,
          { ...adopt, status, rejectionReason: reason, ...(status === 'deleted' && { deletedAt: now }) },
          now,
        );
        if (row.status !== status) {
          await this.events.append(
            'template.status_updated',
            messageEventScope(updated),
            { template: toTemplateResource(updated) },
            { status: row.status },
          );
        }
      }
    }
    return notes;
  }
}

function reasonOf(info: unknown): string | null {
  if (typeof info !== 'object' || info === null) return null;
  return reasonFromMeta((info as Record<string, unknown>)['reason']);
}
