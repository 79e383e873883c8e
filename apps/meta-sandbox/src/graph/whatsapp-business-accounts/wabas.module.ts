import { Module } from '@nestjs/common';
import { BusinessNode, WabaNode } from './waba.node';
import { WabasController } from './wabas.controller';

/** WhatsApp Business Accounts and their owning businesses. The template family adds `/{waba}/message_templates`. */
@Module({ controllers: [WabasController], providers: [WabaNode, BusinessNode] })
export class WabasModule {}
