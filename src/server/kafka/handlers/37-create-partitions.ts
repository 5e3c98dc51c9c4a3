/**
 * CreatePartitions (key 37), versions 0-3.
 *
 * Behaviour, per topic (independently; ValidateOnly checks everything, creates nothing):
 * grows the topic to Count partitions (Kafka never shrinks a topic). The new partitions
 * are empty and immediately writable. Assignments must be null, or list one replica set
 * per new partition, each exactly [this broker's id] → else INVALID_REPLICA_ASSIGNMENT.
 * Unknown topic → UNKNOWN_TOPIC_OR_PARTITION; Count not larger than the current count (or
 * above Weir's per-topic limit) → INVALID_PARTITIONS; a topic listed twice →
 * INVALID_REQUEST for every occurrence. Errors carry an ErrorMessage. TimeoutMs is
 * ignored: the partitions exist before the response.
 *
 * Version notes: v1 same as v0; v2 flexible; v3 may throttle (Weir never does).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsRequestCreatePartitionsTopic,
  CreatePartitionsResponse,
  CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../../../protocol/kafka/generated/messages/create-partitions.js';
import type { KafkaServices } from '../services.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import type { Handler } from './handler.js';

type TopicResult = CreatePartitionsResponseCreatePartitionsTopicResult;

export function createPartitionsHandler(
  services: KafkaServices,
): Handler<CreatePartitionsRequest, CreatePartitionsResponse> {
  const { cluster } = services;

  /** Why the manual assignment cannot be honoured, or null. */
  function assignmentProblem(request: CreatePartitionsRequestCreatePartitionsTopic): string | null {
    if (request.assignments === null) return null;
    const topic = cluster.topic(request.name);
    if (!topic || request.count <= topic.partitions) return null; // reported by the cluster
    const added = request.count - topic.partitions;
    if (request.assignments.length !== added) {
      return `increasing the partition count by ${added} but ${request.assignments.length} assignments were given`;
    }
    const nodeId = cluster.endpoint.nodeId;
    const wrong = request.assignments.find(
      (a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId,
    );
    if (wrong) {
      return `replicas [${wrong.brokerIds.join(', ')}] cannot be honoured; the only broker is ${nodeId}`;
    }
    return null;
  }

  async function grow(
    request: CreatePartitionsRequestCreatePartitionsTopic,
    validateOnly: boolean,
  ): Promise<TopicResult> {
    const { name } = request;
    if (!cluster.topic(name)) {
      return {
        name,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `unknown topic '${name}'`,
      };
    }
    const problem = assignmentProblem(request);
    if (problem !== null)
      return { name, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: problem };
    try {
      await cluster.createPartitions(name, request.count, validateOnly);
      return { name, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (error) {
      return {
        name,
        errorCode: errorCodeOf(error),
        errorMessage: errorMessageOf(error) ?? String(error),
      };
    }
  }

  return async (context, request) => {
    const counts = new Map<string, number>();
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
    const results: TopicResult[] = [];
    for (const topic of request.topics) {
      const result =
        counts.get(topic.name)! > 1
          ? {
              name: topic.name,
              errorCode: ErrorCode.INVALID_REQUEST,
              errorMessage: 'duplicate topic name',
            }
          : await grow(topic, request.validateOnly);
      if (result.errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) {
        context.logger.error('CreatePartitions failed', {
          topic: topic.name,
          error: result.errorMessage,
        });
      }
      results.push(result);
    }
    return { throttleTimeMs: 0, results };
  };
}
