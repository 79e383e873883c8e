import { Module } from '@nestjs/common';
import { ControlController } from './control.controller';
import { MessagingControlController } from './messaging-control.controller';

@Module({ controllers: [ControlController, MessagingControlController] })
export class ControlModule {}
