/** Feast's DynamoDB data layout (architecture.md §3): entity keys, entity ids, Values, event_ts, items. */
export * from './entity-key.js';
export * from './entity-id.js';
export * from './event-ts.js';
export * from './item.js';
export * from './value-codec.js';
export * from './feast-types.js';
