/**
 * OffsetCommit (key 8), versions 2-9 (v0-1 were removed in Kafka 4, KIP-896).
 *
 * Behaviour: stores committed offsets (with leader epoch and metadata) for a group in
 * __consumer_offsets and answers once they are written. Per partition: a topic or
 * partition that does not exist gets UNKNOWN_TOPIC_OR_PARTITION (and never reaches the
 * coordinator); metadata longer than offset.metadata.max.bytes gets
 * OFFSET_METADATA_TOO_LARGE. Group checks (for all partitions of the request): a commit
 * with generation -1 to an empty or unknown group is a standalone commit (the group only
 * keeps offsets in Kafka); otherwise the member must belong to the group
 * (UNKNOWN_MEMBER_ID), not be a fenced static member (FENCED_INSTANCE_ID), and carry the
 * current generation (ILLEGAL_GENERATION); while the assignment is being completed a
 * commit gets REBALANCE_IN_PROGRESS. COORDINATOR_LOAD_IN_PROGRESS while loading,
 * NOT_COORDINATOR when the write failed.
 *
 * Version notes: v2-4 RetentionTimeMs (-1: the broker's offsets.retention.minutes; else
 * this commit expires that long after it was made); v3+ ThrottleTimeMs; v5 drops
 * RetentionTimeMs; v6+ CommittedLeaderEpoch; v7+ GroupInstanceId; v8+ flexible; v9 names
 * the generation GenerationIdOrMemberEpoch (KIP-848 groups use the member epoch; classic
 * groups the generation, as here).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  OffsetCommitRequest,
  OffsetCommitRequestTopic,
  OffsetCommitResponse,
  OffsetCommitResponsePartition,
  OffsetCommitResponseTopic,
} from '../../../protocol/kafka/generated/messages/offset-commit.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

export function offsetCommitHandler(
  services: KafkaServices,
): Handler<OffsetCommitRequest, OffsetCommitResponse> {
  return async (context, request) => {
    const { cluster, groups } = services;
    const retentionTimeMs = context.apiVersion <= 4 ? request.retentionTimeMs : -1n;
    // Partitions of topics that do not exist are answered here; the rest go to the group.
    const rejected = new Map<string, number>();
    const valid: OffsetCommitRequestTopic[] = [];
    for (const topic of request.topics) {
      const metadata = cluster.topic(topic.name);
      const partitions = topic.partitions.filter((p) => {
        const exists =
          metadata !== undefined && p.partitionIndex >= 0 && p.partitionIndex < metadata.partitions;
        if (!exists)
          rejected.set(
            `${topic.name}\u0000${p.partitionIndex}`,
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          );
        return exists;
      });
      if (partitions.length > 0) valid.push({ ...topic, partitions });
    }
    const committed = new Map<string, number>();
    if (valid.length > 0) {
      const results: OffsetCommitResponseTopic[] = groups
        ? await groups.commitOffsets({ ...request, retentionTimeMs, topics: valid })
        : valid.map((t) => ({
            name: t.name,
            topicId: t.topicId,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
            })),
          }));
      for (const topic of results) {
        for (const p of topic.partitions)
          committed.set(`${topic.name}\u0000${p.partitionIndex}`, p.errorCode);
      }
    }
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        topicId: topic.topicId,
        partitions: topic.partitions.map((p): OffsetCommitResponsePartition => {
          const key = `${topic.name}\u0000${p.partitionIndex}`;
          return {
            partitionIndex: p.partitionIndex,
            errorCode: rejected.get(key) ?? committed.get(key) ?? ErrorCode.UNKNOWN_SERVER_ERROR,
          };
        }),
      })),
    };
  };
}
