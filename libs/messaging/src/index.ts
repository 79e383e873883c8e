// Public face of the messaging context (messages, contacts, conversations, inbound): modules, application
// services and their types.
export {};
