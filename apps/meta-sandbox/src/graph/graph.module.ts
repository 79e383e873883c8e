import { Module } from '@nestjs/common';
import { GraphCoreModule } from './core/graph-core.module';
import { MediaModule } from './media/media.module';
import { MessagesModule } from './messages/messages.module';
import { NodesModule } from './nodes/nodes.module';
import { OAuthModule } from './oauth/oauth.module';
import { PhoneNumbersModule } from './phone-numbers/phone-numbers.module';
import { TemplatesModule } from './templates/templates.module';
import { WabasModule } from './whatsapp-business-accounts/wabas.module';

/**
 * The Graph API stand-in. One module per resource family, all behind the shared GraphGuard (faults,
 * token) and GraphAccess (objects, permissions). A new family (messages, media, templates) is one more
 * module here, before NodesModule, plus its names in core/endpoints.ts.
 */
@Module({
  imports: [GraphCoreModule, OAuthModule, WabasModule, PhoneNumbersModule, MessagesModule, TemplatesModule, MediaModule, NodesModule],
})
export class GraphModule {}
