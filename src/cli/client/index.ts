/**
 * The CLI's own Kafka client, built on the generated codecs (protocol/kafka) and record
 * batches (records). Small on purpose: what the `weir` commands need, against any
 * Kafka-compatible broker.
 */
export * from './admin.js';
export { BrokerConnection, formatAddress } from './connection.js';
export {
  Consumer,
  type ConsumedRecord,
  type ConsumerOptions,
  type StartPosition,
} from './consumer.js';
export {
  decodeAssignment,
  encodeAssignment,
  rangeAssign,
  type Assignment,
} from './consumer-protocol.js';
export { BrokerError, ClientError, check, unknownTopic, type ClientErrorCode } from './errors.js';
export { GroupConsumer, type GroupConsumerOptions } from './group-consumer.js';
export { GroupMember, type GroupMemberOptions } from './group-member.js';
export {
  KafkaClient,
  parseBootstrapServers,
  sleep,
  type BrokerInfo,
  type ClientOptions,
  type PartitionInfo,
  type TopicInfo,
} from './kafka-client.js';
export { StickyPartitioner, murmur2, partitionForKey } from './partitioner.js';
export {
  Producer,
  type BatchOutcome,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
  type SendCallback,
} from './producer.js';
export { CLIENT_VERSIONS, negotiate } from './versions.js';
