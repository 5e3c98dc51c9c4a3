/**
 * The classic group protocol as a pure, replayable state machine (DESIGN.md principle 5):
 * one GroupShard owns the groups of one `__consumer_offsets` partition.
 *
 * Every operation takes the request and the time and returns an Outcome: the records to
 * append to the shard's partition, this request's response (or undefined when it is
 * parked: JoinGroup waits for the rebalance, SyncGroup for the leader's assignment) and
 * the replies to earlier parked requests that this operation completed. Parked requests
 * are named by a `handle` the caller chooses. The machine keeps its timers as data
 * (session, join, sync and pending-member deadlines); the caller asks `nextDeadline()`
 * and calls `tick(now)` when it is reached. No clocks, sockets, files or randomness
 * (member ids come from the `newUuid` passed in).
 *
 * The caller (runtime/group-coordinator.ts) must append `records` before it sends any
 * response of the outcome, and must send responses in operation order, so no client ever
 * sees state the log does not hold. `load` replays the records into an empty shard.
 *
 * The behaviour follows Kafka's classic GroupCoordinator: two-step join (v4+
 * MEMBER_ID_REQUIRED), static membership (v5+ group.instance.id), protocol selection by
 * vote among the protocols every member supports, leader election, initial rebalance
 * delay, rebalance and session timeouts, pending-sync expiry, offset commit checks,
 * offset retention for empty groups and standalone commits.
 */
import { ErrorCode } from '../../protocol/kafka/errors.js';
import { Reader } from '../../protocol/kafka/wire/reader.js';
import { decodeConsumerProtocolAssignment } from '../../protocol/kafka/generated/messages/consumer-protocol-assignment.js';
import type {
  JoinGroupRequest,
  JoinGroupResponse,
  JoinGroupResponseMember,
} from '../../protocol/kafka/generated/messages/join-group.js';
import type {
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/kafka/generated/messages/sync-group.js';
import type { HeartbeatRequest } from '../../protocol/kafka/generated/messages/heartbeat.js';
import type {
  OffsetCommitRequest,
  OffsetCommitResponseTopic,
} from '../../protocol/kafka/generated/messages/offset-commit.js';
import type { CoordinatorRecord, GroupValue, OffsetValue } from '../offsets/records.js';
import type { GroupCoordinatorConfig } from './config.js';
import { DeadlineQueue, type Deadline } from './deadlines.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  computeSubscribedTopics,
  hasAllMembersJoined,
  newGroup,
  offsetCount,
  protocolMetadata,
  rebalanceTimeoutOf,
  sameProtocols,
  selectProtocol,
  supportsProtocols,
  type Group,
  type GroupState,
  type Member,
  type MemberProtocol,
} from './group.js';

const EMPTY = Buffer.alloc(0);

/** Who sent a request (for member ids and DescribeGroups) and at which API version. */
export interface RequestMeta {
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

export type ParkedReply =
  | { handle: number; api: 'join'; response: JoinGroupResponse }
  | { handle: number; api: 'sync'; response: SyncGroupResponse };

export interface Outcome<R> {
  /** To append to the shard's partition, in order, before any response goes out. */
  records: CoordinatorRecord[];
  /** This request's response; undefined when parked (it comes later in some `replies`). */
  response: R | undefined;
  /** Responses to parked requests (possibly this one) completed by the operation. */
  replies: ParkedReply[];
}

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: Array<LeavingMember & { errorCode: number }>;
}

export interface CommitPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface FetchedTopic {
  name: string;
  partitions: FetchedPartition[];
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** The member's metadata for the selected protocol (empty unless Stable). */
  metadata: Buffer;
  /** The member's assignment (empty unless Stable). */
  assignment: Buffer;
  /** For "consumer" groups: the assignment decoded (null when not decodable). */
  assignedPartitions: Array<{ topic: string; partitions: number[] }> | null;
}

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  protocolType: string;
  /** The selected protocol when Stable, else "". */
  protocolName: string;
  generationId: number;
  leaderId: string | null;
  members: MemberDescription[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface OffsetDeleteResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

interface JoinArgs {
  handle: number;
  apiVersion: number;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
}

function joinError(errorCode: number, memberId: string): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

function syncError(errorCode: number): SyncGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    protocolType: null,
    protocolName: null,
    assignment: EMPTY,
  };
}

export function isValidGroupId(groupId: string | null): groupId is string {
  return groupId !== null && groupId !== '';
}

export class GroupShard {
  private readonly groups = new Map<string, Group>();
  private readonly deadlines = new DeadlineQueue();
  private records: CoordinatorRecord[] = [];
  private replies: ParkedReply[] = [];

  constructor(
    /** The __consumer_offsets partition this shard owns. */
    readonly partition: number,
    private readonly config: GroupCoordinatorConfig,
    private readonly newUuid: () => string,
  ) {}

  // -- reads ------------------------------------------------------------------------

  get groupCount(): number {
    return this.groups.size;
  }

  /** The earliest pending deadline (may be stale: `tick` then does nothing). */
  nextDeadline(): number | undefined {
    return this.deadlines.peek()?.at;
  }

