/**
 * The "consumer" embedded protocol of classic groups: what a member puts in JoinGroup
 * (its subscription) and what the leader hands out in SyncGroup (assignments). Each is an
 * int16 version followed by the struct at that version; like Kafka's ConsumerProtocol, a
 * newer version than we know is read with the fields we know and the rest ignored.
 */
import { Reader, Writer } from '../../protocol/kafka/index.js';
import {
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from '../../protocol/kafka/generated/messages/consumer-protocol-assignment.js';
import {
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from '../../protocol/kafka/generated/messages/consumer-protocol-subscription.js';

/** topic → sorted partitions. */
export type Assignment = Map<string, number[]>;

const SUBSCRIPTION_VERSION = 1;
const MAX_KNOWN_SUBSCRIPTION_VERSION = 3;
const ASSIGNMENT_VERSION = 1;
const MAX_KNOWN_ASSIGNMENT_VERSION = 3;

export function encodeSubscription(
  topics: readonly string[],
  owned: Assignment = new Map(),
): Buffer {
  const w = new Writer();
  w.int16(SUBSCRIPTION_VERSION);
  encodeConsumerProtocolSubscription(
    w,
    {
      topics: [...topics],
      userData: null,
      ownedPartitions: [...owned].map(([topic, partitions]) => ({ topic, partitions })),
      generationId: -1,
      rackId: null,
    },
    SUBSCRIPTION_VERSION,
  );
  return w.toBuffer();
}

/** The topics a member subscribes to; [] for metadata that is not the consumer protocol. */
export function decodeSubscriptionTopics(metadata: Buffer): string[] {
  try {
    const r = new Reader(metadata);
    const version = Math.min(r.int16(), MAX_KNOWN_SUBSCRIPTION_VERSION);
    return decodeConsumerProtocolSubscription(r, version).topics;
  } catch {
    return [];
  }
}

export function encodeAssignment(assignment: Assignment): Buffer {
  const w = new Writer();
  w.int16(ASSIGNMENT_VERSION);
  encodeConsumerProtocolAssignment(
    w,
    {
      assignedPartitions: [...assignment].map(([topic, partitions]) => ({ topic, partitions })),
      userData: null,
    },
    ASSIGNMENT_VERSION,
  );
  return w.toBuffer();
}

/** An empty map for an empty buffer (a member that got nothing) or foreign data. */
export function decodeAssignment(bytes: Buffer): Assignment {
  const assignment: Assignment = new Map();
  if (bytes.length < 2) return assignment;
  try {
    const r = new Reader(bytes);
    const version = Math.min(r.int16(), MAX_KNOWN_ASSIGNMENT_VERSION);
    for (const { topic, partitions } of decodeConsumerProtocolAssignment(r, version)
      .assignedPartitions) {
      assignment.set(
        topic,
        [...(assignment.get(topic) ?? []), ...partitions].sort((a, b) => a - b),
      );
    }
  } catch {
    // Not the consumer protocol (e.g. a Connect worker): show no assignment.
  }
  return assignment;
}

/**
 * Kafka's RangeAssignor: per topic, the members subscribed to it sorted by member id; each
 * gets `partitions / members` consecutive partitions and the first `partitions % members`
 * one more.
 */
export function rangeAssign(
  subscriptions: ReadonlyMap<string, readonly string[]>,
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, Assignment> {
  const result = new Map<string, Assignment>();
  for (const memberId of subscriptions.keys()) result.set(memberId, new Map());
  const topics = new Set([...subscriptions.values()].flat());
  for (const topic of [...topics].sort()) {
    const count = partitionCounts.get(topic);
    if (count === undefined) continue;
    const members = [...subscriptions]
      .filter(([, subscribed]) => subscribed.includes(topic))
      .map(([memberId]) => memberId)
      .sort();
    const base = Math.floor(count / members.length);
    const extra = count % members.length;
    members.forEach((memberId, i) => {
      const start = i * base + Math.min(i, extra);
      const length = base + (i < extra ? 1 : 0);
      if (length === 0) return;
      result.get(memberId)!.set(
        topic,
        Array.from({ length }, (_, k) => start + k),
      );
    });
  }
  return result;
}
