// Public face of the messaging context (messages, contacts, conversations, inbound): modules, application
// services and their types.
export { MessagingModule } from './messaging.module';
export { MessagingHttpModule } from './messaging-http.module';
export { MessagingJobsModule } from './messaging-jobs.module';
export { MessagesService, type ListMessagesInput } from './application/messages.service';
export { DispatchService, type DispatchOutcome, type DispatchPayload } from './application/dispatch.service';
export { LabelsService } from './application/labels.service';
export { ContactsService } from './application/contacts.service';
export { ConversationsService } from './application/conversations.service';
export type { Message, MessageDirection, MessageError, MessageStatus } from './domain/message';
export type { Contact, Conversation } from './domain/parties';
