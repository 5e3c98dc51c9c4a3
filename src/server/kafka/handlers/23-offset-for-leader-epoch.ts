/**
 * OffsetForLeaderEpoch (key 23), versions 2-4.
 *
 * Behaviour: a single-node partition has one leader epoch, 0, that began at offset 0 and
 * is still current. So for a requested epoch >= 0 the answer is {LeaderEpoch 0, EndOffset =
 * the log end offset}: a consumer validating its position after a metadata change (KIP-320:
 * Java, librdkafka, franz-go) sees no truncation as long as its position is within the
 * log. (Kafka would answer -1/-1 for an epoch above every epoch it knows; Weir answers
 * epoch 0 instead so offsets carried over from another cluster do not force an offset
 * reset.) A requested epoch of -1 (undefined) → LeaderEpoch -1, EndOffset -1, as in Kafka.
 *
 * Errors per partition: unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION;
 * CurrentLeaderEpoch newer than 0 → UNKNOWN_LEADER_EPOCH (the client has metadata this
 * broker does not).
 *
 * Version notes: v2 is the KIP-896 floor (CurrentLeaderEpoch, ThrottleTimeMs); v3+
 * ReplicaId (followers; single-node mode has none, so it is ignored); v4 flexible.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  OffsetForLeaderEpochResponseEpochEndOffset,
} from '../../../protocol/kafka/generated/messages/offset-for-leader-epoch.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

/** The only leader epoch a single-node partition has. */
const LEADER_EPOCH = 0;

type EpochEndOffset = OffsetForLeaderEpochResponseEpochEndOffset;

function result(
  partition: number,
  errorCode: number,
  leaderEpoch = -1,
  endOffset = -1,
): EpochEndOffset {
  return { errorCode, partition, leaderEpoch, endOffset: BigInt(endOffset) };
}

export function offsetForLeaderEpochHandler(
  services: KafkaServices,
): Handler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> {
  const { cluster } = services;

  return (_context, request) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      topic: topic.topic,
      partitions: topic.partitions.map((p) => {
        const partition = cluster.partition(topic.topic, p.partition);
        if (!partition) return result(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (p.currentLeaderEpoch > LEADER_EPOCH)
          return result(p.partition, ErrorCode.UNKNOWN_LEADER_EPOCH);
        if (p.leaderEpoch < 0) return result(p.partition, ErrorCode.NONE);
        return result(p.partition, ErrorCode.NONE, LEADER_EPOCH, partition.logEndOffset);
      }),
    })),
  });
}
