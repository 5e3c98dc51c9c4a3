/**
 * DeleteRecords (key 21), versions 0-2.
 *
 * Behaviour, per partition (independently): moves the log start offset ("low watermark")
 * up to Offset, so records before it are no longer readable; whole segments below it are
 * deleted by storage. Offset -1 means the high watermark. An offset at or below the
 * current log start offset changes nothing. The answer carries the resulting low
 * watermark.
 *
 * Errors: unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION; Offset beyond the high
 * watermark, or negative other than -1 → OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy
 * does not include "delete" (compacted only) → POLICY_VIOLATION, as in Kafka; a storage
 * failure → KAFKA_STORAGE_ERROR. LowWatermark is -1 on error. TimeoutMs is ignored: the
 * new log start is in effect before the response.
 *
 * Version notes: v1 same as v0; v2 flexible.
 */
import { CodedError } from '../../../common/errors.js';
import { ErrorCode, type ErrorCodeName } from '../../../protocol/kafka/index.js';
import type {
  DeleteRecordsRequest,
  DeleteRecordsRequestDeleteRecordsPartition,
  DeleteRecordsResponse,
  DeleteRecordsResponseDeleteRecordsPartitionResult,
} from '../../../protocol/kafka/generated/messages/delete-records.js';
import type { TopicMetadata } from '../../../cluster/metadata/topic-registry.js';
import type { RequestContext } from '../request-context.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const HIGH_WATERMARK = -1n;

type PartitionResult = DeleteRecordsResponseDeleteRecordsPartitionResult;

function result(partitionIndex: number, errorCode: number, lowWatermark = -1): PartitionResult {
  return { partitionIndex, errorCode, lowWatermark: BigInt(lowWatermark) };
}

/** Storage errors named after a Kafka error keep that code; anything else is a storage error. */
function storageErrorCode(error: unknown): number {
  if (error instanceof CodedError && Object.hasOwn(ErrorCode, error.code)) {
    return ErrorCode[error.code as ErrorCodeName];
  }
  return ErrorCode.KAFKA_STORAGE_ERROR;
}

export function deleteRecordsHandler(
  services: KafkaServices,
): Handler<DeleteRecordsRequest, DeleteRecordsResponse> {
  const { cluster } = services;

  async function deletePartition(
    context: RequestContext,
    topic: TopicMetadata | undefined,
    request: DeleteRecordsRequestDeleteRecordsPartition,
  ): Promise<PartitionResult> {
    const index = request.partitionIndex;
    const partition = topic ? cluster.partition(topic.name, index) : undefined;
    if (!topic || !partition) return result(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const policy = (cluster.topicConfig(topic, 'cleanup.policy') ?? 'delete').split(',');
    if (!policy.map((p) => p.trim()).includes('delete')) {
      return result(index, ErrorCode.POLICY_VIOLATION);
    }
    const highWatermark = partition.highWatermark;
    const offset = request.offset === HIGH_WATERMARK ? highWatermark : Number(request.offset);
    if (offset < 0 || offset > highWatermark) return result(index, ErrorCode.OFFSET_OUT_OF_RANGE);
    if (offset <= partition.logStartOffset) {
      return result(index, ErrorCode.NONE, partition.logStartOffset);
    }
    try {
      await partition.deleteRecordsBefore(offset);
      return result(index, ErrorCode.NONE, partition.logStartOffset);
    } catch (error) {
      // Deleted meanwhile: the log was closed under us.
      if (cluster.partition(topic.name, index) !== partition) {
        return result(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      const code = storageErrorCode(error);
      if (code === ErrorCode.KAFKA_STORAGE_ERROR) {
        context.logger.error('DeleteRecords failed', {
          topic: topic.name,
          partition: index,
          error: String(error),
        });
      }
      return result(index, code);
    }
  }

  return async (context, request) => {
    const topics = [];
    for (const requested of request.topics) {
      const topic = cluster.topic(requested.name);
      const partitions: PartitionResult[] = [];
      for (const p of requested.partitions) {
        partitions.push(await deletePartition(context, topic, p));
      }
      topics.push({ name: requested.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  };
}
