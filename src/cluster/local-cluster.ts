/**
 * The cluster as one broker sees it in single-node mode: topic metadata (TopicRegistry),
 * the partitions this broker hosts (one PartitionLog each) and the configs that shape
 * them. Front ends call it for metadata and admin operations and get Partitions for data.
 *
 * Who may call: anyone, concurrently. Admin changes (create/delete/alter) are serialized
 * through one queue; reads of metadata see the state after the last completed change.
 */
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import {
  DEFAULT_LOG_CONFIG,
  PartitionLog,
  type FileSystem,
  type LogConfig,
} from '../storage/index.js';
import { ClusterError } from './cluster-error.js';
import { TOPIC_CONFIGS } from './metadata/config-definitions.js';
import {
  BrokerConfig,
  InvalidConfigError,
  resolveTopicConfig,
  toNumber,
  validateTopicConfigs,
  type ResolvedConfig,
} from './metadata/configs.js';
import { isInternalTopic, topicNameProblem } from './metadata/topic-name.js';
import {
  TopicRegistry,
  newTopicId,
  type MetadataStore,
  type TopicMetadata,
} from './metadata/topic-registry.js';
import { Partition } from './partition/partition.js';

export interface BrokerEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface LocalClusterOptions {
  fs: FileSystem;
  dataDir: string;
  config: BrokerConfig;
  metadataStore: MetadataStore;
  endpoint: BrokerEndpoint;
  logger: Logger;
  now?: () => number;
}

export interface NewTopic {
  name: string;
  /** -1: the broker's num.partitions. */
  partitions: number;
  /** -1: the broker's default.replication.factor. */
  replicationFactor: number;
  configs: Record<string, string>;
}

/** Highest partition count per topic (bounds the work and files one request can cause). */
export const MAX_PARTITIONS_PER_TOPIC = 10_000;

export class LocalCluster {
  private readonly partitions = new Map<string, Partition[]>();
  private adminQueue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private retentionTimer: NodeJS.Timeout | undefined;
  private advertised: BrokerEndpoint;

  private constructor(
    private readonly options: LocalClusterOptions,
    private readonly registry: TopicRegistry,
  ) {
    this.now = options.now ?? Date.now;
    this.advertised = options.endpoint;
  }

  static async open(options: LocalClusterOptions): Promise<LocalCluster> {
    await options.fs.mkdir(options.dataDir);
    const registry = await TopicRegistry.open(options.metadataStore);
    const cluster = new LocalCluster(options, registry);
    for (const topic of registry.list()) await cluster.openPartitions(topic, 0, topic.partitions);
    return cluster;
  }

  get clusterId(): string {
    return this.registry.clusterId;
  }

  /** The directory holding this broker's partitions (its one log dir). */
  get dataDir(): string {
    return this.options.dataDir;
  }

  get config(): BrokerConfig {
    return this.options.config;
  }

  get endpoint(): BrokerEndpoint {
    return this.advertised;
  }

  /** Sets the address advertised in Metadata (known once the listener is bound). */
  advertise(endpoint: BrokerEndpoint): void {
    this.advertised = endpoint;
  }

  /** Single node: this broker is every partition's leader and the controller. */
  get controllerId(): number {
    return this.advertised.nodeId;
  }

  topics(): TopicMetadata[] {
    return this.registry.list();
  }

  topic(name: string): TopicMetadata | undefined {
    return this.registry.get(name);
  }

  topicById(topicId: string): TopicMetadata | undefined {
    return this.registry.getById(topicId);
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.partitions.get(topic)?.[index];
  }

  partitionsOf(topic: string): readonly Partition[] {
    return this.partitions.get(topic) ?? [];
  }

  /** Creates a topic; with `validateOnly` only checks that it could be created. */
  createTopic(request: NewTopic, validateOnly = false): Promise<TopicMetadata> {
    return this.serialize(async () => {
      const topic = this.validateNewTopic(request);
      if (validateOnly) return topic;
      await this.openPartitions(topic, 0, topic.partitions);
      await this.registry.add(topic);
      this.options.logger.info('created topic', {
        topic: topic.name,
        partitions: topic.partitions,
      });
      return topic;
    });
  }

