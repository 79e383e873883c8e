import { Inject, Injectable } from '@nestjs/common';
import type { SandboxConfig } from '../../app/config';
import { SANDBOX_CONFIG } from '../../app/tokens';
import { stringParam } from '../../common/request-context';
import { type MediaObject, MediaStore } from '../../state/media-store';
import { SandboxState } from '../../state/sandbox-state';
import { GraphAccess } from '../core/graph-access';
import type { GraphPrincipal } from '../core/graph-auth';
import { GraphErrors } from '../core/graph-error';
import { GraphNode } from '../core/graph-node';
import { GraphNodeRegistry, type NodeCall } from '../core/node-registry';

/**
 * `GET /{media_id}[?phone_number_id=]` → `{messaging_product, url, mime_type, sha256, file_size, id}` with a
 * fresh short-lived download URL, and `DELETE /{media_id}` → `{success: true}` (reference §3.5).
 */
@Injectable()
export class MediaNode extends GraphNode {
  readonly typeName = 'WhatsAppBusinessMedia';
  readonly endpoint = 'media' as const;

  constructor(
    state: SandboxState,
    access: GraphAccess,
    registry: GraphNodeRegistry,
    private readonly media: MediaStore,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {
    super(state, access, registry);
  }

  exists(id: string): boolean {
    return this.media.get(id) !== undefined;
  }

  read({ id, principal, query }: NodeCall): Record<string, unknown> {
    const media = this.accessible(id, principal, query, 'GET');
    const url = this.media.issueUrl(media);
    const ext = Math.floor(url.expires_at / 1000);
    return {
      messaging_product: 'whatsapp',
      url: `${this.config.publicUrl}/whatsapp_business/attachments/?mid=${media.id}&ext=${ext}&hash=${url.hash}`,
      mime_type: media.mime_type,
      sha256: media.sha256,
      file_size: media.file_size,
      id: media.id,
    };
  }

  remove({ id, principal, query }: NodeCall): Record<string, unknown> {
    this.accessible(id, principal, query, 'DELETE');
    this.media.delete(id);
    return { success: true };
  }

  /** The media, when the token may manage its number and `phone_number_id` (if given) is that number. */
  private accessible(id: string, principal: GraphPrincipal, query: Record<string, unknown>, method: string): MediaObject {
    const media = this.media.get(id);
    if (!media) throw GraphErrors.unsupportedRequest(method, id);
    this.access.phoneNumber(principal, media.phone_number_id, { method });
    const phoneNumberId = stringParam(query, 'phone_number_id');
    if (phoneNumberId !== undefined && phoneNumberId !== media.phone_number_id) {
      throw GraphErrors.invalidParameter(`The media ${id} does not belong to phone number ${phoneNumberId}.`);
    }
    return media;
  }
}
