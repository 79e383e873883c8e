// Public face of the messaging context (messages, contacts, conversations, inbound): modules, application
// services and their types.
export {};
export * from './domain/outbound/send-request';
export { SEND_LIMITS, PHONE_DIGITS_MIN, PHONE_DIGITS_MAX } from './domain/outbound/limits';
export { SendMessageBodyDto, MarkMessageReadBodyDto } from './domain/outbound/send-message.openapi';
