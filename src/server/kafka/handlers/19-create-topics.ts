/**
 * CreateTopics (key 19), versions 2-7.
 *
 * Behaviour, per topic (one topic's failure never affects the others):
 * - NumPartitions / ReplicationFactor -1 take the broker's num.partitions /
 *   default.replication.factor. The only replication factor a single node can honour is 1.
 * - Assignments (manual replica placement) are accepted when they name partitions 0..n-1,
 *   each placed on exactly this broker; they then decide the partition count. Anything
 *   else → INVALID_REPLICA_ASSIGNMENT; assignments together with NumPartitions or
 *   ReplicationFactor other than -1 → INVALID_REQUEST, as in Kafka.
 * - Configs are topic overrides, validated like AlterConfigs (unknown key, bad value or
 *   null value → INVALID_CONFIG).
 * - ValidateOnly runs every check and creates nothing; the answer then carries what the
 *   topic would look like (with the all-zero topic id: no id is reserved).
 * Errors carry an ErrorMessage: TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION (illegal
 * name), INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG, INVALID_REQUEST
 * (a topic named twice in one request: every occurrence fails).
 *
 * Version notes: v2 is the KIP-896 floor (ErrorMessage, ThrottleTimeMs); v4+ clients may
 * send -1 without assignments (accepted at every version); v5+ flexible, and the result
 * carries NumPartitions, ReplicationFactor and every topic config with its source
 * (KIP-525); v6 may throttle (Weir never does); v7 returns the new TopicId. TimeoutMs is
 * ignored: creation completes before the response.
 */
import { ClusterError } from '../../../cluster/cluster-error.js';
import { TOPIC_CONFIGS } from '../../../cluster/metadata/config-definitions.js';
import { resolveTopicConfig } from '../../../cluster/metadata/configs.js';
import type { TopicMetadata } from '../../../cluster/metadata/topic-registry.js';
import { ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicConfigs,
  CreateTopicsResponseCreatableTopicResult,
} from '../../../protocol/kafka/generated/messages/create-topics.js';
import type { KafkaServices } from '../services.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import type { Handler } from './handler.js';

type TopicResult = CreateTopicsResponseCreatableTopicResult;

function failure(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}

class Rejected extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The partition count a manual assignment asks for; throws Rejected when unusable. */
function assignedPartitions(topic: CreateTopicsRequestCreatableTopic, nodeId: number): number {
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    throw new Rejected(
      ErrorCode.INVALID_REQUEST,
      'both numPartitions or replicationFactor and replica assignments were set; use one or the other',
    );
  }
  const indexes = new Set(topic.assignments.map((a) => a.partitionIndex));
  const count = topic.assignments.length;
  for (let index = 0; index < count; index++) {
    if (!indexes.has(index)) {
      throw new Rejected(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'partitions in a manual assignment must be consecutive and start at 0',
      );
    }
  }
  for (const assignment of topic.assignments) {
    if (assignment.brokerIds.length !== 1 || assignment.brokerIds[0] !== nodeId) {
      throw new Rejected(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `partition ${assignment.partitionIndex} is assigned to brokers [${assignment.brokerIds.join(', ')}]; ` +
          `the only broker is ${nodeId}`,
      );
    }
  }
  return count;
}

function overridesOf(topic: CreateTopicsRequestCreatableTopic): Record<string, string> {
  const configs: Record<string, string> = {};
  for (const { name, value } of topic.configs) {
    if (value === null) {
      throw new Rejected(
        ErrorCode.INVALID_CONFIG,
        `null value not supported for topic config '${name}'`,
      );
    }
    if (Object.hasOwn(configs, name)) {
      throw new Rejected(
        ErrorCode.INVALID_CONFIG,
        `topic config '${name}' is given more than once`,
      );
    }
    configs[name] = value;
  }
  return configs;
}

export function createTopicsHandler(
  services: KafkaServices,
): Handler<CreateTopicsRequest, CreateTopicsResponse> {
  const { cluster } = services;

  function describeConfigs(topic: TopicMetadata): CreateTopicsResponseCreatableTopicConfigs[] {
    return TOPIC_CONFIGS.map((definition) => {
      const resolved = resolveTopicConfig(cluster.config, topic.configs, definition.name)!;
      const sensitive = definition.type === 'password';
      return {
        name: definition.name,
        value: sensitive ? null : resolved.value,
        readOnly: definition.readOnly ?? false,
        configSource: resolved.source,
        isSensitive: sensitive,
      };
    });
  }

  async function create(
    topic: CreateTopicsRequestCreatableTopic,
    validateOnly: boolean,
  ): Promise<TopicResult> {
    let created: TopicMetadata;
    try {
      const manual = topic.assignments.length > 0;
      created = await cluster.createTopic(
        {
          name: topic.name,
          partitions: manual
            ? assignedPartitions(topic, cluster.endpoint.nodeId)
            : topic.numPartitions,
          replicationFactor: manual ? 1 : topic.replicationFactor,
          configs: overridesOf(topic),
        },
        validateOnly,
      );
    } catch (error) {
      if (error instanceof Rejected) return failure(topic.name, error.errorCode, error.message);
      if (!(error instanceof ClusterError)) throw error;
      return failure(topic.name, errorCodeOf(error), errorMessageOf(error));
    }
    return {
      name: topic.name,
      topicId: validateOnly ? ZERO_UUID : created.topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topicConfigErrorCode: ErrorCode.NONE,
      numPartitions: created.partitions,
      replicationFactor: created.replicationFactor,
      configs: describeConfigs(created),
    };
  }

  return async (context, request) => {
    const counts = new Map<string, number>();
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
    const topics: TopicResult[] = [];
    for (const topic of request.topics) {
      if (counts.get(topic.name)! > 1) {
        topics.push(
          failure(topic.name, ErrorCode.INVALID_REQUEST, 'found multiple entries for this topic'),
        );
        continue;
      }
      try {
        topics.push(await create(topic, request.validateOnly));
      } catch (error) {
        context.logger.error('CreateTopics failed', { topic: topic.name, error: String(error) });
        topics.push(failure(topic.name, ErrorCode.UNKNOWN_SERVER_ERROR, String(error)));
      }
    }
    return { throttleTimeMs: 0, topics };
  };
}
