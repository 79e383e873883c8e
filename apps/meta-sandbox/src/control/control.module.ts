import { Module } from '@nestjs/common';
import { ControlController } from './control.controller';
import { MessagingControlController } from './messaging-control.controller';
import { TemplatesModule } from '../graph/templates/templates.module';
import { TemplatesControlController } from './templates-control.controller';

@Module({ imports: [TemplatesModule], controllers: [ControlController, MessagingControlController, TemplatesControlController] })
export class ControlModule {}