  /** Auto-creation on Metadata/Produce: num.partitions and defaults. Null when disabled. */
  async autoCreateTopic(name: string): Promise<TopicMetadata | null> {
    const existing = this.registry.get(name);
    if (existing) return existing;
    if (!this.config.bool('auto.create.topics.enable')) return null;
    try {
      return await this.createTopic({ name, partitions: -1, replicationFactor: -1, configs: {} });
    } catch (error) {
      if (error instanceof ClusterError && error.code === 'TOPIC_ALREADY_EXISTS') {
        return this.registry.get(name) ?? null;
      }
      throw error;
    }
  }

  deleteTopic(name: string): Promise<TopicMetadata> {
    return this.serialize(async () => {
      if (!this.config.bool('delete.topic.enable')) {
        throw new ClusterError('TOPIC_DELETION_DISABLED', 'delete.topic.enable is false');
      }
      const topic = this.requireTopic(name);
      this.refuseInternal(name, 'deleted');
      await this.registry.remove(name);
      const partitions = this.partitions.get(name) ?? [];
      this.partitions.delete(name);
      for (const partition of partitions) {
        partition.wakeAll();
        await partition.log.delete();
      }
      this.options.logger.info('deleted topic', { topic: name });
      return topic;
    });
  }

  /** Grows a topic to `count` partitions (Kafka never shrinks them). */
  createPartitions(name: string, count: number, validateOnly = false): Promise<TopicMetadata> {
    return this.serialize(async () => {
      const topic = this.requireTopic(name);
      this.refuseInternal(name, 'given more partitions');
      if (count <= topic.partitions) {
        throw new ClusterError(
          'INVALID_PARTITIONS',
          `topic '${name}' has ${topic.partitions} partitions; the new count must be larger, got ${count}`,
        );
      }
      if (count > MAX_PARTITIONS_PER_TOPIC) {
        throw new ClusterError(
          'INVALID_PARTITIONS',
          `at most ${MAX_PARTITIONS_PER_TOPIC} partitions`,
        );
      }
      if (validateOnly) return topic;
      await this.openPartitions(topic, topic.partitions, count);
      await this.registry.update(name, (t) => {
        t.partitions = count;
      });
      return topic;
    });
  }

  /**
   * Changes a topic's config overrides: `set` adds or replaces, `remove` reverts to the
   * default. With `replace` (legacy AlterConfigs) the overrides become exactly `set`.
   */
  alterTopicConfigs(
    name: string,
    change: { set: Record<string, string>; remove: string[]; replace?: boolean },
    validateOnly = false,
  ): Promise<void> {
    return this.serialize(async () => {
      const topic = this.requireTopic(name);
      const next: Record<string, string> = change.replace ? {} : { ...topic.configs };
      for (const key of change.remove) delete next[key];
      Object.assign(next, change.set);
      this.checkConfigs(next);
      if (validateOnly) return;
      await this.registry.update(name, (t) => {
        t.configs = next;
      });
      const logConfig = this.logConfig(topic);
      for (const partition of this.partitionsOf(name)) partition.log.updateConfig(logConfig);
    });
  }

  /** Every topic config with its effective value and source (DescribeConfigs). */
  describeTopicConfigs(name: string): ResolvedConfig[] {
    const topic = this.requireTopic(name);
    return TOPIC_CONFIGS.map((d) => resolveTopicConfig(this.config, topic.configs, d.name)!);
  }

  topicConfig(topic: TopicMetadata, name: string): string | null {
    return resolveTopicConfig(this.config, topic.configs, name)?.value ?? null;
  }

  /** Reserves a producer id (InitProducerId without a transactional id). */
  allocateProducerId(): Promise<number> {
    return this.serialize(() => this.registry.allocateProducerIds(1));
  }

  /** Starts the periodic retention check (log.retention.check.interval.ms). */
  startRetention(): void {
    const interval = this.config.number('log.retention.check.interval.ms');
    this.retentionTimer = setInterval(() => void this.applyRetention(), interval);
    this.retentionTimer.unref();
  }

  async applyRetention(): Promise<void> {
    for (const partitions of this.partitions.values()) {
      for (const partition of partitions) {
        try {
          await partition.log.applyRetention(this.now());
        } catch (error) {
          this.options.logger.error('retention failed', {
            topic: partition.topic,
            partition: partition.index,
            error: String(error),
          });
        }
      }
    }
  }

