import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { SandboxConfig } from '../app/config';
import { SANDBOX_CONFIG } from '../app/tokens';
import { Clock } from '../common/clock';
import { FaultStore } from './fault-store';
import { MediaStore } from './media-store';
import { MessageStore } from './message-store';
import { MessagingSettings } from './messaging-settings';
import { RequestLog } from './request-log';
import { SandboxState } from './sandbox-state';
import { TemplateStore } from './template-store';
import { ThroughputLimiter } from './throughput-limiter';

const STORES = [SandboxState, FaultStore, RequestLog, MessageStore, MessagingSettings, TemplateStore, ThroughputLimiter, MediaStore];

/** The configuration, the clock and everything the sandbox remembers, for every module. */
@Global()
@Module({})
export class StateModule {
  static forRoot(config: SandboxConfig, clock: Clock): DynamicModule {
    return {
      module: StateModule,
      providers: [{ provide: SANDBOX_CONFIG, useValue: config }, { provide: Clock, useValue: clock }, ...STORES],
      exports: [SANDBOX_CONFIG, Clock, ...STORES],
    };
  }
}
