import { Module } from '@nestjs/common';
import { PhoneNumberNode } from './phone-number.node';
import { PhoneNumbersController } from './phone-numbers.controller';

/** Phone numbers: the node, registration. The messaging family adds `/{id}/messages` and `/{id}/media` beside it. */
@Module({ controllers: [PhoneNumbersController], providers: [PhoneNumberNode] })
export class PhoneNumbersModule {}
