/**
 * The composition root: the only place that wires storage, cluster, coordinators and
 * front ends together (DESIGN.md §2). `startBroker` is what `weir start` runs and what the
 * embedding API (index.ts) exports.
 */
import { isAbsolute, resolve } from 'node:path';
import { createLogger, silentLogger, type Logger, type LogLevel } from './common/logger.js';
import { LocalCluster } from './cluster/local-cluster.js';
import { BrokerConfig } from './cluster/metadata/configs.js';
import { FileMetadataStore } from './cluster/metadata/file-metadata-store.js';
import { MemoryMetadataStore, type TopicMetadata } from './cluster/metadata/topic-registry.js';
import {
  FaultInjectingFileSystem,
  ReadBufferPool,
  realFileSystem,
  type FileSystem,
} from './storage/index.js';
import { CONSUMER_OFFSETS_TOPIC, GroupCoordinator, groupConfigFrom } from './coordinator/index.js';
import { createHandlers } from './server/kafka/handlers/index.js';
import { KafkaServer } from './server/kafka/kafka-server.js';

/**
 * Free fetch read buffers kept for reuse (ReadBufferPool): the 1-2 MiB windows of a few
 * dozen fetches in flight at once; beyond that, buffers are allocated and dropped.
 */
const READ_BUFFER_POOL_BYTES = 64 * 1024 * 1024;
/** Fetch read-ahead in all partitions together: one 1-2 MiB window each for 8-16 of them. */
const READ_AHEAD_BYTES = 16 * 1024 * 1024;

export interface BrokerOptions {
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port to listen on; 0 picks a free one. Default 9092. */
  port?: number;
  /** Data directory, or 'memory' for a broker whose data lives and dies with it. Default ./weir-data. */
  dataDir?: string;
  /** Kafka broker config keys (num.partitions, log.retention.hours, ...). */
  config?: Record<string, string | number | boolean>;
  /** Where logs go. Default: JSON lines on stderr at `logLevel`, or silent for 'memory'. */
  logger?: Logger;
  logLevel?: LogLevel;
}

export interface Broker {
  host: string;
  port: number;
  /** "host:port", ready for a client's bootstrap.servers / brokers option. */
  bootstrapServers: string;
  dataDir: string;
  clusterId: string;
  createTopic(
    name: string,
    options?: { partitions?: number; configs?: Record<string, string> },
  ): Promise<TopicMetadata>;
  /** Stops accepting, finishes in-flight requests, flushes and closes every log. */
  stop(): Promise<void>;
}

const DEFAULT_PORT = 9092;

/** Parses `advertised.listeners` (PLAINTEXT://host:port); null when unset. */
function advertisedAddress(value: string | null): { host: string; port: number } | null {
  if (!value) return null;
  const match = /^[A-Za-z_]+:\/\/\[?([^\]]*?)\]?:(\d+)$/.exec(value.split(',')[0]!.trim());
  return match ? { host: match[1]!, port: Number(match[2]) } : null;
}

function listenerAddress(value: string | null): { host: string; port: number } | null {
  return advertisedAddress(value);
}

export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const rawConfig = Object.fromEntries(
    Object.entries(options.config ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const config = new BrokerConfig(rawConfig);
  const inMemory = options.dataDir === 'memory';
  const dataDir = inMemory ? '/weir-memory' : resolveDir(options.dataDir ?? './weir-data');
  const logger =
    options.logger ??
    (inMemory && !options.logLevel ? silentLogger : createLogger(options.logLevel ?? 'info'));
  const fs: FileSystem = inMemory ? new FaultInjectingFileSystem() : realFileSystem();
  const listener = listenerAddress(rawConfig['listeners'] ?? null);
  const host = options.host ?? listener?.host ?? '127.0.0.1';
  const port = options.port ?? listener?.port ?? DEFAULT_PORT;
  const nodeId = config.number('node.id');

  const cluster = await LocalCluster.open({
    fs,
    dataDir,
    config,
    metadataStore: inMemory ? new MemoryMetadataStore() : new FileMetadataStore(fs, dataDir),
    endpoint: { nodeId, host, port, rack: null },
    logger,
  });
  let server: KafkaServer;
  let groups: GroupCoordinator | undefined;
  try {
    groups = await openGroupCoordinator(cluster, config, logger);
    server = await KafkaServer.listen({
      host,
      port,
      handlers: createHandlers({
        cluster,
        now: Date.now,
        groups,
        readBuffers: new ReadBufferPool(READ_BUFFER_POOL_BYTES, READ_AHEAD_BYTES),
      }),
      maxRequestBytes: config.number('socket.request.max.bytes'),
      logger,
    });
  } catch (error) {
    await groups?.close();
    await cluster.close();
    throw error;
  }
  const advertised = advertisedAddress(config.get('advertised.listeners'));
  const advertisedHost =
    advertised?.host ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const advertisedPort = advertised?.port ?? server.port;
  cluster.advertise({ nodeId, host: advertisedHost, port: advertisedPort, rack: null });
  cluster.startRetention();
  logger.info('broker started', { host, port: server.port, dataDir, clusterId: cluster.clusterId });

  let stopping: Promise<void> | undefined;
  return {
    host,
    port: server.port,
    bootstrapServers: `${advertisedHost}:${advertisedPort}`,
    dataDir,
    clusterId: cluster.clusterId,
    createTopic: (name, topicOptions = {}) =>
      cluster.createTopic({
        name,
        partitions: topicOptions.partitions ?? -1,
        replicationFactor: -1,
        configs: topicOptions.configs ?? {},
      }),
    stop: () => {
      stopping ??= (async () => {
        // Parked JoinGroup/SyncGroup requests are answered first, so draining is quick.
        await groups.close();
        await server.close();
        await cluster.close();
        logger.info('broker stopped', { dataDir });
      })();
      return stopping;
    },
  };
}

/**
 * Creates the internal topic `__consumer_offsets` when it is missing
 * (offsets.topic.num.partitions partitions; compacted, and never deleted by retention
 * until compaction exists) and loads the group coordinator from it.
 */
async function openGroupCoordinator(
  cluster: LocalCluster,
  config: BrokerConfig,
  logger: Logger,
): Promise<GroupCoordinator> {
  const groupConfig = groupConfigFrom((name) => config.get(name));
  const topic =
    cluster.topic(CONSUMER_OFFSETS_TOPIC) ??
    (await cluster.createTopic({
      name: CONSUMER_OFFSETS_TOPIC,
      partitions: groupConfig.offsetsTopicPartitions,
      replicationFactor: -1,
      configs: {
        'cleanup.policy': 'compact',
        'retention.ms': '-1',
        'retention.bytes': '-1',
        'segment.bytes': '104857600',
      },
    }));
  const coordinator = new GroupCoordinator({
    config: groupConfig,
    partitions: cluster.partitionsOf(topic.name),
    logger,
  });
  const stats = await coordinator.start();
  logger.info('group coordinator loaded', { ...stats });
  return coordinator;
}

function resolveDir(dir: string): string {
  return isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
}
