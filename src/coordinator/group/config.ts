/**
 * The group coordinator's settings, with Kafka's broker config names and defaults.
 */
export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms: the shortest session timeout a member may ask for. */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms: the longest. */
  maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members. */
  initialRebalanceDelayMs: number;
  /** group.max.size: members (joined or pending) a group may have. */
  maxGroupSize: number;
  /** offsets.retention.minutes, in ms: how long offsets of an empty group (or standalone commits) live. */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms: how often expired offsets are removed. */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes: the longest metadata string a commit may carry. */
  maxOffsetMetadataBytes: number;
  /** offsets.topic.num.partitions: partitions (coordinator shards) of __consumer_offsets. */
  offsetsTopicPartitions: number;
  /** offsets.load.buffer.size: bytes read per step when loading a shard. */
  offsetsLoadBufferBytes: number;
  /**
   * How long a new member's first JoinGroup may wait for the rebalance to complete before
   * the member is dropped (Kafka's fixed NewMemberJoinTimeoutMs, 5 minutes).
   */
  newMemberJoinTimeoutMs: number;
}

export const DEFAULT_GROUP_CONFIG: GroupCoordinatorConfig = {
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3_000,
  maxGroupSize: 2_147_483_647,
  offsetsRetentionMs: 10_080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  maxOffsetMetadataBytes: 4096,
  offsetsTopicPartitions: 50,
  offsetsLoadBufferBytes: 5 * 1024 * 1024,
  newMemberJoinTimeoutMs: 300_000,
};

/** Broker config keys the coordinator reads (name → field, unit factor). */
const KEYS: ReadonlyArray<[string, keyof GroupCoordinatorConfig, number]> = [
  ['group.min.session.timeout.ms', 'minSessionTimeoutMs', 1],
  ['group.max.session.timeout.ms', 'maxSessionTimeoutMs', 1],
  ['group.initial.rebalance.delay.ms', 'initialRebalanceDelayMs', 1],
  ['group.max.size', 'maxGroupSize', 1],
  ['offsets.retention.minutes', 'offsetsRetentionMs', 60_000],
  ['offsets.retention.check.interval.ms', 'offsetsRetentionCheckIntervalMs', 1],
  ['offset.metadata.max.bytes', 'maxOffsetMetadataBytes', 1],
  ['offsets.topic.num.partitions', 'offsetsTopicPartitions', 1],
  ['offsets.load.buffer.size', 'offsetsLoadBufferBytes', 1],
];

/**
 * Builds the config from broker settings (`get` returns the raw value or null when
 * unset). Throws on a value that is not a non-negative integer, or a partition count < 1.
 */
export function groupConfigFrom(get: (name: string) => string | null): GroupCoordinatorConfig {
  const config: GroupCoordinatorConfig = { ...DEFAULT_GROUP_CONFIG };
  for (const [name, field, factor] of KEYS) {
    const raw = get(name);
    if (raw === null || raw.trim() === '') continue;
    if (!/^\d+$/.test(raw.trim()))
      throw new Error(`${name}: '${raw}' is not a non-negative integer`);
    config[field] = Number(raw.trim()) * factor;
  }
  if (config.offsetsTopicPartitions < 1)
    throw new Error('offsets.topic.num.partitions must be at least 1');
  if (config.minSessionTimeoutMs > config.maxSessionTimeoutMs) {
    throw new Error('group.min.session.timeout.ms is larger than group.max.session.timeout.ms');
  }
  return config;
}
