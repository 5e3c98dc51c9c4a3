/**
 * The cluster as the CLI sees it: bootstrap, a metadata cache (brokers, topics, partition
 * leaders), one connection per broker, and the lookup of group coordinators.
 *
 * Bootstrap tries each address of `bootstrapServers` in turn and asks the first that
 * answers for Metadata; from then on requests go to the broker that owns what they touch
 * (a partition's leader, a group's coordinator), at the address the cluster advertises.
 * The cache is refreshed on demand: after an error such as NOT_LEADER_OR_FOLLOWER, callers
 * call `refreshMetadata` and retry.
 */
import { ApiKey, ErrorCode, ZERO_UUID } from '../../protocol/kafka/index.js';
import type { FindCoordinatorResponse } from '../../protocol/kafka/generated/messages/find-coordinator.js';
import type {
  MetadataResponse,
  MetadataResponseTopic,
} from '../../protocol/kafka/generated/messages/metadata.js';
import { BrokerConnection, formatAddress } from './connection.js';
import { BrokerError, ClientError, check, unknownTopic } from './errors.js';

export interface ClientOptions {
  /** "host:port[,host:port...]". */
  bootstrapServers: string;
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  errorCode: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

export interface TopicInfo {
  name: string;
  /** ZERO_UUID when the broker's Metadata version predates topic ids. */
  topicId: string;
  isInternal: boolean;
  /** Sorted by partition index. */
  partitions: PartitionInfo[];
}

const DEFAULT_PORT = 9092;

/** Parses "host:port,host:port" (IPv6 as [::1]:9092); a missing port means 9092. */
export function parseBootstrapServers(value: string): { host: string; port: number }[] {
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((server) => {
      const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(server);
      const port = match?.[3] === undefined ? DEFAULT_PORT : Number(match[3]);
      if (!match || port > 65535) {
        throw new ClientError(
          'WEIR_CLIENT_INVALID',
          `invalid bootstrap server '${server}' (expected host:port)`,
        );
      }
      return { host: (match[1] ?? match[2])!, port };
    });
  if (servers.length === 0)
    throw new ClientError('WEIR_CLIENT_INVALID', 'no bootstrap server given');
  return servers;
}

export class KafkaClient {
  readonly #options: ClientOptions & { clientId: string };
  readonly #bootstrap: BrokerConnection;
  readonly #connections = new Map<number, Promise<BrokerConnection>>();
  readonly #coordinators = new Map<string, number>();
  #brokers = new Map<number, BrokerInfo>();
  #topics = new Map<string, TopicInfo>();
  #controllerId = -1;
  #clusterId: string | null = null;
  #closed = false;

  private constructor(options: ClientOptions & { clientId: string }, bootstrap: BrokerConnection) {
    this.#options = options;
    this.#bootstrap = bootstrap;
  }

  /** Connects to the first reachable bootstrap server and loads the broker list. */
  static async connect(options: ClientOptions): Promise<KafkaClient> {
    const resolved = { ...options, clientId: options.clientId ?? 'weir-cli' };
    let lastError: unknown;
    for (const { host, port } of parseBootstrapServers(options.bootstrapServers)) {
      try {
        const connection = await BrokerConnection.open({ ...resolved, host, port });
        const client = new KafkaClient(resolved, connection);
        try {
          await client.refreshMetadata([]);
        } catch (error) {
          client.close();
          throw error;
        }
        return client;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  get clusterId(): string | null {
    return this.#clusterId;
  }

  get controllerId(): number {
    return this.#controllerId;
  }

  get brokers(): BrokerInfo[] {
    return [...this.#brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** The bootstrap connection: for requests any broker can answer. */
  get any(): BrokerConnection {
    return this.#bootstrap;
  }

  /**
   * Asks for metadata of `topics` (null: every topic) and updates the cache. Returns the
   * broker's answer per topic, errors included (UNKNOWN_TOPIC_OR_PARTITION, ...).
   */
  async refreshMetadata(
    topics: readonly string[] | null,
    allowAutoTopicCreation = false,
  ): Promise<MetadataResponseTopic[]> {
    const connection = this.#bootstrap.isAlive ? this.#bootstrap : await this.#anyNode();
    const { body } = await connection.send<MetadataResponse>(ApiKey.Metadata, () => ({
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }));
    check(body.errorCode, 'Metadata');
    this.#brokers = new Map(
      body.brokers.map((b) => [
        b.nodeId,
        { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack },
      ]),
    );
    this.#controllerId = body.controllerId;
    this.#clusterId = body.clusterId;
    if (topics === null) this.#topics.clear();
    for (const topic of body.topics) {
      if (topic.name === null) continue;
      if (topic.errorCode !== ErrorCode.NONE) {
        this.#topics.delete(topic.name);
        continue;
      }
      this.#topics.set(topic.name, {
        name: topic.name,
        topicId: topic.topicId,
        isInternal: topic.isInternal,
        partitions: topic.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            leader: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            offline: p.offlineReplicas,
          }))
          .sort((a, b) => a.partition - b.partition),
      });
    }
    return body.topics;
  }

