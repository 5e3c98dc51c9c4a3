/**
 * Membership in a classic consumer group: JoinGroup (with the MEMBER_ID_REQUIRED round
 * trip of v4+), the leader's range assignment, SyncGroup, a heartbeat every
 * `heartbeatIntervalMs`, offset commits for the current generation, and LeaveGroup.
 *
 * The heartbeat only raises `needsRejoin` (rebalance in progress, member fenced); the
 * owner (GroupConsumer) rejoins at its next poll, committing what it consumed first.
 */
import { ApiKey, ErrorCode } from '../../protocol/kafka/index.js';
import type { HeartbeatResponse } from '../../protocol/kafka/generated/messages/heartbeat.js';
import type { JoinGroupResponse } from '../../protocol/kafka/generated/messages/join-group.js';
import type { LeaveGroupResponse } from '../../protocol/kafka/generated/messages/leave-group.js';
import type { SyncGroupResponse } from '../../protocol/kafka/generated/messages/sync-group.js';
import { commitOffsets, type CommittedOffsets } from './admin.js';
import {
  decodeAssignment,
  decodeSubscriptionTopics,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
  type Assignment,
} from './consumer-protocol.js';
import { BrokerError, check } from './errors.js';
import { sleep, type KafkaClient } from './kafka-client.js';

export interface GroupMemberOptions {
  groupId: string;
  topics: readonly string[];
  /** Default 45 s (Kafka's session.timeout.ms). */
  sessionTimeoutMs?: number;
  /** Default 60 s. */
  rebalanceTimeoutMs?: number;
  /** Default 3 s. */
  heartbeatIntervalMs?: number;
}

const PROTOCOL_TYPE = 'consumer';
const PROTOCOL_NAME = 'range';
const REJOIN_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.FENCED_INSTANCE_ID,
]);

export class GroupMember {
  readonly #client: KafkaClient;
  readonly #groupId: string;
  readonly #topics: readonly string[];
  readonly #sessionTimeoutMs: number;
  readonly #rebalanceTimeoutMs: number;
  readonly #heartbeatIntervalMs: number;
  #memberId = '';
  #generationId = -1;
  #heartbeat: NodeJS.Timeout | null = null;
  #needsRejoin = true;

  constructor(client: KafkaClient, options: GroupMemberOptions) {
    this.#client = client;
    this.#groupId = options.groupId;
    this.#topics = options.topics;
    this.#sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
    this.#rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 60_000;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
  }

  get needsRejoin(): boolean {
    return this.#needsRejoin;
  }

  get generationId(): number {
    return this.#generationId;
  }

  get memberId(): string {
    return this.#memberId;
  }

