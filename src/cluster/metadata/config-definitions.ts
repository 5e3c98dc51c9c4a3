/**
 * The topic and broker configuration keys Weir knows, with Kafka's names, types and
 * defaults. A topic config's default comes from the broker config named in `brokerKey`
 * (e.g. retention.ms ← log.retention.ms), as in Kafka.
 */
export type ConfigType = 'int' | 'long' | 'boolean' | 'string' | 'list' | 'double' | 'password';

export interface ConfigDefinition {
  name: string;
  type: ConfigType;
  /** Kafka's default, as the string DescribeConfigs reports (null = no value). */
  defaultValue: string | null;
  documentation: string;
  /** For topic configs: the broker config that supplies the default. */
  brokerKey?: string;
  /** Allowed values for enumerations. */
  validValues?: readonly string[];
  /** Smallest allowed numeric value. */
  min?: number;
  readOnly?: boolean;
}

const def = (
  name: string,
  type: ConfigType,
  defaultValue: string | null,
  documentation: string,
  extra: Partial<ConfigDefinition> = {},
): ConfigDefinition => ({ name, type, defaultValue, documentation, ...extra });

export const TOPIC_CONFIGS: readonly ConfigDefinition[] = [
  def('cleanup.policy', 'list', 'delete', 'Retention policy: delete or compact.', {
    brokerKey: 'log.cleanup.policy',
    validValues: ['delete', 'compact', 'compact,delete', 'delete,compact'],
  }),
  def('compression.type', 'string', 'producer', 'Final compression of stored batches.', {
    brokerKey: 'compression.type',
    validValues: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'],
  }),
  def('delete.retention.ms', 'long', '86400000', 'How long tombstones are kept.', {
    brokerKey: 'log.cleaner.delete.retention.ms',
    min: 0,
  }),
  def('file.delete.delay.ms', 'long', '60000', 'Delay before deleting a file.', {
    brokerKey: 'log.segment.delete.delay.ms',
    min: 0,
  }),
  def('flush.messages', 'long', '9223372036854775807', 'Messages between forced fsyncs.', {
    brokerKey: 'log.flush.interval.messages',
    min: 1,
  }),
  def('flush.ms', 'long', '9223372036854775807', 'Milliseconds between forced fsyncs.', {
    brokerKey: 'log.flush.interval.ms',
    min: 0,
  }),
  def('index.interval.bytes', 'int', '4096', 'Bytes between offset index entries.', {
    brokerKey: 'log.index.interval.bytes',
    min: 0,
  }),
  def('max.message.bytes', 'int', '1048588', 'Largest record batch size allowed.', {
    brokerKey: 'message.max.bytes',
    min: 0,
  }),
  def('message.timestamp.type', 'string', 'CreateTime', 'CreateTime or LogAppendTime.', {
    brokerKey: 'log.message.timestamp.type',
    validValues: ['CreateTime', 'LogAppendTime'],
  }),
  def('min.insync.replicas', 'int', '1', 'Replicas that must acknowledge acks=all writes.', {
    brokerKey: 'min.insync.replicas',
    min: 1,
  }),
  def('retention.bytes', 'long', '-1', 'Largest partition size before old segments go.', {
    brokerKey: 'log.retention.bytes',
  }),
  def('retention.ms', 'long', '604800000', 'Longest time a segment is kept (-1: forever).', {
    brokerKey: 'log.retention.ms',
    min: -1,
  }),
  def('segment.bytes', 'int', '1073741824', 'Segment file size.', {
    brokerKey: 'log.segment.bytes',
    min: 14,
  }),
  def('segment.index.bytes', 'int', '10485760', 'Offset index size.', {
    brokerKey: 'log.index.size.max.bytes',
    min: 4,
  }),
  def('segment.ms', 'long', '604800000', 'Time after which a segment rolls.', {
    brokerKey: 'log.roll.ms',
    min: 1,
  }),
  def('unclean.leader.election.enable', 'boolean', 'false', 'Out-of-sync replicas may lead.', {
    brokerKey: 'unclean.leader.election.enable',
  }),
  def('weir.fsync.on.append', 'boolean', 'false', 'Weir: fsync before acknowledging.', {
    brokerKey: 'weir.fsync.on.append',
  }),
];

