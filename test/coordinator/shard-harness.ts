/**
 * Drives a GroupShard (the pure group state machine) in tests: a fake clock, handles for
 * parked requests, every reply and record collected, and helpers that build requests the
 * way clients do ("consumer" protocol metadata and assignments).
 */
import assert from 'node:assert/strict';
import {
  DEFAULT_GROUP_CONFIG,
  type GroupCoordinatorConfig,
} from '../../src/coordinator/group/config.js';
import { GroupShard, type Outcome, type ParkedReply } from '../../src/coordinator/group/shard.js';
import type { CoordinatorRecord } from '../../src/coordinator/offsets/records.js';
import { ErrorCode, Writer } from '../../src/protocol/kafka/index.js';
import { encodeConsumerProtocolAssignment } from '../../src/protocol/kafka/generated/messages/consumer-protocol-assignment.js';
import { encodeConsumerProtocolSubscription } from '../../src/protocol/kafka/generated/messages/consumer-protocol-subscription.js';
import type {
  JoinGroupRequest,
  JoinGroupResponse,
} from '../../src/protocol/kafka/generated/messages/join-group.js';
import type { SyncGroupResponse } from '../../src/protocol/kafka/generated/messages/sync-group.js';

export const TEST_CONFIG: GroupCoordinatorConfig = {
  ...DEFAULT_GROUP_CONFIG,
  minSessionTimeoutMs: 1000,
  initialRebalanceDelayMs: 100,
  offsetsRetentionMs: 60_000,
};

export function subscription(topics: string[], version = 1): Buffer {
  const w = new Writer();
  w.int16(version);
  encodeConsumerProtocolSubscription(
    w,
    { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null },
    version,
  );
  return w.toBuffer();
}

export function assignment(partitions: Record<string, number[]>): Buffer {
  const w = new Writer();
  w.int16(0);
  encodeConsumerProtocolAssignment(
    w,
    {
      assignedPartitions: Object.entries(partitions).map(([topic, p]) => ({
        topic,
        partitions: p,
      })),
      userData: null,
    },
    0,
  );
  return w.toBuffer();
}

export interface JoinOptions {
  memberId?: string;
  instanceId?: string | null;
  version?: number;
  session?: number;
  rebalance?: number;
  protocols?: Array<{ name: string; metadata: Buffer }>;
  protocolType?: string;
  clientId?: string;
}

export class ShardHarness {
  now = 1_000_000;
  readonly shard: GroupShard;
  readonly records: CoordinatorRecord[] = [];
  private readonly replies = new Map<number, ParkedReply['response']>();
  private nextHandle = 1;
  private uuid = 0;

  constructor(config: GroupCoordinatorConfig = TEST_CONFIG) {
    this.shard = new GroupShard(0, config, () => `u${++this.uuid}`);
  }

  private take<R>(outcome: Outcome<R>): R | undefined {
    this.records.push(...outcome.records);
    for (const reply of outcome.replies) {
      assert.ok(!this.replies.has(reply.handle), `handle ${reply.handle} answered twice`);
      this.replies.set(reply.handle, reply.response);
    }
    return outcome.response;
  }

  /** Sends a JoinGroup; returns its handle (look the answer up with `joinReply`). */
  join(groupId: string, options: JoinOptions = {}): number {
    const handle = this.nextHandle++;
    const request: JoinGroupRequest = {
      groupId,
      sessionTimeoutMs: options.session ?? 10_000,
      rebalanceTimeoutMs: options.rebalance ?? 20_000,
      memberId: options.memberId ?? '',
      groupInstanceId: options.instanceId ?? null,
      protocolType: options.protocolType ?? 'consumer',
      protocols: options.protocols ?? [{ name: 'range', metadata: subscription(['t']) }],
      reason: null,
    };
    const response = this.take(
      this.shard.joinGroup(
        request,
        {
          clientId: options.clientId ?? 'client',
          clientHost: '/127.0.0.1',
          apiVersion: options.version ?? 5,
        },
        handle,
        this.now,
      ),
    );
    if (response !== undefined) this.replies.set(handle, response);
    return handle;
  }

  joinReply(handle: number): JoinGroupResponse | undefined {
    return this.replies.get(handle) as JoinGroupResponse | undefined;
  }

  /** A JoinGroup that must be answered at once. */
  joinNow(groupId: string, options: JoinOptions = {}): JoinGroupResponse {
    const handle = this.join(groupId, options);
    const reply = this.joinReply(handle);
    assert.ok(reply, 'JoinGroup was parked');
    return reply;
  }

