import { Module } from '@nestjs/common';
import { TemplateNode } from './template.node';
import { TemplateReviewer } from './template-reviewer';
import { TemplatesController } from './templates.controller';

/** Template management: `/{waba_id}/message_templates`, `/{template_id}`, and the asynchronous review (its reviewer is used by the control API). */
@Module({ controllers: [TemplatesController], providers: [TemplateNode, TemplateReviewer], exports: [TemplateReviewer] })
export class TemplatesModule {}
