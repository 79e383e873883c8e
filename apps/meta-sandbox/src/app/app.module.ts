import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Clock } from '../common/clock';
import { ControlModule } from '../control/control.module';
import { GraphModule } from '../graph/graph.module';
import { SignupModule } from '../signup/signup.module';
import { StateModule } from '../state/state.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import type { SandboxConfig } from './config';
import { SandboxExceptionFilter } from './exception.filter';

@Module({})
export class AppModule {
  static forRoot(config: SandboxConfig, clock: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [StateModule.forRoot(config, clock), WebhooksModule, ControlModule, SignupModule, GraphModule],
      providers: [{ provide: APP_FILTER, useClass: SandboxExceptionFilter }],
    };
  }
}
