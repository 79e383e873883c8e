import { Module } from '@nestjs/common';
import { AccountEventsControlController } from './account-events-control.controller';
import { ControlController } from './control.controller';
import { MediaControlController } from './media-control.controller';
import { MessagingControlController } from './messaging-control.controller';
import { TemplatesModule } from '../graph/templates/templates.module';
import { TemplatesControlController } from './templates-control.controller';

@Module({
  imports: [TemplatesModule],
  controllers: [
    ControlController,
    MessagingControlController,
    MediaControlController,
    TemplatesControlController,
    AccountEventsControlController,
  ],
})
export class ControlModule {}