  /** Clean shutdown: flushes and closes every log (writing clean-shutdown markers). */
  async close(): Promise<void> {
    clearInterval(this.retentionTimer);
    await this.adminQueue.catch(() => undefined);
    for (const partitions of this.partitions.values()) {
      for (const partition of partitions) await partition.close();
    }
    this.partitions.clear();
  }

  // -- internals ----------------------------------------------------------------------

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.adminQueue.catch(() => undefined).then(operation);
    this.adminQueue = result;
    return result;
  }

  /** Kafka's internal topics belong to the broker: clients may not delete or grow them. */
  private refuseInternal(name: string, what: string): void {
    if (isInternalTopic(name)) {
      throw new ClusterError(
        'INVALID_TOPIC_EXCEPTION',
        `internal topic '${name}' cannot be ${what}`,
      );
    }
  }

  private requireTopic(name: string): TopicMetadata {
    const topic = this.registry.get(name);
    if (!topic) throw new ClusterError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic '${name}'`);
    return topic;
  }

  private validateNewTopic(request: NewTopic): TopicMetadata {
    const problem = topicNameProblem(request.name);
    if (problem) throw new ClusterError('INVALID_TOPIC_EXCEPTION', problem);
    if (this.registry.get(request.name)) {
      throw new ClusterError('TOPIC_ALREADY_EXISTS', `topic '${request.name}' already exists`);
    }
    const partitions =
      request.partitions === -1 ? this.config.number('num.partitions') : request.partitions;
    if (partitions < 1 || partitions > MAX_PARTITIONS_PER_TOPIC) {
      throw new ClusterError(
        'INVALID_PARTITIONS',
        `partitions must be 1-${MAX_PARTITIONS_PER_TOPIC}, got ${partitions}`,
      );
    }
    const replicationFactor =
      request.replicationFactor === -1
        ? this.config.number('default.replication.factor')
        : request.replicationFactor;
    if (replicationFactor !== 1) {
      throw new ClusterError(
        'INVALID_REPLICATION_FACTOR',
        `replication factor ${replicationFactor} is larger than the 1 available broker`,
      );
    }
    this.checkConfigs(request.configs);
    return {
      name: request.name,
      topicId: newTopicId(),
      partitions,
      replicationFactor,
      configs: { ...request.configs },
    };
  }

  private checkConfigs(configs: Record<string, string>): void {
    try {
      validateTopicConfigs(configs);
    } catch (error) {
      if (error instanceof InvalidConfigError)
        throw new ClusterError('INVALID_CONFIG', error.message);
      throw error;
    }
  }

  private logConfig(topic: TopicMetadata): LogConfig {
    const value = (name: string): number => toNumber(this.topicConfig(topic, name));
    return {
      ...DEFAULT_LOG_CONFIG,
      segmentBytes: value('segment.bytes'),
      segmentMs: value('segment.ms'),
      indexIntervalBytes: value('index.interval.bytes'),
      retentionMs: value('retention.ms'),
      retentionBytes: value('retention.bytes'),
      flushMessages: value('flush.messages'),
      flushMs: value('flush.ms'),
      fsyncOnAppend: this.topicConfig(topic, 'weir.fsync.on.append') === 'true',
    };
  }

  private async openPartitions(topic: TopicMetadata, from: number, to: number): Promise<void> {
    const list = this.partitions.get(topic.name) ?? [];
    for (let index = from; index < to; index++) {
      const log = await PartitionLog.open({
        fs: this.options.fs,
        dir: join(this.options.dataDir, `${topic.name}-${index}`),
        config: this.logConfig(topic),
        logger: this.options.logger,
        now: this.now,
      });
      const partition = new Partition(
        topic.name,
        topic.topicId,
        index,
        log,
        () => ({
          logAppendTime: this.topicConfig(topic, 'message.timestamp.type') === 'LogAppendTime',
        }),
        this.options.logger,
        this.now,
      );
      await partition.loadProducerState();
      list[index] = partition;
    }
    this.partitions.set(topic.name, list);
  }

  /** True for Kafka's internal topics (hidden from auto-creation by clients). */
  static isInternal(name: string): boolean {
    return isInternalTopic(name);
  }
}
