import { Global, Module } from '@nestjs/common';
import { EventWriter } from './events/event-writer';

/** Provides the typed EventWriter (queues are provided by `JobsModule` from `@kirim/platform`). */
@Global()
@Module({
  providers: [EventWriter],
  exports: [EventWriter],
})
export class ContractsModule {}
