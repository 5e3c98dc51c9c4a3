/**
 * Metadata (key 3), versions 0-12.
 *
 * Behaviour: describes this broker (the only one: every partition's leader, replica and
 * ISR) and the requested topics. A requested topic that does not exist is created when
 * the request allows it (v4+ AllowAutoTopicCreation; always for v0-3) and the broker's
 * auto.create.topics.enable is on — with num.partitions partitions — else it is answered
 * UNKNOWN_TOPIC_OR_PARTITION; an illegal name gets INVALID_TOPIC_EXCEPTION.
 *
 * Version notes:
 * - v0: an empty topic list means all topics; v1+: null means all, empty means none.
 * - v1+ ControllerId and IsInternal; v2+ ClusterId; v5+ OfflineReplicas; v7+ LeaderEpoch.
 * - v8-10 ClusterAuthorizedOperations, v8+ TopicAuthorizedOperations: Weir has no ACLs
 *   yet and answers "not requested" (INT32_MIN).
 * - v10+ TopicId in responses; v12 may name topics by id (unknown id: UNKNOWN_TOPIC_ID).
 */
import { isInternalTopic, topicNameProblem } from '../../../cluster/metadata/topic-name.js';
import type { TopicMetadata } from '../../../cluster/metadata/topic-registry.js';
import { ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import type {
  MetadataRequest,
  MetadataResponse,
  MetadataResponseTopic,
} from '../../../protocol/kafka/generated/messages/metadata.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const NOT_REQUESTED = -2147483648;

export function metadataHandler(
  services: KafkaServices,
): Handler<MetadataRequest, MetadataResponse> {
  const { cluster } = services;

  function describe(topic: TopicMetadata): MetadataResponseTopic {
    const nodeId = cluster.endpoint.nodeId;
    return {
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.topicId,
      isInternal: isInternalTopic(topic.name),
      partitions: Array.from({ length: topic.partitions }, (_, index) => ({
        errorCode: ErrorCode.NONE,
        partitionIndex: index,
        leaderId: nodeId,
        leaderEpoch: 0,
        replicaNodes: [nodeId],
        isrNodes: [nodeId],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: NOT_REQUESTED,
    };
  }

  function failed(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
    return {
      errorCode,
      name,
      topicId,
      isInternal: false,
      partitions: [],
      topicAuthorizedOperations: NOT_REQUESTED,
    };
  }

  async function byName(name: string, autoCreate: boolean): Promise<MetadataResponseTopic> {
    const existing = cluster.topic(name);
    if (existing) return describe(existing);
    if (topicNameProblem(name) !== null)
      return failed(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
    const created =
      autoCreate && !isInternalTopic(name) ? await cluster.autoCreateTopic(name) : null;
    return created
      ? describe(created)
      : failed(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }

  return async (context, request) => {
    const version = context.apiVersion;
    const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
    const autoCreate = version < 4 || request.allowAutoTopicCreation;
    let topics: MetadataResponseTopic[];
    if (allTopics) {
      topics = cluster.topics().map(describe);
    } else {
      topics = [];
      for (const requested of request.topics ?? []) {
        if (requested.name === null) {
          const topic = cluster.topicById(requested.topicId);
          topics.push(
            topic ? describe(topic) : failed(null, requested.topicId, ErrorCode.UNKNOWN_TOPIC_ID),
          );
        } else {
          topics.push(await byName(requested.name, autoCreate));
        }
      }
    }
    const { nodeId, host, port, rack } = cluster.endpoint;
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host, port, rack }],
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      topics,
      clusterAuthorizedOperations: NOT_REQUESTED,
      errorCode: ErrorCode.NONE,
    };
  };
}