  sync(
    groupId: string,
    memberId: string,
    generationId: number,
    assignments: Array<{ memberId: string; assignment: Buffer }> = [],
    extra: {
      protocolType?: string | null;
      protocolName?: string | null;
      instanceId?: string | null;
    } = {},
  ): number {
    const handle = this.nextHandle++;
    const response = this.take(
      this.shard.syncGroup(
        {
          groupId,
          generationId,
          memberId,
          groupInstanceId: extra.instanceId ?? null,
          protocolType: extra.protocolType ?? null,
          protocolName: extra.protocolName ?? null,
          assignments,
        },
        handle,
        this.now,
      ),
    );
    if (response !== undefined) this.replies.set(handle, response);
    return handle;
  }

  syncReply(handle: number): SyncGroupResponse | undefined {
    return this.replies.get(handle) as SyncGroupResponse | undefined;
  }

  heartbeat(
    groupId: string,
    memberId: string,
    generationId: number,
    instanceId: string | null = null,
  ): number {
    return this.take(
      this.shard.heartbeat(
        { groupId, memberId, generationId, groupInstanceId: instanceId },
        this.now,
      ),
    )!;
  }

  leave(groupId: string, members: Array<{ memberId: string; groupInstanceId?: string | null }>) {
    return this.take(
      this.shard.leaveGroup(
        groupId,
        members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null })),
        this.now,
      ),
    )!;
  }

  commit(
    groupId: string,
    memberId: string,
    generationId: number,
    offsets: Record<string, Record<number, number>>,
    options: { metadata?: string | null; instanceId?: string | null; retentionMs?: number } = {},
  ): Map<string, number> {
    const topics = this.take(
      this.shard.commitOffsets(
        {
          groupId,
          generationIdOrMemberEpoch: generationId,
          memberId,
          groupInstanceId: options.instanceId ?? null,
          retentionTimeMs: BigInt(options.retentionMs ?? -1),
          topics: Object.entries(offsets).map(([name, partitions]) => ({
            name,
            topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
            partitions: Object.entries(partitions).map(([index, offset]) => ({
              partitionIndex: Number(index),
              committedOffset: BigInt(offset),
              committedLeaderEpoch: -1,
              committedMetadata: options.metadata === undefined ? 'meta' : options.metadata,
            })),
          })),
        },
        this.now,
      ),
    )!;
    const codes = new Map<string, number>();
    for (const t of topics)
      for (const p of t.partitions) codes.set(`${t.name}-${p.partitionIndex}`, p.errorCode);
    return codes;
  }

  fetch(groupId: string, topic: string, partitions: number[]): Array<bigint> {
    const [result] = this.shard.fetchOffsets(groupId, [
      { name: topic, partitionIndexes: partitions },
    ]);
    return result!.partitions.map((p) => p.committedOffset);
  }

  /**
   * Advances by the initial delay until the given joins are answered (members arriving
   * during the delay extend it, as in Kafka).
   */
  settleJoins(handles: number[]): void {
    for (let i = 0; i < 50 && handles.some((h) => this.joinReply(h) === undefined); i++) {
      this.advance(TEST_CONFIG.initialRebalanceDelayMs);
    }
  }

  /** Moves the clock and fires what is due. */
  advance(ms: number): void {
    this.now += ms;
    this.take(this.shard.tick(this.now));
  }

  expire(): void {
    this.take(this.shard.expireOffsets(this.now));
  }

  deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }>) {
    return this.take(this.shard.deleteOffsets(groupId, topics))!;
  }

  deleteGroup(groupId: string): number {
    return this.take(this.shard.deleteGroup(groupId))!;
  }

  state(groupId: string): string | undefined {
    return this.shard.group(groupId)?.state;
  }

  /**
   * Joins `count` dynamic members (two-step join, v5) and completes the first rebalance:
   * returns their member ids (leader first) and the generation.
   */
  formGroup(
    groupId: string,
    count: number,
    topics = ['t'],
  ): { members: string[]; generation: number; leader: string } {
    const handles: number[] = [];
    for (let i = 0; i < count; i++) {
      const first = this.joinNow(groupId, { clientId: `c${i}` });
      assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
      handles.push(
        this.join(groupId, {
          memberId: first.memberId,
          clientId: `c${i}`,
          protocols: [{ name: 'range', metadata: subscription(topics) }],
        }),
      );
    }
    this.settleJoins(handles);
    const replies = handles.map((h) => this.joinReply(h)!);
    for (const reply of replies) assert.equal(reply.errorCode, ErrorCode.NONE);
    const leader = replies[0]!.leader;
    const generation = replies[0]!.generationId;
    const members = replies.map((r) => r.memberId);
    const syncs = members.map((m) =>
      this.sync(
        groupId,
        m,
        generation,
        m === leader
          ? members.map((id, i) => ({ memberId: id, assignment: assignment({ t: [i] }) }))
          : [],
      ),
    );
    for (const s of syncs) assert.equal(this.syncReply(s)?.errorCode, ErrorCode.NONE);
    return { members, generation, leader };
  }
}
