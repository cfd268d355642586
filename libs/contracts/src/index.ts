/**
 * libs/contracts — the wire between okta-collector and evidence-projector:
 * topic names, the envelope, every event and command as zod schemas, and the
 * encode/decode helpers both apps use. Imports nothing of Nest, Kafka or Mongo.
 */
export * from './topics';
export * from './envelope';
export * from './okta-objects';
export * from './commands';
export * from './identity-events';
export * from './system-log-events';
export * from './change-events';
export * from './dead-letter';
export * from './codec';
export * from './fence';
export * from './record-size';
export * from './trimmed-objects';
export { contractEntries, knownTypes, type ContractEntry } from './registry';