  /** A topic's metadata, from the cache or the broker; throws when it does not exist. */
  async topic(name: string, refresh = false): Promise<TopicInfo> {
    if (refresh || !this.#topics.has(name)) {
      const [answer] = await this.refreshMetadata([name]);
      if (answer && answer.errorCode !== ErrorCode.NONE) {
        if (answer.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw unknownTopic(name);
        throw new BrokerError(answer.errorCode, `metadata of topic '${name}'`);
      }
    }
    const topic = this.#topics.get(name);
    if (!topic) throw unknownTopic(name);
    return topic;
  }

  /** Every topic in the cluster (refreshes the cache). */
  async listTopics(): Promise<TopicInfo[]> {
    await this.refreshMetadata(null);
    return [...this.#topics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The connection to `nodeId` (opened on first use, reopened after a failure). */
  async connection(nodeId: number): Promise<BrokerConnection> {
    if (this.#closed) throw new ClientError('WEIR_CLIENT_CONNECTION_CLOSED', 'client is closed');
    const existing = this.#connections.get(nodeId);
    if (existing) {
      const connection = await existing.catch(() => null);
      if (connection?.isAlive) return connection;
      this.#connections.delete(nodeId);
    }
    const broker = this.#brokers.get(nodeId);
    if (!broker) {
      throw new ClientError(
        'WEIR_CLIENT_PROTOCOL',
        `broker ${nodeId} is not in the cluster metadata`,
      );
    }
    const opening = BrokerConnection.open({
      ...this.#options,
      host: broker.host,
      port: broker.port,
    });
    this.#connections.set(nodeId, opening);
    opening.catch(() => this.#connections.delete(nodeId));
    const connection = await opening;
    if (this.#closed) connection.close();
    return connection;
  }

  /** The leader of a partition, per the cache; throws if it has none. */
  async leaderOf(topic: string, partition: number): Promise<number> {
    const info = await this.topic(topic);
    const p = info.partitions.find((candidate) => candidate.partition === partition);
    if (!p) {
      throw new ClientError(
        'WEIR_CLIENT_UNKNOWN_TOPIC',
        `topic '${topic}' has no partition ${partition}`,
      );
    }
    if (p.leader < 0)
      throw new BrokerError(ErrorCode.LEADER_NOT_AVAILABLE, `partition ${topic}-${partition}`);
    return p.leader;
  }

  /** The connection to the controller (topic admin), or any broker when unknown. */
  async controller(): Promise<BrokerConnection> {
    return this.#brokers.has(this.#controllerId)
      ? this.connection(this.#controllerId)
      : this.#bootstrap;
  }

  /** The connection to a group's coordinator (FindCoordinator, cached). */
  async coordinator(groupId: string): Promise<BrokerConnection> {
    const cached = this.#coordinators.get(groupId);
    if (cached !== undefined && this.#brokers.has(cached)) return this.connection(cached);
    for (let attempt = 0; ; attempt++) {
      const { version, body } = await this.#bootstrap.send<FindCoordinatorResponse>(
        ApiKey.FindCoordinator,
        () => ({ key: groupId, keyType: 0, coordinatorKeys: [groupId] }),
      );
      const answer =
        version >= 4
          ? body.coordinators[0]
          : {
              errorCode: body.errorCode,
              errorMessage: body.errorMessage,
              nodeId: body.nodeId,
              host: body.host,
              port: body.port,
            };
      if (!answer)
        throw new ClientError('WEIR_CLIENT_PROTOCOL', 'FindCoordinator returned no coordinator');
      // The coordinator loads a group's partition on first use: wait for it.
      if (
        answer.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
        answer.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
      ) {
        if (attempt < 50) {
          await sleep(100);
          continue;
        }
      }
      check(answer.errorCode, `find the coordinator of group '${groupId}'`, answer.errorMessage);
      if (!this.#brokers.has(answer.nodeId)) {
        this.#brokers.set(answer.nodeId, {
          nodeId: answer.nodeId,
          host: answer.host,
          port: answer.port,
          rack: null,
        });
      }
      this.#coordinators.set(groupId, answer.nodeId);
      return this.connection(answer.nodeId);
    }
  }

  /** Forgets a group's coordinator (after NOT_COORDINATOR). */
  forgetCoordinator(groupId: string): void {
    this.#coordinators.delete(groupId);
  }

  close(): void {
    this.#closed = true;
    this.#bootstrap.close();
    for (const opening of this.#connections.values()) {
      void opening.then(
        (c) => c.close(),
        () => undefined,
      );
    }
    this.#connections.clear();
  }

  async #anyNode(): Promise<BrokerConnection> {
    let lastError: unknown = new ClientError('WEIR_CLIENT_UNREACHABLE', 'no broker is reachable');
    for (const nodeId of this.#brokers.keys()) {
      try {
        return await this.connection(nodeId);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { formatAddress };
