/**
 * Weir's embedding API: start a Kafka-compatible broker inside a Node process (tests,
 * tools). See README for a KafkaJS and a node:test example.
 */
export { startBroker, type Broker, type BrokerOptions } from './main.js';
export { CodedError } from './common/errors.js';
export type { Logger, LogLevel } from './common/logger.js';
