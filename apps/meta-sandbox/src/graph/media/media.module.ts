import { Module } from '@nestjs/common';
import { MediaController } from './media.controller';
import { MediaNode } from './media.node';

/** Media: upload (`POST /{phone_number_id}/media`), the `/{media_id}` node, and its expiring download URL. */
@Module({ controllers: [MediaController], providers: [MediaNode] })
export class MediaModule {}
