import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { EventWriter } from './events/event-writer';
import { JobProducer, QUEUES } from './jobs/job-registry';

/** Registers the queues of the job registry and provides the typed EventWriter and JobProducer. */
@Global()
@Module({
  imports: [BullModule.registerQueue(...Object.values(QUEUES).map((name) => ({ name })))],
  providers: [EventWriter, JobProducer],
  exports: [EventWriter, JobProducer, BullModule],
})
export class ContractsModule {}