  /** Joins (or rejoins) the group and returns this member's assignment. */
  async join(): Promise<Assignment> {
    this.#stopHeartbeat();
    for (let attempt = 0; ; attempt++) {
      const coordinator = await this.#client.coordinator(this.#groupId);
      const { body: joined } = await coordinator.send<JoinGroupResponse>(
        ApiKey.JoinGroup,
        () => ({
          groupId: this.#groupId,
          sessionTimeoutMs: this.#sessionTimeoutMs,
          rebalanceTimeoutMs: this.#rebalanceTimeoutMs,
          memberId: this.#memberId,
          groupInstanceId: null,
          protocolType: PROTOCOL_TYPE,
          protocols: [{ name: PROTOCOL_NAME, metadata: encodeSubscription(this.#topics) }],
          reason: null,
        }),
        this.#rebalanceTimeoutMs,
      );
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.#memberId = joined.memberId;
        continue;
      }
      if (await this.#retriable(joined.errorCode, attempt)) continue;
      check(joined.errorCode, `join group '${this.#groupId}'`);
      this.#memberId = joined.memberId;
      this.#generationId = joined.generationId;
      const assignments = joined.leader === joined.memberId ? await this.#assign(joined) : [];
      const { body: synced } = await coordinator.send<SyncGroupResponse>(
        ApiKey.SyncGroup,
        () => ({
          groupId: this.#groupId,
          generationId: this.#generationId,
          memberId: this.#memberId,
          groupInstanceId: null,
          protocolType: PROTOCOL_TYPE,
          protocolName: PROTOCOL_NAME,
          assignments,
        }),
        this.#rebalanceTimeoutMs,
      );
      if (await this.#retriable(synced.errorCode, attempt)) continue;
      check(synced.errorCode, `sync group '${this.#groupId}'`);
      this.#needsRejoin = false;
      this.#startHeartbeat();
      return decodeAssignment(synced.assignment);
    }
  }

  /** Commits offsets for the current generation. */
  async commit(offsets: CommittedOffsets): Promise<void> {
    await commitOffsets(this.#client, this.#groupId, offsets, {
      generationId: this.#generationId,
      memberId: this.#memberId,
      groupInstanceId: null,
    });
  }

  /** Stops heartbeating and leaves the group so the others rebalance at once. */
  async leave(): Promise<void> {
    this.#stopHeartbeat();
    if (this.#memberId === '') return;
    const coordinator = await this.#client.coordinator(this.#groupId);
    const { version, body } = await coordinator.send<LeaveGroupResponse>(ApiKey.LeaveGroup, () => ({
      groupId: this.#groupId,
      memberId: this.#memberId,
      members: [
        { memberId: this.#memberId, groupInstanceId: null, reason: 'weir consumer closed' },
      ],
    }));
    const code = version >= 3 ? (body.members[0]?.errorCode ?? body.errorCode) : body.errorCode;
    if (code !== ErrorCode.UNKNOWN_MEMBER_ID) check(code, `leave group '${this.#groupId}'`);
    this.#memberId = '';
    this.#generationId = -1;
  }

  /** Errors after which the join starts over: a rebalance, a fenced member, a moved coordinator. */
  async #retriable(errorCode: number, attempt: number): Promise<boolean> {
    if (attempt >= 20) return false;
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = '';
    if (
      errorCode === ErrorCode.NOT_COORDINATOR ||
      errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE
    ) {
      this.#client.forgetCoordinator(this.#groupId);
      await sleep(100);
      return true;
    }
    if (errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
      await sleep(100);
      return true;
    }
    return REJOIN_ERRORS.has(errorCode) && errorCode !== ErrorCode.FENCED_INSTANCE_ID;
  }

  async #assign(joined: JoinGroupResponse): Promise<{ memberId: string; assignment: Buffer }[]> {
    const subscriptions = new Map(
      joined.members.map((m) => [m.memberId, decodeSubscriptionTopics(m.metadata)]),
    );
    const counts = new Map<string, number>();
    for (const topic of new Set([...subscriptions.values()].flat())) {
      try {
        counts.set(topic, (await this.#client.topic(topic, true)).partitions.length);
      } catch (error) {
        if (
          !(error instanceof BrokerError) &&
          (error as { code?: string }).code !== 'WEIR_CLIENT_UNKNOWN_TOPIC'
        )
          throw error;
      }
    }
    return [...rangeAssign(subscriptions, counts)].map(([memberId, assignment]) => ({
      memberId,
      assignment: encodeAssignment(assignment),
    }));
  }

  #startHeartbeat(): void {
    this.#heartbeat = setInterval(() => {
      void this.#beat();
    }, this.#heartbeatIntervalMs);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  async #beat(): Promise<void> {
    try {
      const coordinator = await this.#client.coordinator(this.#groupId);
      const { body } = await coordinator.send<HeartbeatResponse>(ApiKey.Heartbeat, () => ({
        groupId: this.#groupId,
        generationId: this.#generationId,
        memberId: this.#memberId,
        groupInstanceId: null,
      }));
      if (body.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = '';
      if (body.errorCode === ErrorCode.NOT_COORDINATOR)
        this.#client.forgetCoordinator(this.#groupId);
      if (body.errorCode !== ErrorCode.NONE) this.#needsRejoin = true;
    } catch {
      // The next poll rejoins (and reports the error if the broker is gone).
      this.#needsRejoin = true;
    }
  }
}
