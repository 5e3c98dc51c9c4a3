/**
 * A consumer in a classic group: it polls like Consumer, and before a poll it (re)joins
 * the group when needed: commit what was consumed under the old generation, join, take
 * the committed offsets of the new assignment (or the reset policy where none), assign.
 * `commit()` commits the consumed positions; `close()` commits and leaves.
 */
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, fetchCommittedOffsets } from './admin.js';
import {
  Consumer,
  type ConsumedRecord,
  type ConsumerOptions,
  type StartPosition,
} from './consumer.js';
import { GroupMember, type GroupMemberOptions } from './group-member.js';
import type { KafkaClient } from './kafka-client.js';

export type GroupConsumerOptions = ConsumerOptions & GroupMemberOptions;

/** Longest a poll waits before checking whether the group is rebalancing. */
const REBALANCE_CHECK_MS = 500;

export class GroupConsumer {
  readonly #client: KafkaClient;
  readonly #groupId: string;
  readonly #offsetReset: 'earliest' | 'latest';
  readonly #consumer: Consumer;
  readonly #member: GroupMember;
  #committed = new Map<string, Map<number, bigint>>();

  constructor(client: KafkaClient, options: GroupConsumerOptions) {
    this.#client = client;
    this.#groupId = options.groupId;
    this.#offsetReset = options.offsetReset ?? 'latest';
    this.#consumer = new Consumer(client, options);
    this.#member = new GroupMember(client, options);
  }

  get memberId(): string {
    return this.#member.memberId;
  }

  async poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#member.needsRejoin) await this.#rejoin();
      const left = deadline - Date.now();
      const records = await this.#consumer.poll(
        maxRecords,
        Math.max(0, Math.min(left, REBALANCE_CHECK_MS)),
      );
      if (records.length > 0 || Date.now() >= deadline) return records;
    }
  }

  /** Commits the consumed positions that moved since the last commit. */
  async commit(): Promise<void> {
    const changed = new Map<string, Map<number, bigint>>();
    for (const [topic, partitions] of this.#consumer.positions()) {
      for (const [partition, offset] of partitions) {
        if (this.#committed.get(topic)?.get(partition) === offset) continue;
        if (!changed.has(topic)) changed.set(topic, new Map());
        changed.get(topic)!.set(partition, offset);
      }
    }
    if (changed.size === 0 || this.#member.generationId < 0) return;
    await this.#member.commit(changed);
    for (const [topic, partitions] of changed) {
      if (!this.#committed.has(topic)) this.#committed.set(topic, new Map());
      for (const [partition, offset] of partitions)
        this.#committed.get(topic)!.set(partition, offset);
    }
  }

  /** Commits, leaves the group and stops fetching. */
  async close(): Promise<void> {
    try {
      await this.commit();
    } finally {
      this.#consumer.close();
      await this.#member.leave();
    }
  }

  async #rejoin(): Promise<void> {
    // Best effort: under a rebalance the old generation's commit may be refused.
    await this.commit().catch(() => undefined);
    const assignment = await this.#member.join();
    const committed = await fetchCommittedOffsets(this.#client, this.#groupId, assignment);
    this.#committed = committed;
    const reset = this.#offsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
    const starts = new Map<string, Map<number, StartPosition>>();
    for (const [topic, partitions] of assignment) {
      const perPartition = new Map<number, StartPosition>();
      for (const partition of partitions) {
        const offset = committed.get(topic)?.get(partition);
        perPartition.set(partition, offset === undefined ? { timestamp: reset } : { offset });
      }
      starts.set(topic, perPartition);
    }
    await this.#consumer.assign(starts);
  }
}
