/**
 * OffsetDelete (key 47), version 0.
 *
 * Behaviour: deletes a group's committed offsets for the given partitions (tombstones in
 * __consumer_offsets). Allowed for an empty group; for an active consumer group only for
 * topics no member subscribes to (the others get GROUP_SUBSCRIBED_TO_TOPIC). Partitions of
 * topics that do not exist get UNKNOWN_TOPIC_OR_PARTITION. Group level: INVALID_GROUP_ID
 * (empty id), GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (an active group of another protocol
 * type), COORDINATOR_LOAD_IN_PROGRESS. Deleting an offset that was never committed is no
 * error.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  OffsetDeleteRequest,
  OffsetDeleteResponse,
} from '../../../protocol/kafka/generated/messages/offset-delete.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

export function offsetDeleteHandler(
  services: KafkaServices,
): Handler<OffsetDeleteRequest, OffsetDeleteResponse> {
  return async (_context, request) => {
    const { cluster, groups } = services;
    if (!groups)
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, throttleTimeMs: 0, topics: [] };
    const exists = (topic: string, partition: number): boolean => {
      const metadata = cluster.topic(topic);
      return metadata !== undefined && partition >= 0 && partition < metadata.partitions;
    };
    const valid = request.topics
      .map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => p.partitionIndex).filter((p) => exists(t.name, p)),
      }))
      .filter((t) => t.partitions.length > 0);
    const result = await groups.deleteOffsets(request.groupId, valid);
    if (result.errorCode !== ErrorCode.NONE)
      return { errorCode: result.errorCode, throttleTimeMs: 0, topics: [] };
    const codes = new Map<string, number>();
    for (const t of result.topics)
      for (const p of t.partitions) codes.set(`${t.name}\u0000${p.partitionIndex}`, p.errorCode);
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode:
            codes.get(`${t.name}\u0000${p.partitionIndex}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      })),
    };
  };
}