  /** Every group in the shard (for tests and tooling; do not mutate). */
  group(groupId: string): Readonly<Group> | undefined {
    return this.groups.get(groupId);
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  /** Every parked request of the shard (the runtime fails them when it unloads the shard). */
  parkedHandles(): number[] {
    const handles: number[] = [];
    for (const group of this.groups.values()) {
      for (const member of group.members.values()) {
        if (member.awaitingJoin !== null) handles.push(member.awaitingJoin);
        if (member.awaitingSync !== null) handles.push(member.awaitingSync);
      }
    }
    return handles;
  }

  // -- JoinGroup --------------------------------------------------------------------

  joinGroup(
    request: JoinGroupRequest,
    meta: RequestMeta,
    handle: number,
    now: number,
  ): Outcome<JoinGroupResponse> {
    this.begin();
    return this.finish(this.doJoin(request, meta, handle, now));
  }

  private doJoin(
    request: JoinGroupRequest,
    meta: RequestMeta,
    handle: number,
    now: number,
  ): JoinGroupResponse | undefined {
    const { groupId, memberId } = request;
    if (!isValidGroupId(groupId)) return joinError(ErrorCode.INVALID_GROUP_ID, memberId);
    const session = request.sessionTimeoutMs;
    if (session < this.config.minSessionTimeoutMs || session > this.config.maxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, memberId);
    }
    if (request.protocolType === '' || request.protocols.length === 0) {
      return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId);
    }
    let group = this.groups.get(groupId);
    if (group === undefined) {
      if (memberId !== '') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId);
      group = newGroup(groupId, now);
      this.groups.set(groupId, group);
    }
    if (group.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId);
    const protocols = request.protocols.map((p) => ({
      name: p.name,
      metadata: Buffer.from(p.metadata),
    }));
    if (!supportsProtocols(group, request.protocolType, protocols, memberId)) {
      return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId);
    }
    const instanceId = request.groupInstanceId;
    const known =
      group.members.has(memberId) ||
      group.pendingMembers.has(memberId) ||
      (instanceId !== null && group.staticMembers.has(instanceId));
    if (!known && group.members.size + group.pendingMembers.size >= this.config.maxGroupSize) {
      return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, memberId);
    }
    const join: JoinArgs = {
      handle,
      apiVersion: meta.apiVersion,
      instanceId,
      clientId: meta.clientId,
      clientHost: meta.clientHost,
      sessionTimeoutMs: session,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs > 0 ? request.rebalanceTimeoutMs : session,
      protocolType: request.protocolType,
      protocols,
    };
    return memberId === ''
      ? this.newMemberJoin(group, join, now)
      : this.currentMemberJoin(group, memberId, join, now);
  }

  private newMemberJoin(group: Group, join: JoinArgs, now: number): JoinGroupResponse | undefined {
    if (join.instanceId !== null) {
      const newMemberId = `${join.instanceId}-${this.newUuid()}`;
      const existing = group.staticMembers.get(join.instanceId);
      if (existing !== undefined)
        return this.replaceStaticMember(group, existing, newMemberId, join, now);
      return this.addMemberAndRebalance(group, newMemberId, join, now);
    }
    const newMemberId = `${join.clientId}-${this.newUuid()}`;
    if (join.apiVersion >= 4) {
      // KIP-394: hand out the id first; the member joins with it in a second request.
      const at = now + join.sessionTimeoutMs;
      group.pendingMembers.set(newMemberId, at);
      this.deadlines.push({ at, groupId: group.groupId, kind: 'pending', memberId: newMemberId });
      return joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId);
    }
    return this.addMemberAndRebalance(group, newMemberId, join, now);
  }

  private currentMemberJoin(
    group: Group,
    memberId: string,
    join: JoinArgs,
    now: number,
  ): JoinGroupResponse | undefined {
    if (group.pendingMembers.has(memberId)) {
      group.pendingMembers.delete(memberId);
      return this.addMemberAndRebalance(group, memberId, join, now);
    }
    if (join.instanceId !== null) {
      const current = group.staticMembers.get(join.instanceId);
      if (current !== undefined && current !== memberId)
        return joinError(ErrorCode.FENCED_INSTANCE_ID, memberId);
    }
    const member = group.members.get(memberId);
    if (member === undefined) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, join, now);
      case 'CompletingRebalance':
        // The join response was probably lost: hand out the current generation again.
        if (sameProtocols(member.protocols, join.protocols))
          return this.currentGeneration(group, member);
        return this.updateMemberAndRebalance(group, member, join, now);
      case 'Stable':
        // A follower with unchanged metadata just gets the current generation (it then
        // syncs); the leader or a changed subscription starts a rebalance.
        if (memberId !== group.leaderId && sameProtocols(member.protocols, join.protocols)) {
          return this.currentGeneration(group, member);
        }
        return this.updateMemberAndRebalance(group, member, join, now);
      default:
        return joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId);
    }
  }

  private currentGeneration(group: Group, member: Member): JoinGroupResponse {
    const isLeader = member.memberId === group.leaderId;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId: member.memberId,
      members: isLeader && group.state === 'CompletingRebalance' ? this.memberList(group) : [],
    };
  }

  private memberList(group: Group): JoinGroupResponseMember[] {
    return [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: protocolMetadata(m, group.protocolName),
    }));
  }

  private addMemberAndRebalance(
    group: Group,
    memberId: string,
    join: JoinArgs,
    now: number,
  ): undefined {
    const member: Member = {
      memberId,
      groupInstanceId: join.instanceId,
      clientId: join.clientId,
      clientHost: join.clientHost,
      rebalanceTimeoutMs: join.rebalanceTimeoutMs,
      sessionTimeoutMs: join.sessionTimeoutMs,
      protocolType: join.protocolType,
      protocols: join.protocols,
      assignment: EMPTY,
      awaitingJoin: join.handle,
      awaitingJoinVersion: join.apiVersion,
      awaitingSync: null,
      isNew: true,
      deadline: Infinity,
    };
    // A member arriving during the initial delay of a new group extends the delay.
    if (group.state === 'PreparingRebalance' && group.generationId === 0)
      group.newMemberAdded = true;
    if (group.members.size === 0) group.protocolType = join.protocolType;
    group.members.set(memberId, member);
    if (join.instanceId !== null) group.staticMembers.set(join.instanceId, memberId);
    if (group.leaderId === null) group.leaderId = memberId;
    // New members cannot heartbeat before their first join completes; give up on one
    // that is still waiting after the new-member join timeout.
    this.setDeadline(group, member, now + this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalance(group, now);
    this.checkJoinComplete(group, now);
    return undefined;
  }

  private updateMemberAndRebalance(
    group: Group,
    member: Member,
    join: JoinArgs,
    now: number,
  ): undefined {
    if (member.awaitingJoin !== null && member.awaitingJoin !== join.handle) {
      // A retried JoinGroup supersedes the parked one.
      this.replyJoin(
        member.awaitingJoin,
        joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId),
      );
    }
    member.protocols = join.protocols;
    member.rebalanceTimeoutMs = join.rebalanceTimeoutMs;
    member.sessionTimeoutMs = join.sessionTimeoutMs;
    member.awaitingJoin = join.handle;
    member.awaitingJoinVersion = join.apiVersion;
    if (!member.isNew) this.setDeadline(group, member, Infinity);
    this.maybePrepareRebalance(group, now);
    this.checkJoinComplete(group, now);
    return undefined;
  }

  /**
   * A static member rejoined without its member id (it restarted): it takes over the
   * old member's place under a new id, and the old instance is fenced. In a Stable group
   * whose protocol choice does not change this is no rebalance: the member gets the
   * current generation back and syncs to its old assignment.
   */
  private replaceStaticMember(
    group: Group,
    oldMemberId: string,
    newMemberId: string,
    join: JoinArgs,
    now: number,
  ): JoinGroupResponse | undefined {
    const member = group.members.get(oldMemberId)!;
    if (member.awaitingJoin !== null) {
      this.replyJoin(member.awaitingJoin, joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
      member.awaitingJoin = null;
    }
    if (member.awaitingSync !== null) {
      this.replySync(member.awaitingSync, syncError(ErrorCode.FENCED_INSTANCE_ID));
      member.awaitingSync = null;
    }
    const oldLeader = group.leaderId;
    group.members = new Map(
      [...group.members].map(([id, m]): [string, Member] =>
        id === oldMemberId ? [newMemberId, m] : [id, m],
      ),
    );
    member.memberId = newMemberId;
    group.staticMembers.set(join.instanceId!, newMemberId);
    if (group.leaderId === oldMemberId) group.leaderId = newMemberId;
    if (group.pendingSync.delete(oldMemberId)) group.pendingSync.add(newMemberId);
    member.protocols = join.protocols;
    member.rebalanceTimeoutMs = join.rebalanceTimeoutMs;
    member.sessionTimeoutMs = join.sessionTimeoutMs;

    if (group.state === 'Stable' && selectProtocol(group) === group.protocolName) {
      this.setDeadline(group, member, now + member.sessionTimeoutMs);
      this.records.push(groupRecord(group));
      const isLeader = group.leaderId === newMemberId;
      const response: JoinGroupResponse = {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        // Before v9 (KIP-814) the old leader id is returned so a rejoining leader does not
        // compute an assignment a Stable group would never hand out.
        leader: isLeader && join.apiVersion < 9 ? (oldLeader ?? '') : (group.leaderId ?? ''),
        skipAssignment: isLeader && join.apiVersion >= 9,
        memberId: newMemberId,
        members: isLeader && join.apiVersion >= 9 ? this.memberList(group) : [],
      };
      return response;
    }
    member.awaitingJoin = join.handle;
    member.awaitingJoinVersion = join.apiVersion;
    this.setDeadline(group, member, Infinity);
    this.maybePrepareRebalance(group, now);
    this.checkJoinComplete(group, now);
    return undefined;
  }

  private maybePrepareRebalance(group: Group, now: number): void {
    if (
      group.state === 'Stable' ||
      group.state === 'CompletingRebalance' ||
      group.state === 'Empty'
    ) {
      this.prepareRebalance(group, now);
    }
  }

  private prepareRebalance(group: Group, now: number): void {
    if (group.state === 'CompletingRebalance') {
      // Members waiting for an assignment that will now never come must rejoin.
      for (const member of group.members.values()) {
        member.assignment = EMPTY;
        if (member.awaitingSync !== null) {
          this.replySync(member.awaitingSync, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          member.awaitingSync = null;
          this.setDeadline(group, member, now + member.sessionTimeoutMs);
        }
      }
    }
    group.pendingSync.clear();
    group.syncDeadline = null;
    if (group.state === 'Empty') {
      const delay = this.config.initialRebalanceDelayMs;
      group.newMemberAdded = false;
      group.initialDelayRemainingMs = Math.max(rebalanceTimeoutOf(group) - delay, 0);
      this.setJoinDeadline(group, now + delay);
    } else {
      group.initialDelayRemainingMs = null;
      this.setJoinDeadline(group, now + rebalanceTimeoutOf(group));
    }
    this.transition(group, 'PreparingRebalance', now);
  }

  /** Completes the join phase early once every member has rejoined (not during the initial delay). */
  private checkJoinComplete(group: Group, now: number): void {
    if (group.state !== 'PreparingRebalance' || group.initialDelayRemainingMs !== null) return;
    if (hasAllMembersJoined(group)) this.completeJoin(group, now);
  }

  private onJoinDeadline(group: Group, now: number): void {
    const remaining = group.initialDelayRemainingMs;
    if (remaining !== null && group.newMemberAdded && remaining > 0) {
      // More members arrived during the initial delay: wait a little longer for others.
      group.newMemberAdded = false;
      const delay = Math.min(this.config.initialRebalanceDelayMs, remaining);
      group.initialDelayRemainingMs = Math.max(remaining - delay, 0);
      this.setJoinDeadline(group, now + delay);
      return;
    }
    this.completeJoin(group, now);
  }

  private completeJoin(group: Group, now: number): void {
    group.joinDeadline = null;
    group.initialDelayRemainingMs = null;
    // Dynamic members that did not rejoin in time are out; static ones keep their place.
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === null && member.groupInstanceId === null)
        this.dropMember(group, member);
    }
    if (group.members.size === 0) {
      group.generationId += 1;
      group.protocolName = null;
      group.subscribedTopics = null;
      group.leaderId = null;
      this.transition(group, 'Empty', now);
      this.records.push(groupRecord(group));
      return;
    }
    if (!this.electJoinedLeader(group)) {
      // Only static members that have not rejoined: wait another rebalance timeout (their
      // sessions expire meanwhile if they are gone).
      this.setJoinDeadline(group, now + rebalanceTimeoutOf(group));
      return;
    }
    group.generationId += 1;
    group.protocolName = selectProtocol(group);
    group.subscribedTopics = computeSubscribedTopics(group);
    this.transition(group, 'CompletingRebalance', now);
    group.pendingSync = new Set(group.members.keys());
    group.syncDeadline = now + rebalanceTimeoutOf(group);
    this.deadlines.push({
      at: group.syncDeadline,
      groupId: group.groupId,
      kind: 'sync',
      memberId: '',
    });
    const members = this.memberList(group);
    for (const member of group.members.values()) {
      if (member.awaitingJoin !== null) {
        const isLeader = member.memberId === group.leaderId;
        this.replyJoin(member.awaitingJoin, {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          generationId: group.generationId,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          leader: group.leaderId ?? '',
          skipAssignment: false,
          memberId: member.memberId,
          members: isLeader ? members : [],
        });
        member.awaitingJoin = null;
      }
      member.isNew = false;
      this.setDeadline(group, member, now + member.sessionTimeoutMs);
    }
  }

  /** The leader must be among the members that rejoined; pick one that did if not. */
  private electJoinedLeader(group: Group): boolean {
    const leader = group.leaderId !== null ? group.members.get(group.leaderId) : undefined;
    if (leader !== undefined && leader.awaitingJoin !== null) return true;
    for (const member of group.members.values()) {
      if (member.awaitingJoin !== null) {
        group.leaderId = member.memberId;
        return true;
      }
    }
    return false;
  }

  // -- SyncGroup --------------------------------------------------------------------

  syncGroup(request: SyncGroupRequest, handle: number, now: number): Outcome<SyncGroupResponse> {
    this.begin();
    return this.finish(this.doSync(request, handle, now));
  }

  private doSync(
    request: SyncGroupRequest,
    handle: number,
    now: number,
  ): SyncGroupResponse | undefined {
    if (!isValidGroupId(request.groupId)) return syncError(ErrorCode.INVALID_GROUP_ID);
    const group = this.groups.get(request.groupId);
    if (group === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    const check = this.checkMember(
      group,
      request.memberId,
      request.groupInstanceId,
      request.generationId,
    );
    if (check !== ErrorCode.NONE) return syncError(check);
    const member = group.members.get(request.memberId)!;
    if (request.protocolType !== null && request.protocolType !== group.protocolType) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (request.protocolName !== null && request.protocolName !== group.protocolName) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'CompletingRebalance': {
        this.markSynced(group, member.memberId);
        if (member.awaitingSync !== null) {
          this.replySync(member.awaitingSync, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        }
        member.awaitingSync = handle;
        this.setDeadline(group, member, Infinity);
        if (member.memberId === group.leaderId) {
          const given = new Map(
            request.assignments.map((a) => [a.memberId, Buffer.from(a.assignment)]),
          );
          for (const m of group.members.values()) m.assignment = given.get(m.memberId) ?? EMPTY;
          this.transition(group, 'Stable', now);
          this.records.push(groupRecord(group));
          for (const m of group.members.values()) {
            if (m.awaitingSync === null) continue;
            this.replySync(m.awaitingSync, this.syncOk(group, m));
            m.awaitingSync = null;
            this.setDeadline(group, m, now + m.sessionTimeoutMs);
          }
        }
        return undefined;
      }
      case 'Stable':
        this.markSynced(group, member.memberId);
        this.refresh(group, member, now);
        return this.syncOk(group, member);
      default:
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private syncOk(group: Group, member: Member): SyncGroupResponse {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    };
  }

  private markSynced(group: Group, memberId: string): void {
    group.pendingSync.delete(memberId);
    if (group.pendingSync.size === 0) group.syncDeadline = null;
  }

  private onSyncDeadline(group: Group, now: number): void {
    const late = [...group.pendingSync];
    group.pendingSync.clear();
    group.syncDeadline = null;
    for (const memberId of late) {
      const member = group.members.get(memberId);
      if (member === undefined) continue;
      if (member.awaitingJoin !== null)
        this.replyJoin(member.awaitingJoin, joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
      this.dropMember(group, member);
    }
    if (late.length > 0) {
      this.prepareRebalance(group, now);
      this.checkJoinComplete(group, now);
    }
  }

  /**
   * The checks shared by SyncGroup, Heartbeat and OffsetCommit (in Kafka's order): the
   * group is alive, a static member is not fenced, the member exists, the generation is
   * current.
   */
  private checkMember(
    group: Group,
    memberId: string,
    instanceId: string | null,
    generationId: number,
  ): number {
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (instanceId !== null) {
      const current = group.staticMembers.get(instanceId);
      if (current !== undefined && current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    if (!group.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  // -- Heartbeat --------------------------------------------------------------------

  heartbeat(request: HeartbeatRequest, now: number): Outcome<number> {
    this.begin();
    return this.finish(this.doHeartbeat(request, now));
  }

  private doHeartbeat(request: HeartbeatRequest, now: number): number {
    if (!isValidGroupId(request.groupId)) return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(request.groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    const check = this.checkMember(
      group,
      request.memberId,
      request.groupInstanceId,
      request.generationId,
    );
    if (check !== ErrorCode.NONE) return check;
    const member = group.members.get(request.memberId)!;
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.refresh(group, member, now);
        return ErrorCode.NONE;
      case 'PreparingRebalance':
        this.refresh(group, member, now);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        return ErrorCode.UNKNOWN_MEMBER_ID;
    }
  }

  // -- LeaveGroup -------------------------------------------------------------------

  leaveGroup(
    groupId: string,
    leaving: readonly LeavingMember[],
    now: number,
  ): Outcome<LeaveResult> {
    this.begin();
    return this.finish(this.doLeave(groupId, leaving, now));
  }

  private doLeave(groupId: string, leaving: readonly LeavingMember[], now: number): LeaveResult {
    if (!isValidGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const group = this.groups.get(groupId);
    const result = (m: LeavingMember, errorCode: number) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode,
    });
    if (group === undefined) {
      return {
        errorCode: ErrorCode.NONE,
        members: leaving.map((m) => result(m, ErrorCode.UNKNOWN_MEMBER_ID)),
      };
    }
    if (group.state === 'Dead')
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((m) => {
      if (m.memberId === '') {
        // Administrative removal of a static member by its instance id.
        const current =
          m.groupInstanceId !== null ? group.staticMembers.get(m.groupInstanceId) : undefined;
        if (current === undefined) return result(m, ErrorCode.UNKNOWN_MEMBER_ID);
        this.removeMember(group, group.members.get(current)!, now);
        return result(m, ErrorCode.NONE);
      }
      if (group.pendingMembers.delete(m.memberId)) {
        this.checkJoinComplete(group, now);
        return result(m, ErrorCode.NONE);
      }
      if (m.groupInstanceId !== null) {
        const current = group.staticMembers.get(m.groupInstanceId);
        if (current === undefined) return result(m, ErrorCode.UNKNOWN_MEMBER_ID);
        if (current !== m.memberId) return result(m, ErrorCode.FENCED_INSTANCE_ID);
      }
      const member = group.members.get(m.memberId);
      if (member === undefined) return result(m, ErrorCode.UNKNOWN_MEMBER_ID);
      this.removeMember(group, member, now);
      return result(m, ErrorCode.NONE);
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  // -- membership changes -----------------------------------------------------------

  /** Removes a member (left, expired) and starts or advances a rebalance. */
  private removeMember(group: Group, member: Member, now: number): void {
    if (member.awaitingJoin !== null) {
      this.replyJoin(member.awaitingJoin, joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
      member.awaitingJoin = null;
    }
    if (member.awaitingSync !== null) {
      this.replySync(member.awaitingSync, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      member.awaitingSync = null;
    }
    this.dropMember(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance')
      this.prepareRebalance(group, now);
    this.checkJoinComplete(group, now);
  }

  private dropMember(group: Group, member: Member): void {
    group.members.delete(member.memberId);
    if (
      member.groupInstanceId !== null &&
      group.staticMembers.get(member.groupInstanceId) === member.memberId
    ) {
      group.staticMembers.delete(member.groupInstanceId);
    }
    group.pendingSync.delete(member.memberId);
    member.deadline = Infinity;
    if (group.leaderId === member.memberId) {
      group.leaderId = group.members.size > 0 ? group.members.keys().next().value! : null;
    }
  }

  private transition(group: Group, state: GroupState, now: number): void {
    group.state = state;
    group.stateTimestamp = now;
  }

  private setDeadline(group: Group, member: Member, at: number): void {
    member.deadline = at;
    if (Number.isFinite(at))
      this.deadlines.push({
        at,
        groupId: group.groupId,
        kind: 'member',
        memberId: member.memberId,
      });
  }

  /** A sign of life: the session deadline moves, unless the member waits in a rebalance. */
  private refresh(group: Group, member: Member, now: number): void {
    if (member.awaitingJoin === null && member.awaitingSync === null) {
      this.setDeadline(group, member, now + member.sessionTimeoutMs);
    }
  }

  private setJoinDeadline(group: Group, at: number): void {
    group.joinDeadline = at;
    this.deadlines.push({ at, groupId: group.groupId, kind: 'join', memberId: '' });
  }

  // -- timers -----------------------------------------------------------------------

  /** Fires every deadline at or before `now`. */
  tick(now: number): Outcome<void> {
    this.begin();
    for (
      let top = this.deadlines.peek();
      top !== undefined && top.at <= now;
      top = this.deadlines.peek()
    ) {
      this.deadlines.pop();
      this.fire(top, now);
    }
    return this.finish(undefined);
  }

  private fire(deadline: Deadline, now: number): void {
    const group = this.groups.get(deadline.groupId);
    if (group === undefined) return;
    switch (deadline.kind) {
      case 'member': {
        const member = group.members.get(deadline.memberId);
        if (member !== undefined && member.deadline === deadline.at)
          this.removeMember(group, member, now);
        return;
      }
      case 'pending':
        if (group.pendingMembers.get(deadline.memberId) === deadline.at) {
          group.pendingMembers.delete(deadline.memberId);
          this.checkJoinComplete(group, now);
        }
        return;
      case 'join':
        if (group.state === 'PreparingRebalance' && group.joinDeadline === deadline.at)
          this.onJoinDeadline(group, now);
        return;
      case 'sync':
        if (
          group.syncDeadline === deadline.at &&
          (group.state === 'CompletingRebalance' || group.state === 'Stable')
        ) {
          this.onSyncDeadline(group, now);
        }
        return;
    }
  }

  // -- offsets ----------------------------------------------------------------------

  /**
   * OffsetCommit for partitions the caller has checked exist. Generation -1 with an empty
   * (or new) group is a standalone commit (the group only stores offsets in Kafka).
   */
  commitOffsets(request: OffsetCommitRequest, now: number): Outcome<OffsetCommitResponseTopic[]> {
    this.begin();
    return this.finish(this.doCommit(request, now));
  }

  private doCommit(request: OffsetCommitRequest, now: number): OffsetCommitResponseTopic[] {
    const all = (errorCode: number): OffsetCommitResponseTopic[] =>
      request.topics.map((t) => ({
        name: t.name,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      }));
    const generation = request.generationIdOrMemberEpoch;
    let group = this.groups.get(request.groupId);
    if (group === undefined) {
      if (generation >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = newGroup(request.groupId, now);
      this.groups.set(request.groupId, group);
      return this.storeOffsets(group, request, now);
    }
    if (group.state === 'Dead') return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (request.groupInstanceId !== null) {
      const current = group.staticMembers.get(request.groupInstanceId);
      if (current !== undefined && current !== request.memberId)
        return all(ErrorCode.FENCED_INSTANCE_ID);
    }
    if (generation < 0 && group.state === 'Empty') return this.storeOffsets(group, request, now);
    const member = group.members.get(request.memberId);
    if (member === undefined) return all(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generation !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
    if (group.state === 'CompletingRebalance') return all(ErrorCode.REBALANCE_IN_PROGRESS);
    // Stable, or PreparingRebalance (members learn of the rebalance from heartbeats).
    this.refresh(group, member, now);
    return this.storeOffsets(group, request, now);
  }

  private storeOffsets(
    group: Group,
    request: OffsetCommitRequest,
    now: number,
  ): OffsetCommitResponseTopic[] {
    const retention = request.retentionTimeMs;
    return request.topics.map((topic) => ({
      name: topic.name,
      topicId: topic.topicId,
      partitions: topic.partitions.map((p) => {
        const metadata = p.committedMetadata ?? '';
        if (Buffer.byteLength(metadata, 'utf8') > this.config.maxOffsetMetadataBytes) {
          return {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE,
          };
        }
        const value: OffsetValue = {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata,
          commitTimestamp: now,
          expireTimestamp: retention >= 0n ? now + Number(retention) : -1,
        };
        let partitions = group.offsets.get(topic.name);
        if (partitions === undefined) group.offsets.set(topic.name, (partitions = new Map()));
        partitions.set(p.partitionIndex, value);
        this.records.push({
          kind: 'offset',
          key: { group: group.groupId, topic: topic.name, partition: p.partitionIndex },
          value,
        });
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
  }

  /**
   * OffsetFetch: the committed offsets of `topics` (null: every committed offset). A
   * partition without one (or an unknown group) gets offset -1 and no error.
   */
  fetchOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitionIndexes: number[] }> | null,
  ): FetchedTopic[] {
    const group = this.groups.get(groupId);
    const offsets =
      group !== undefined && group.state !== 'Dead'
        ? group.offsets
        : new Map<string, Map<number, OffsetValue>>();
    const fetched = (partitionIndex: number, value: OffsetValue | undefined): FetchedPartition => ({
      partitionIndex,
      committedOffset: value?.offset ?? -1n,
      committedLeaderEpoch: value?.leaderEpoch ?? -1,
      metadata: value?.metadata ?? '',
      errorCode: ErrorCode.NONE,
    });
    if (topics === null) {
      return [...offsets].map(([name, partitions]) => ({
        name,
        partitions: [...partitions]
          .sort((a, b) => a[0] - b[0])
          .map(([index, value]) => fetched(index, value)),
      }));
    }
    return topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((index) =>
        fetched(index, offsets.get(topic.name)?.get(index)),
      ),
    }));
  }

  /**
   * OffsetDelete: removes committed offsets of an empty group, or of topics an active
   * consumer group does not subscribe to (GROUP_SUBSCRIBED_TO_TOPIC for the others).
   */
  deleteOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitions: number[] }>,
  ): Outcome<OffsetDeleteResult> {
    this.begin();
    return this.finish(this.doDeleteOffsets(groupId, topics));
  }

  private doDeleteOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitions: number[] }>,
  ): OffsetDeleteResult {
    if (!isValidGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    const group = this.groups.get(groupId);
    if (group === undefined || group.state === 'Dead')
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    const active = group.state !== 'Empty';
    if (active && group.protocolType !== CONSUMER_PROTOCOL_TYPE) {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partitionIndex) => {
          if (active && group.subscribedTopics?.has(topic.name)) {
            return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
          }
          this.deleteOffset(group, topic.name, partitionIndex);
          return { partitionIndex, errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  private deleteOffset(group: Group, topic: string, partition: number): void {
    const partitions = group.offsets.get(topic);
    if (partitions === undefined || !partitions.delete(partition)) return;
    if (partitions.size === 0) group.offsets.delete(topic);
    this.records.push({
      kind: 'offset',
      key: { group: group.groupId, topic, partition },
      value: null,
    });
  }

  /**
   * Removes expired offsets (offsets.retention.minutes): of an empty group, counted from
   * when it became empty; of standalone commits and of topics a Stable consumer group no
   * longer subscribes to, from the commit; commits with their own retention (v2-v4) at
   * their expiry. An empty group left without offsets is deleted.
   */
  expireOffsets(now: number): Outcome<void> {
    this.begin();
    const retention = this.config.offsetsRetentionMs;
    for (const group of [...this.groups.values()]) {
      let base: ((value: OffsetValue) => number) | null = null;
      let keep: ReadonlySet<string> = new Set();
      if (group.protocolType !== null && group.state === 'Empty') {
        base = (v) => (group.stateTimestamp >= 0 ? group.stateTimestamp : v.commitTimestamp);
      } else if (
        group.protocolType === CONSUMER_PROTOCOL_TYPE &&
        group.subscribedTopics !== null &&
        group.state === 'Stable'
      ) {
        base = (v) => v.commitTimestamp;
        keep = group.subscribedTopics;
      } else if (group.protocolType === null) {
        base = (v) => v.commitTimestamp;
      }
      if (base !== null) {
        for (const [topic, partitions] of [...group.offsets]) {
          if (keep.has(topic)) continue;
          for (const [partition, value] of [...partitions]) {
            const expired =
              value.expireTimestamp >= 0
                ? now >= value.expireTimestamp
                : now - base(value) >= retention;
            if (expired) this.deleteOffset(group, topic, partition);
          }
        }
      }
      if (
        group.state === 'Empty' &&
        group.members.size === 0 &&
        group.pendingMembers.size === 0 &&
        offsetCount(group) === 0
      ) {
        this.removeGroup(group);
      }
    }
    return this.finish(undefined);
  }

  // -- admin ------------------------------------------------------------------------

  /** DeleteGroups for one group: only an empty group can go; its offsets go with it. */
  deleteGroup(groupId: string): Outcome<number> {
    this.begin();
    const group = this.groups.get(groupId);
    let errorCode: number = ErrorCode.NONE;
    if (group === undefined || group.state === 'Dead') errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
    else if (group.state !== 'Empty') errorCode = ErrorCode.NON_EMPTY_GROUP;
    else {
      for (const [topic, partitions] of [...group.offsets]) {
        for (const partition of [...partitions.keys()]) this.deleteOffset(group, topic, partition);
      }
      this.removeGroup(group);
    }
    return this.finish(errorCode);
  }

  private removeGroup(group: Group): void {
    group.state = 'Dead';
    group.pendingMembers.clear();
    this.groups.delete(group.groupId);
    this.records.push({ kind: 'group', group: group.groupId, value: null });
  }

  describeGroup(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      return {
        groupId,
        state: 'Dead',
        protocolType: '',
        protocolName: '',
        generationId: -1,
        leaderId: null,
        members: [],
      };
    }
    const stable = group.state === 'Stable';
    const consumer = group.protocolType === CONSUMER_PROTOCOL_TYPE;
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName: stable ? (group.protocolName ?? '') : '',
      generationId: group.generationId,
      leaderId: group.leaderId,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? protocolMetadata(m, group.protocolName) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
        assignedPartitions: stable && consumer ? decodeAssignment(m.assignment) : null,
      })),
    };
  }

  listGroups(): GroupListing[] {
    return [...this.groups.values()]
      .filter((g) => g.state !== 'Dead')
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  // -- loading ----------------------------------------------------------------------

  /**
   * Applies one record read back from the shard's partition (in log order). Used only on
   * an empty shard before `finishLoad`; later records of a key replace earlier ones.
   */
  replay(record: CoordinatorRecord, now: number): void {
    if (record.kind === 'offset') {
      const { group: groupId, topic, partition } = record.key;
      if (record.value === null) {
        const partitions = this.groups.get(groupId)?.offsets.get(topic);
        partitions?.delete(partition);
        if (partitions?.size === 0) this.groups.get(groupId)!.offsets.delete(topic);
        return;
      }
      const group = this.loadedGroup(groupId, now);
      let partitions = group.offsets.get(topic);
      if (partitions === undefined) group.offsets.set(topic, (partitions = new Map()));
      partitions.set(partition, record.value);
      return;
    }
    if (record.value === null) {
      // The group was deleted; offsets written after (or never tombstoned) keep it alive
      // as a fresh empty group, as in Kafka.
      const group = this.groups.get(record.group);
      if (group === undefined) return;
      const offsets = group.offsets;
      this.groups.delete(record.group);
      if (offsets.size > 0) this.loadedGroup(record.group, now).offsets = offsets;
      return;
    }
    const value = record.value;
    const group = this.loadedGroup(record.group, now);
    group.generationId = value.generationId;
    group.protocolType = value.protocolType === '' ? null : value.protocolType;
    group.protocolName = value.protocolName;
    group.leaderId = value.leaderId;
    group.stateTimestamp = value.currentStateTimestamp;
    group.members = new Map();
    group.staticMembers = new Map();
    for (const m of value.members) {
      group.members.set(m.memberId, {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        protocolType: value.protocolType,
        protocols: [{ name: value.protocolName ?? '', metadata: m.subscription }],
        assignment: m.assignment,
        awaitingJoin: null,
        awaitingJoinVersion: 0,
        awaitingSync: null,
        isNew: false,
        deadline: Infinity,
      });
      if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, m.memberId);
    }
    group.state = group.members.size > 0 ? 'Stable' : 'Empty';
    if (group.leaderId !== null && !group.members.has(group.leaderId)) {
      group.leaderId = group.members.size > 0 ? group.members.keys().next().value! : null;
    }
  }

  /** After the last `replay`: members get a full session to reconnect. */
  finishLoad(now: number): void {
    for (const group of this.groups.values()) {
      group.subscribedTopics = computeSubscribedTopics(group);
      if (group.stateTimestamp < 0 && group.state === 'Empty') group.stateTimestamp = -1;
      for (const member of group.members.values())
        this.setDeadline(group, member, now + member.sessionTimeoutMs);
    }
  }

  private loadedGroup(groupId: string, now: number): Group {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = newGroup(groupId, now);
      this.groups.set(groupId, group);
    }
    return group;
  }

  // -- effects ----------------------------------------------------------------------

  private begin(): void {
    this.records = [];
    this.replies = [];
  }

  private finish<R>(response: R | undefined): Outcome<R> {
    const outcome = { records: this.records, response, replies: this.replies };
    this.records = [];
    this.replies = [];
    return outcome;
  }

  private replyJoin(handle: number, response: JoinGroupResponse): void {
    this.replies.push({ handle, api: 'join', response });
  }

  private replySync(handle: number, response: SyncGroupResponse): void {
    this.replies.push({ handle, api: 'sync', response });
  }
}

/** The group's metadata record: generation, protocol, leader, members and assignments. */
export function groupRecord(group: Group): CoordinatorRecord {
  const value: GroupValue = {
    protocolType: group.protocolType ?? '',
    generationId: group.generationId,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    currentStateTimestamp: group.stateTimestamp,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: protocolMetadata(m, group.protocolName),
      assignment: m.assignment,
    })),
  };
  return { kind: 'group', group: group.groupId, value };
}

/** A "consumer" protocol assignment (int16 version + ConsumerProtocolAssignment), decoded. */
export function decodeAssignment(
  bytes: Buffer,
): Array<{ topic: string; partitions: number[] }> | null {
  if (bytes.length === 0) return [];
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    if (version < 0) return null;
    return decodeConsumerProtocolAssignment(r, Math.min(version, 3)).assignedPartitions.map(
      (tp) => ({
        topic: tp.topic,
        partitions: [...tp.partitions],
      }),
    );
  } catch {
    return null;
  }
}