export const BROKER_CONFIGS: readonly ConfigDefinition[] = [
  def('broker.id', 'int', '0', 'This broker id.', { readOnly: true }),
  def('node.id', 'int', '0', 'This node id.', { readOnly: true }),
  def('listeners', 'list', 'PLAINTEXT://127.0.0.1:9092', 'Listeners.', { readOnly: true }),
  def('advertised.listeners', 'list', null, 'Listeners advertised to clients.', {
    readOnly: true,
  }),
  def('log.dirs', 'list', './weir-data', 'Data directory.', { readOnly: true }),
  def('num.partitions', 'int', '1', 'Partitions of auto-created topics.', { min: 1 }),
  def('default.replication.factor', 'int', '1', 'Replication factor of auto-created topics.'),
  def('auto.create.topics.enable', 'boolean', 'true', 'Create topics on first use.'),
  def('delete.topic.enable', 'boolean', 'true', 'Allow DeleteTopics.'),
  def('socket.request.max.bytes', 'int', '104857600', 'Largest request accepted.', {
    readOnly: true,
  }),
  def('offsets.topic.num.partitions', 'int', '50', 'Partitions of __consumer_offsets.', {
    readOnly: true,
    min: 1,
  }),
  def('group.min.session.timeout.ms', 'int', '6000', 'Shortest session a member may ask for.', {
    min: 0,
  }),
  def('group.max.session.timeout.ms', 'int', '1800000', 'Longest session a member may ask for.', {
    min: 0,
  }),
  def('group.initial.rebalance.delay.ms', 'int', '3000', 'Wait for more members first.', {
    min: 0,
  }),
  def('group.max.size', 'int', '2147483647', 'Most members in one group.', { min: 1 }),
  def('offsets.retention.minutes', 'int', '10080', 'Offsets kept for empty groups.', { min: 1 }),
  def('offsets.retention.check.interval.ms', 'long', '600000', 'How often offsets expire.', {
    min: 1,
  }),
  def('offset.metadata.max.bytes', 'int', '4096', 'Largest commit metadata.', { min: 0 }),
  def('offsets.load.buffer.size', 'int', '5242880', 'Read size when loading offsets.', {
    min: 1,
  }),
  def('log.retention.check.interval.ms', 'long', '300000', 'How often retention runs.'),
  def('log.cleanup.policy', 'list', 'delete', 'Default cleanup.policy.'),
  def('compression.type', 'string', 'producer', 'Default compression.type.'),
  def('log.cleaner.delete.retention.ms', 'long', '86400000', 'Default delete.retention.ms.'),
  def('log.segment.delete.delay.ms', 'long', '60000', 'Default file.delete.delay.ms.'),
  def('log.flush.interval.messages', 'long', '9223372036854775807', 'Default flush.messages.'),
  def('log.flush.interval.ms', 'long', '9223372036854775807', 'Default flush.ms.'),
  def('log.index.interval.bytes', 'int', '4096', 'Default index.interval.bytes.'),
  def('message.max.bytes', 'int', '1048588', 'Default max.message.bytes.'),
  def('log.message.timestamp.type', 'string', 'CreateTime', 'Default timestamp type.'),
  def('min.insync.replicas', 'int', '1', 'Default min.insync.replicas.'),
  def('log.retention.bytes', 'long', '-1', 'Default retention.bytes.'),
  def('log.retention.ms', 'long', '604800000', 'Default retention.ms.'),
  def('log.segment.bytes', 'int', '1073741824', 'Default segment.bytes.'),
  def('log.index.size.max.bytes', 'int', '10485760', 'Default segment.index.bytes.'),
  def('log.roll.ms', 'long', '604800000', 'Default segment.ms.'),
  def('unclean.leader.election.enable', 'boolean', 'false', 'Default unclean election.'),
  def('weir.fsync.on.append', 'boolean', 'false', 'Default weir.fsync.on.append.'),
];

export const TOPIC_CONFIG_BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));
export const BROKER_CONFIG_BY_NAME = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));

/**
 * Broker keys that Kafka derives from coarser ones: log.retention.hours/minutes set
 * log.retention.ms when it is not given; log.roll.hours sets log.roll.ms.
 */
export const DERIVED_BROKER_KEYS: ReadonlyArray<{ from: string; to: string; factor: number }> = [
  { from: 'log.retention.hours', to: 'log.retention.ms', factor: 3_600_000 },
  { from: 'log.retention.minutes', to: 'log.retention.ms', factor: 60_000 },
  { from: 'log.roll.hours', to: 'log.roll.ms', factor: 3_600_000 },
];
