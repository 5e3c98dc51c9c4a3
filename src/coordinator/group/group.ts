/**
 * A classic consumer group's state (Kafka's GroupMetadata) and the bookkeeping helpers
 * the state machine (shard.ts) uses. Plain data plus pure functions: no timers, no I/O.
 *
 * States, as in Kafka:
 *   Empty               no members (offsets may remain)
 *   PreparingRebalance  waiting for members to (re)join
 *   CompletingRebalance joined; waiting for the leader's assignment (SyncGroup)
 *   Stable              assignment handed out; members heartbeat
 *   Dead                removed (deleted, or expired with no offsets)
 */
import { Reader } from '../../protocol/kafka/wire/reader.js';
import { decodeConsumerProtocolSubscription } from '../../protocol/kafka/generated/messages/consumer-protocol-subscription.js';
import type { OffsetValue } from '../offsets/records.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  /** In the member's order of preference. */
  protocols: MemberProtocol[];
  assignment: Buffer;
  /** The parked JoinGroup waiting for the rebalance to complete, if any. */
  awaitingJoin: number | null;
  /** The JoinGroup's API version (v9+ may be told to skip the assignment). */
  awaitingJoinVersion: number;
  /** The parked SyncGroup waiting for the leader's assignment, if any. */
  awaitingSync: number | null;
  /** Joined but not yet part of a completed generation. */
  isNew: boolean;
  /** When the member expires unless heard from; Infinity while it waits in a rebalance. */
  deadline: number;
}

export interface Group {
  groupId: string;
  state: GroupState;
  /** When the group entered its state (epoch ms); -1 when unknown. */
  stateTimestamp: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  /** By member id, in join order. */
  members: Map<string, Member>;
  /** group.instance.id → member id. */
  staticMembers: Map<string, string>;
  /** Member ids handed out with MEMBER_ID_REQUIRED → their deadline. */
  pendingMembers: Map<string, number>;
  /** Members of the current generation that have not sent SyncGroup yet. */
  pendingSync: Set<string>;
  /** A member joined during the initial delay (the delay is extended). */
  newMemberAdded: boolean;
  /** PreparingRebalance: when the join phase completes at the latest. */
  joinDeadline: number | null;
  /** During the initial delay: rebalance time left after it (null: a normal join phase). */
  initialDelayRemainingMs: number | null;
  /** CompletingRebalance/Stable: when members still in pendingSync are dropped. */
  syncDeadline: number | null;
  /** Topics the consumer-protocol members subscribe to (null: unknown). */
  subscribedTopics: Set<string> | null;
  /** topic → partition → committed offset. */
  offsets: Map<string, Map<number, OffsetValue>>;
}

export function newGroup(groupId: string, now: number): Group {
  return {
    groupId,
    state: 'Empty',
    stateTimestamp: now,
    generationId: 0,
    protocolType: null,
    protocolName: null,
    leaderId: null,
    members: new Map(),
    staticMembers: new Map(),
    pendingMembers: new Map(),
    pendingSync: new Set(),
    newMemberAdded: false,
    joinDeadline: null,
    initialDelayRemainingMs: null,
    syncDeadline: null,
    subscribedTopics: null,
    offsets: new Map(),
  };
}

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** The longest rebalance timeout among the members (the join phase's limit). */
export function rebalanceTimeoutOf(group: Group): number {
  let timeout = 0;
  for (const member of group.members.values())
    timeout = Math.max(timeout, member.rebalanceTimeoutMs);
  return timeout;
}

export function hasAllMembersJoined(group: Group): boolean {
  if (group.pendingMembers.size > 0) return false;
  for (const member of group.members.values()) if (member.awaitingJoin === null) return false;
  return true;
}

/**
 * May a member with this protocol type and protocols join? An empty group takes any
 * non-empty type; otherwise the type must match and at least one protocol must be one
 * that every other member supports too. `joiningMemberId` is left out of the count
 * (its own old protocols do not vote).
 */
export function supportsProtocols(
  group: Group,
  protocolType: string,
  protocols: readonly MemberProtocol[],
  joiningMemberId: string,
): boolean {
  if (protocolType === '' || protocols.length === 0) return false;
  const others = [...group.members.values()].filter((m) => m.memberId !== joiningMemberId);
  if (group.state === 'Empty' || others.length === 0) {
    return (
      group.state === 'Empty' || group.protocolType === null || group.protocolType === protocolType
    );
  }
  if (group.protocolType !== protocolType) return false;
  return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
}

/**
 * The protocol the group will use: among the protocols every member supports, each member
 * votes for the one it prefers most; the most votes win (ties: the leader's preference).
 */
export function selectProtocol(group: Group): string | null {
  const members = [...group.members.values()];
  if (members.length === 0) return null;
  const candidates = members[0]!.protocols
    .map((p) => p.name)
    .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  if (candidates.length === 0) return null;
  const votes = new Map<string, number>();
  for (const member of members) {
    const vote = member.protocols.find((p) => candidates.includes(p.name))!.name;
    votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  const leader = group.leaderId !== null ? group.members.get(group.leaderId) : undefined;
  const order = (leader ?? members[0]!).protocols
    .map((p) => p.name)
    .filter((n) => candidates.includes(n));
  let best = order[0]!;
  for (const name of order) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
  return best;
}

export function protocolMetadata(member: Member, protocolName: string | null): Buffer {
  const found = member.protocols.find((p) => p.name === protocolName);
  return found?.metadata ?? Buffer.alloc(0);
}

/** Same protocols, in the same order, with the same metadata bytes? */
export function sameProtocols(a: readonly MemberProtocol[], b: readonly MemberProtocol[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata))
  );
}

/**
 * The topics a "consumer" protocol member subscribes to, decoded from its metadata
 * (int16 version + ConsumerProtocolSubscription); null when it does not decode.
 */
export function decodeSubscribedTopics(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    const version = r.int16();
    if (version < 0) return null;
    return decodeConsumerProtocolSubscription(r, Math.min(version, 3)).topics;
  } catch {
    return null;
  }
}

/** The union of the members' subscriptions, for consumer groups; null when unknown. */
export function computeSubscribedTopics(group: Group): Set<string> | null {
  if (group.protocolType !== CONSUMER_PROTOCOL_TYPE || group.protocolName === null) return null;
  const topics = new Set<string>();
  for (const member of group.members.values()) {
    const decoded = decodeSubscribedTopics(protocolMetadata(member, group.protocolName));
    if (decoded === null) return null;
    for (const topic of decoded) topics.add(topic);
  }
  return topics;
}

export function offsetCount(group: Group): number {
  let count = 0;
  for (const partitions of group.offsets.values()) count += partitions.size;
  return count;
}
