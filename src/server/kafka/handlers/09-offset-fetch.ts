/**
 * OffsetFetch (key 9), versions 1-9 (v0 read ZooKeeper offsets and is gone in Kafka 4).
 *
 * Behaviour: returns a group's committed offsets (offset, leader epoch, metadata) for the
 * requested partitions, or for every partition with a committed offset when the topic list
 * is null. A partition without a committed offset (or a group that does not exist) gets
 * offset -1, leader epoch -1, metadata "" and no error. Offsets are read after every
 * earlier write of the group's coordinator shard has been stored, so a consumer always
 * sees its own commits. RequireStable (v7+) asks to wait for pending transactional
 * offsets: Weir has no transactional offset commits yet, so all offsets are stable.
 * COORDINATOR_LOAD_IN_PROGRESS while the group's shard loads.
 *
 * Version notes: v1 names topics (never null) and reports errors per partition; v2+ null
 * topics = all, and a top-level ErrorCode; v3+ ThrottleTimeMs; v5+ CommittedLeaderEpoch;
 * v6+ flexible; v7+ RequireStable; v8+ batched: Groups in, one result per group out
 * (KIP-709); v9 MemberId/MemberEpoch (checked only for KIP-848 groups, so ignored here).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type { FetchedTopic } from '../../../coordinator/index.js';
import type {
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchResponseGroup,
} from '../../../protocol/kafka/generated/messages/offset-fetch.js';
import { ZERO_UUID } from '../../../protocol/kafka/index.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

type TopicsRequest = ReadonlyArray<{ name: string; partitionIndexes: number[] }> | null;

export function offsetFetchHandler(
  services: KafkaServices,
): Handler<OffsetFetchRequest, OffsetFetchResponse> {
  async function fetchGroup(
    groupId: string,
    topics: TopicsRequest,
    requireStable: boolean,
  ): Promise<{ errorCode: number; topics: FetchedTopic[] }> {
    const groups = services.groups;
    if (!groups) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    return groups.fetchOffsets(groupId, topics, requireStable);
  }

  /** The requested partitions, each with `errorCode` (when the group could not be read). */
  function failed(topics: TopicsRequest, errorCode: number): FetchedTopic[] {
    return (topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1n,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode,
      })),
    }));
  }

  return async (context, request) => {
    const version = context.apiVersion;
    if (version >= 8) {
      const results = await Promise.all(
        request.groups.map(async (group): Promise<OffsetFetchResponseGroup> => {
          const result = await fetchGroup(group.groupId, group.topics, request.requireStable);
          return {
            groupId: group.groupId,
            errorCode: result.errorCode,
            topics: result.topics.map((t) => ({
              name: t.name,
              topicId: ZERO_UUID,
              partitions: t.partitions,
            })),
          };
        }),
      );
      return { throttleTimeMs: 0, topics: [], errorCode: ErrorCode.NONE, groups: results };
    }
    const topics = version === 1 && request.topics === null ? [] : request.topics;
    const result = await fetchGroup(request.groupId, topics, request.requireStable);
    if (version === 1 && result.errorCode !== ErrorCode.NONE) {
      // No top-level error before v2: the group's error goes on every partition.
      return {
        throttleTimeMs: 0,
        topics: failed(topics, result.errorCode),
        errorCode: result.errorCode,
        groups: [],
      };
    }
    return { throttleTimeMs: 0, topics: result.topics, errorCode: result.errorCode, groups: [] };
  };
}
