/**
 * DeleteTopics (key 20), versions 1-6.
 *
 * Behaviour: deletes each named topic — its metadata and every partition's log — before
 * answering; fetches waiting on its partitions wake up. Per topic, independently:
 * unknown name → UNKNOWN_TOPIC_OR_PARTITION; unknown id → UNKNOWN_TOPIC_ID; broker
 * delete.topic.enable=false → TOPIC_DELETION_DISABLED; a topic named twice in one request
 * → INVALID_REQUEST (every occurrence). TimeoutMs is ignored: deletion completes first.
 *
 * Version notes: v1 is the KIP-896 floor; v1-5 name topics in TopicNames; v3+ may answer
 * TOPIC_DELETION_DISABLED; v4+ flexible; v5+ ErrorMessage; v6 names topics in Topics by
 * name or by TopicId (exactly one of the two, else INVALID_REQUEST) and answers with both.
 */
import { ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import type {
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DeleteTopicsResponseDeletableTopicResult,
} from '../../../protocol/kafka/generated/messages/delete-topics.js';
import type { KafkaServices } from '../services.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import type { Handler } from './handler.js';

type TopicResult = DeleteTopicsResponseDeletableTopicResult;

function result(
  name: string | null,
  topicId: string,
  errorCode: number,
  errorMessage: string | null = null,
): TopicResult {
  return { name, topicId, errorCode, errorMessage };
}

export function deleteTopicsHandler(
  services: KafkaServices,
): Handler<DeleteTopicsRequest, DeleteTopicsResponse> {
  const { cluster } = services;

  async function deleteByName(name: string, topicId: string): Promise<TopicResult> {
    try {
      const deleted = await cluster.deleteTopic(name);
      return result(name, deleted.topicId, ErrorCode.NONE);
    } catch (error) {
      return result(name, topicId, errorCodeOf(error), errorMessageOf(error) ?? String(error));
    }
  }

  return async (context, request) => {
    const requested =
      context.apiVersion >= 6
        ? request.topics
        : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const names = new Map<string, number>();
    const ids = new Map<string, number>();
    for (const { name, topicId } of requested) {
      if (name !== null) names.set(name, (names.get(name) ?? 0) + 1);
      if (topicId !== ZERO_UUID) ids.set(topicId, (ids.get(topicId) ?? 0) + 1);
    }
    const responses: TopicResult[] = [];
    for (const { name, topicId } of requested) {
      const byId = topicId !== ZERO_UUID;
      if (name === null && !byId) {
        responses.push(
          result(null, topicId, ErrorCode.INVALID_REQUEST, 'neither topic name nor id was given'),
        );
      } else if (name !== null && byId) {
        responses.push(
          result(
            name,
            topicId,
            ErrorCode.INVALID_REQUEST,
            'give a topic name or a topic id, not both',
          ),
        );
      } else if (name !== null && names.get(name)! > 1) {
        responses.push(result(name, topicId, ErrorCode.INVALID_REQUEST, 'duplicate topic name'));
      } else if (byId && ids.get(topicId)! > 1) {
        responses.push(result(name, topicId, ErrorCode.INVALID_REQUEST, 'duplicate topic id'));
      } else if (name !== null) {
        responses.push(await deleteByName(name, topicId));
      } else {
        const topic = cluster.topicById(topicId);
        if (!topic) {
          responses.push(
            result(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID, `unknown topic id ${topicId}`),
          );
        } else {
          responses.push(await deleteByName(topic.name, topicId));
        }
      }
      const last = responses[responses.length - 1]!;
      if (last.errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) {
        context.logger.error('DeleteTopics failed', { topic: last.name, error: last.errorMessage });
      }
    }
    return { throttleTimeMs: 0, responses };
  };
}
