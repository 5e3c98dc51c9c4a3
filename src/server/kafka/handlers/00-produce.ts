/**
 * Produce (key 0): serves versions 3-12; advertised from v0 (research/protocol.md rule 3)
 * but v0-2 (message formats 0/1) close the connection, as in Kafka 4.
 *
 * Behaviour, per partition: the records must be exactly one magic-2 batch (validated from
 * its header and CRC32C only; records are never decoded), no larger than the topic's
 * max.message.bytes, from a non-transactional producer (transactions are not served
 * yet). Valid batches are appended through the Partition, which assigns offsets and
 * checks idempotent producers' epochs and sequences. Failures are per partition: one bad
 * partition never fails the others in the same request. A batch larger than the topic's
 * segment.bytes could never be stored: RECORD_LIST_TOO_LARGE (18).
 *
 * acks: 0 → no response is sent at all; 1 → answer after the leader's append; -1 (all)
 * → the in-sync replicas are this broker alone, so the same as 1, except that a topic with
 * min.insync.replicas > 1 gets NOT_ENOUGH_REPLICAS. Anything else: INVALID_REQUIRED_ACKS.
 * Produce never auto-creates topics (Kafka creates them through Metadata), and clients may
 * not write to internal topics such as __consumer_offsets (INVALID_TOPIC_EXCEPTION).
 *
 * Version notes: v5+ LogStartOffset; v8+ RecordErrors (one entry naming batch 0 for an
 * invalid batch); v9+ flexible; v10+ CurrentLeader/NodeEndpoints tagged fields (left at
 * their defaults: the leader never moves in single-node mode); v11/12 same as v10.
 */
import {
  RecordsError,
  validateProducedBatch,
  type RecordBatchView,
} from '../../../records/index.js';
import { ErrorCode, ZERO_UUID, type ErrorCodeName } from '../../../protocol/kafka/index.js';
import type {
  ProduceRequest,
  ProduceRequestPartitionProduceData,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
} from '../../../protocol/kafka/generated/messages/produce.js';
import { isInternalTopic } from '../../../cluster/metadata/topic-name.js';
import type { TopicMetadata } from '../../../cluster/metadata/topic-registry.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

type PartitionResponse = ProduceResponsePartitionProduceResponse;

function partitionResponse(
  index: number,
  errorCode: number,
  errorMessage: string | null = null,
  fields: Partial<PartitionResponse> = {},
): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage,
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    ...fields,
  };
}

export function produceHandler(services: KafkaServices): Handler<ProduceRequest, ProduceResponse> {
  const { cluster } = services;

  async function appendPartition(
    topic: TopicMetadata | undefined,
    data: ProduceRequestPartitionProduceData,
    acks: number,
  ): Promise<PartitionResponse> {
    const partition = topic ? cluster.partition(topic.name, data.index) : undefined;
    if (!topic || !partition) {
      return partitionResponse(data.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    if (isInternalTopic(topic.name)) {
      return partitionResponse(
        data.index,
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        `clients cannot produce to the internal topic '${topic.name}'`,
      );
    }
    if (acks === -1 && Number(cluster.topicConfig(topic, 'min.insync.replicas')) > 1) {
      return partitionResponse(
        data.index,
        ErrorCode.NOT_ENOUGH_REPLICAS,
        'min.insync.replicas is larger than the in-sync replica set (1 broker)',
      );
    }
    const validation = validateProducedBatch(data.records ?? Buffer.alloc(0), {
      maxBatchBytes: Number(cluster.topicConfig(topic, 'max.message.bytes')),
    });
    if (!validation.ok) {
      return partitionResponse(
        data.index,
        ErrorCode[validation.code as ErrorCodeName],
        validation.message,
        {
          recordErrors: [{ batchIndex: 0, batchIndexErrorMessage: validation.message }],
        },
      );
    }
    const batch: RecordBatchView = validation.batch;
    if (batch.sizeInBytes > Number(cluster.topicConfig(topic, 'segment.bytes'))) {
      return partitionResponse(
        data.index,
        ErrorCode.RECORD_LIST_TOO_LARGE,
        `batch of ${batch.sizeInBytes} bytes is larger than segment.bytes`,
      );
    }
    if (batch.isTransactional) {
      return partitionResponse(
        data.index,
        ErrorCode.INVALID_REQUEST,
        'transactions are not supported yet',
      );
    }
    const outcome = await partition.append(batch);
    if (!outcome.ok)
      return partitionResponse(data.index, ErrorCode[outcome.error], outcome.message);
    return partitionResponse(data.index, ErrorCode.NONE, null, {
      baseOffset: BigInt(outcome.baseOffset),
      logAppendTimeMs: BigInt(outcome.logAppendTime),
      logStartOffset: BigInt(partition.logStartOffset),
    });
  }

  return async (_context, request) => {
    const acks = request.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const responses = await Promise.all(
      request.topicData.map(async (topicData) => {
        const topic = cluster.topic(topicData.name);
        const partitionResponses = await Promise.all(
          topicData.partitionData.map((data) =>
            validAcks
              ? appendPartition(topic, data, acks).catch((error: unknown) =>
                  partitionResponse(
                    data.index,
                    error instanceof RecordsError
                      ? ErrorCode[error.code]
                      : ErrorCode.UNKNOWN_SERVER_ERROR,
                    error instanceof Error ? error.message : null,
                  ),
                )
              : partitionResponse(data.index, ErrorCode.INVALID_REQUIRED_ACKS),
          ),
        );
        return { name: topicData.name, topicId: topic?.topicId ?? ZERO_UUID, partitionResponses };
      }),
    );
    if (acks === 0) return null;
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  };
}
