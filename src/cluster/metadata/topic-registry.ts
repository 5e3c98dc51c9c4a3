/**
 * The cluster's topic metadata: names, ids, partition counts and config overrides.
 *
 * Single-node mode keeps it in one JSON document written atomically through a
 * MetadataStore (replace-by-rename, fsynced) on every change; the etcd-backed controller
 * replaces the store later. Who may call: the cluster (LocalCluster) only, one change at a
 * time (it serializes admin operations).
 */
import { randomBytes } from 'node:crypto';

export interface TopicMetadata {
  name: string;
  /** Kafka topic id: 16 random bytes as URL-safe base64 (never the all-zero id). */
  topicId: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface ClusterMetadataSnapshot {
  version: 1;
  clusterId: string;
  topics: TopicMetadata[];
  /** Next producer id block start (InitProducerId). */
  nextProducerId: number;
}

/** Where the metadata document lives: a file, or memory for embedded brokers. */
export interface MetadataStore {
  load(): Promise<ClusterMetadataSnapshot | null>;
  /** Resolves once the document is durable. */
  save(snapshot: ClusterMetadataSnapshot): Promise<void>;
}

export class MemoryMetadataStore implements MetadataStore {
  private snapshot: ClusterMetadataSnapshot | null = null;

  async load(): Promise<ClusterMetadataSnapshot | null> {
    return this.snapshot === null ? null : structuredClone(this.snapshot);
  }

  async save(snapshot: ClusterMetadataSnapshot): Promise<void> {
    this.snapshot = structuredClone(snapshot);
  }
}

export function newTopicId(): string {
  for (;;) {
    const bytes = randomBytes(16);
    if (bytes.some((b) => b !== 0)) return bytes.toString('base64url');
  }
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64, like topic ids. */
export const newClusterId = newTopicId;

export class TopicRegistry {
  private readonly byName = new Map<string, TopicMetadata>();
  private readonly byId = new Map<string, TopicMetadata>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: MetadataStore,
    readonly clusterId: string,
    private nextProducerIdValue: number,
  ) {}

  static async open(store: MetadataStore): Promise<TopicRegistry> {
    const snapshot = await store.load();
    const registry = new TopicRegistry(
      store,
      snapshot?.clusterId ?? newClusterId(),
      snapshot?.nextProducerId ?? 0,
    );
    for (const topic of snapshot?.topics ?? []) registry.index(topic);
    if (snapshot === null) await registry.persist();
    return registry;
  }

  get(name: string): TopicMetadata | undefined {
    return this.byName.get(name);
  }

  getById(topicId: string): TopicMetadata | undefined {
    return this.byId.get(topicId);
  }

  list(): TopicMetadata[] {
    return [...this.byName.values()];
  }

  async add(topic: TopicMetadata): Promise<void> {
    this.index(topic);
    await this.persist();
  }

  async remove(name: string): Promise<void> {
    const topic = this.byName.get(name);
    if (!topic) return;
    this.byName.delete(name);
    this.byId.delete(topic.topicId);
    await this.persist();
  }

  async update(name: string, change: (topic: TopicMetadata) => void): Promise<void> {
    const topic = this.byName.get(name);
    if (!topic) return;
    change(topic);
    await this.persist();
  }

  /** Reserves `count` producer ids and returns the first; durable before it resolves. */
  async allocateProducerIds(count: number): Promise<number> {
    const first = this.nextProducerIdValue;
    this.nextProducerIdValue += count;
    await this.persist();
    return first;
  }

  private index(topic: TopicMetadata): void {
    this.byName.set(topic.name, topic);
    this.byId.set(topic.topicId, topic);
  }

  /** Saves are chained so the last change always wins on disk. */
  private persist(): Promise<void> {
    const snapshot: ClusterMetadataSnapshot = {
      version: 1,
      clusterId: this.clusterId,
      topics: this.list().map((t) => structuredClone(t)),
      nextProducerId: this.nextProducerIdValue,
    };
    this.saving = this.saving.catch(() => undefined).then(() => this.store.save(snapshot));
    return this.saving;
  }
}
