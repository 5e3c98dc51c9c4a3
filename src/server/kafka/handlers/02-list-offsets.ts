/**
 * ListOffsets (key 2), versions 1-7.
 *
 * Behaviour, per requested partition (errors never affect the other partitions):
 * - Timestamp -1 (LATEST): the high watermark, or the last stable offset for
 *   read_committed (the same until transactions exist); timestamp -1 in the answer.
 * - Timestamp -2 (EARLIEST): the log start offset; timestamp -1.
 * - Timestamp -3 (MAX_TIMESTAMP, KIP-734): the offset and timestamp of the record with the
 *   largest timestamp; offset -1 and timestamp -1 for an empty log.
 * - Any other timestamp t >= 0: the first offset whose record timestamp is >= t, with that
 *   timestamp; offset -1 and timestamp -1 when there is none.
 * Offsets a consumer cannot fetch yet (at or past the high watermark/LSO) are never
 * returned for timestamp lookups, as in Kafka. A "debug" request (ReplicaId != -1) may see
 * up to the log end offset.
 *
 * Errors: unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION; a partition named twice
 * in one request → INVALID_REQUEST (every occurrence); CurrentLeaderEpoch newer than this
 * broker's (always 0 in single-node mode) → UNKNOWN_LEADER_EPOCH; a negative timestamp
 * other than -1/-2/-3 → INVALID_REQUEST; a storage failure → KAFKA_STORAGE_ERROR.
 *
 * Version notes: v1 is the KIP-896 floor (single offset per partition); v2+ IsolationLevel;
 * v4+ CurrentLeaderEpoch in requests and LeaderEpoch in responses (0 when an offset was
 * found, -1 when not); v6+ flexible; v7 permits MAX_TIMESTAMP (Weir answers -3 at any
 * version, as Kafka does; clients only send it at v7+).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  ListOffsetsRequest,
  ListOffsetsRequestListOffsetsPartition,
  ListOffsetsResponse,
  ListOffsetsResponseListOffsetsPartitionResponse,
} from '../../../protocol/kafka/generated/messages/list-offsets.js';
import type { Partition } from '../../../cluster/partition/partition.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const LATEST_TIMESTAMP = -1;
const EARLIEST_TIMESTAMP = -2;
const MAX_TIMESTAMP = -3;
const READ_COMMITTED = 1;
const CONSUMER_REPLICA_ID = -1;
/** The only leader epoch a single-node partition has. */
const LEADER_EPOCH = 0;

type PartitionResponse = ListOffsetsResponseListOffsetsPartitionResponse;

function answer(
  partitionIndex: number,
  errorCode: number,
  offset = -1,
  timestamp = -1,
): PartitionResponse {
  return {
    partitionIndex,
    errorCode,
    timestamp: BigInt(timestamp),
    offset: BigInt(offset),
    leaderEpoch: errorCode === ErrorCode.NONE && offset >= 0 ? LEADER_EPOCH : -1,
  };
}

export function listOffsetsHandler(
  services: KafkaServices,
): Handler<ListOffsetsRequest, ListOffsetsResponse> {
  const { cluster } = services;

  async function lookUp(
    partition: Partition,
    request: ListOffsetsRequestListOffsetsPartition,
    fetchableEnd: number,
  ): Promise<PartitionResponse> {
    const index = request.partitionIndex;
    const timestamp = Number(request.timestamp);
    switch (timestamp) {
      case LATEST_TIMESTAMP:
        return answer(index, ErrorCode.NONE, fetchableEnd);
      case EARLIEST_TIMESTAMP:
        return answer(index, ErrorCode.NONE, partition.logStartOffset);
      case MAX_TIMESTAMP: {
        const found = await partition.log.maxTimestampOffset();
        if (found === null || found.offset >= fetchableEnd) return answer(index, ErrorCode.NONE);
        return answer(index, ErrorCode.NONE, found.offset, found.timestamp);
      }
      default: {
        if (timestamp < 0) return answer(index, ErrorCode.INVALID_REQUEST);
        const found = await partition.log.offsetForTimestamp(timestamp);
        if (found === null || found.offset >= fetchableEnd) return answer(index, ErrorCode.NONE);
        return answer(index, ErrorCode.NONE, found.offset, found.timestamp);
      }
    }
  }

  return async (context, request) => {
    const readCommitted = request.isolationLevel === READ_COMMITTED;
    const seen = new Map<string, number>();
    for (const topic of request.topics) {
      for (const p of topic.partitions) {
        const key = `${topic.name}\u0000${p.partitionIndex}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    const topics = [];
    for (const topic of request.topics) {
      const partitions: PartitionResponse[] = [];
      for (const p of topic.partitions) {
        const index = p.partitionIndex;
        const partition = cluster.partition(topic.name, index);
        if (seen.get(`${topic.name}\u0000${index}`)! > 1) {
          partitions.push(answer(index, ErrorCode.INVALID_REQUEST));
        } else if (!partition) {
          partitions.push(answer(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        } else if (p.currentLeaderEpoch > LEADER_EPOCH) {
          partitions.push(answer(index, ErrorCode.UNKNOWN_LEADER_EPOCH));
        } else {
          const fetchableEnd =
            request.replicaId !== CONSUMER_REPLICA_ID
              ? partition.logEndOffset
              : readCommitted
                ? partition.lastStableOffset
                : partition.highWatermark;
          try {
            partitions.push(await lookUp(partition, p, fetchableEnd));
          } catch (error) {
            if (cluster.partition(topic.name, index) !== partition) {
              // Deleted meanwhile: its log was closed under the lookup.
              partitions.push(answer(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
              continue;
            }
            context.logger.error('ListOffsets failed', {
              topic: topic.name,
              partition: index,
              error: String(error),
            });
            partitions.push(answer(index, ErrorCode.KAFKA_STORAGE_ERROR));
          }
        }
      }
      topics.push({ name: topic.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  };
}
