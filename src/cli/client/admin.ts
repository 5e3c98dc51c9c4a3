/**
 * Admin operations over the Kafka protocol: topics, configs, offsets and consumer groups.
 * Each function sends to the broker that owns the answer (controller for topic changes,
 * partition leaders for offsets, the coordinator for a group) and turns error codes into
 * BrokerErrors whose message names the topic or group.
 */
import { ApiKey, ErrorCode, ZERO_UUID } from '../../protocol/kafka/index.js';
import type { CreatePartitionsResponse } from '../../protocol/kafka/generated/messages/create-partitions.js';
import type { CreateTopicsResponse } from '../../protocol/kafka/generated/messages/create-topics.js';
import type { DeleteGroupsResponse } from '../../protocol/kafka/generated/messages/delete-groups.js';
import type { DeleteTopicsResponse } from '../../protocol/kafka/generated/messages/delete-topics.js';
import type { DescribeConfigsResponse } from '../../protocol/kafka/generated/messages/describe-configs.js';
import type { DescribeGroupsResponse } from '../../protocol/kafka/generated/messages/describe-groups.js';
import type { DescribeLogDirsResponse } from '../../protocol/kafka/generated/messages/describe-log-dirs.js';
import type { IncrementalAlterConfigsResponse } from '../../protocol/kafka/generated/messages/incremental-alter-configs.js';
import type { ListGroupsResponse } from '../../protocol/kafka/generated/messages/list-groups.js';
import type { ListOffsetsResponse } from '../../protocol/kafka/generated/messages/list-offsets.js';
import type { OffsetCommitResponse } from '../../protocol/kafka/generated/messages/offset-commit.js';
import type { OffsetFetchResponse } from '../../protocol/kafka/generated/messages/offset-fetch.js';
import {
  decodeAssignment,
  decodeSubscriptionTopics,
  type Assignment,
} from './consumer-protocol.js';
import { BrokerError, check } from './errors.js';
import type { KafkaClient } from './kafka-client.js';

const TOPIC_RESOURCE = 2;
const ADMIN_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------
// Topics

export interface NewTopic {
  name: string;
  /** -1: the broker's num.partitions. */
  partitions: number;
  /** -1: the broker's default.replication.factor. */
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface TopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export async function createTopics(
  client: KafkaClient,
  topics: readonly NewTopic[],
): Promise<TopicResult[]> {
  const connection = await client.controller();
  const { body } = await connection.send<CreateTopicsResponse>(ApiKey.CreateTopics, () => ({
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.partitions,
      replicationFactor: t.replicationFactor,
      assignments: [],
      configs: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: ADMIN_TIMEOUT_MS,
    validateOnly: false,
  }));
  return body.topics.map((t) => ({
    name: t.name,
    errorCode: t.errorCode,
    errorMessage: t.errorMessage,
  }));
}

export async function deleteTopics(
  client: KafkaClient,
  names: readonly string[],
): Promise<TopicResult[]> {
  const connection = await client.controller();
  const { body } = await connection.send<DeleteTopicsResponse>(ApiKey.DeleteTopics, () => ({
    topics: names.map((name) => ({ name, topicId: ZERO_UUID })),
    topicNames: [...names],
    timeoutMs: ADMIN_TIMEOUT_MS,
  }));
  return body.responses.map((r) => ({
    name: r.name ?? '',
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
  }));
}

/** Raises a topic's partition count to `count`. */
export async function createPartitions(
  client: KafkaClient,
  topic: string,
  count: number,
): Promise<void> {
  const connection = await client.controller();
  const { body } = await connection.send<CreatePartitionsResponse>(ApiKey.CreatePartitions, () => ({
    topics: [{ name: topic, count, assignments: null }],
    timeoutMs: ADMIN_TIMEOUT_MS,
    validateOnly: false,
  }));
  for (const r of body.results) check(r.errorCode, `add partitions to '${topic}'`, r.errorMessage);
}

// ---------------------------------------------------------------------------------------
// Configs

export interface ConfigEntry {
  name: string;
  value: string | null;
  /** Kafka's ConfigSource: 1 topic, 4 static broker, 5 default, ... */
  source: number;
  readOnly: boolean;
  isSensitive: boolean;
}

export const CONFIG_SOURCE_NAMES: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'topic',
  2: 'dynamic broker',
  3: 'dynamic default broker',
  4: 'static broker',
  5: 'default',
  6: 'broker logger',
};

export async function describeTopicConfigs(
  client: KafkaClient,
  topic: string,
): Promise<ConfigEntry[]> {
  const { body } = await client.any.send<DescribeConfigsResponse>(ApiKey.DescribeConfigs, () => ({
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  }));
  const result = body.results[0];
  if (!result) return [];
  check(result.errorCode, `describe the configs of '${topic}'`, result.errorMessage);
  return result.configs
    .map((c) => ({
      name: c.name,
      value: c.value,
      source: c.configSource,
      readOnly: c.readOnly,
      isSensitive: c.isSensitive,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Sets and deletes topic configs (IncrementalAlterConfigs: SET = 0, DELETE = 1). */
export async function alterTopicConfigs(
  client: KafkaClient,
  topic: string,
  set: Record<string, string>,
  remove: readonly string[],
): Promise<void> {
  const connection = await client.controller();
  const { body } = await connection.send<IncrementalAlterConfigsResponse>(
    ApiKey.IncrementalAlterConfigs,
    () => ({
      resources: [
        {
          resourceType: TOPIC_RESOURCE,
          resourceName: topic,
          configs: [
            ...Object.entries(set).map(([name, value]) => ({ name, configOperation: 0, value })),
            ...remove.map((name) => ({ name, configOperation: 1, value: null })),
          ],
        },
      ],
      validateOnly: false,
    }),
  );
  for (const r of body.responses)
    check(r.errorCode, `alter the configs of '${topic}'`, r.errorMessage);
}

// ---------------------------------------------------------------------------------------
// Offsets

/** Kafka's ListOffsets sentinels. */
export const EARLIEST_TIMESTAMP = -2n;
export const LATEST_TIMESTAMP = -1n;

/**
 * Per partition, the offset for `timestamp`: EARLIEST_TIMESTAMP (log start),
 * LATEST_TIMESTAMP (log end = high watermark) or the first offset with a timestamp at or
 * after the given epoch ms (-1 when there is none).
 */
export async function listOffsets(
  client: KafkaClient,
  topic: string,
  partitions: readonly number[],
  timestamp: bigint,
): Promise<Map<number, bigint>> {
  const byLeader = new Map<number, number[]>();
  for (const partition of partitions) {
    const leader = await client.leaderOf(topic, partition);
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
  }
  const result = new Map<number, bigint>();
  await Promise.all(
    [...byLeader].map(async ([leader, led]) => {
      const connection = await client.connection(leader);
      const { body } = await connection.send<ListOffsetsResponse>(ApiKey.ListOffsets, () => ({
        replicaId: -1,
        isolationLevel: 0,
        timeoutMs: ADMIN_TIMEOUT_MS,
        topics: [
          {
            name: topic,
            partitions: led.map((partitionIndex) => ({
              partitionIndex,
              currentLeaderEpoch: -1,
              timestamp,
            })),
          },
        ],
      }));
      for (const t of body.topics) {
        for (const p of t.partitions) {
          check(p.errorCode, `list offsets of ${topic}-${p.partitionIndex}`);
          result.set(p.partitionIndex, p.offset);
        }
      }
    }),
  );
  return result;
}

/** Bytes on disk per partition (DescribeLogDirs), or null when the brokers do not serve it. */
export async function partitionSizes(
  client: KafkaClient,
  topic: string,
): Promise<Map<number, bigint> | null> {
  const info = await client.topic(topic);
  const leaders = new Set(info.partitions.map((p) => p.leader).filter((l) => l >= 0));
  const sizes = new Map<number, bigint>();
  for (const leader of leaders) {
    const connection = await client.connection(leader);
    if (connection.version(ApiKey.DescribeLogDirs) === undefined) return null;
    const { body } = await connection.send<DescribeLogDirsResponse>(ApiKey.DescribeLogDirs, () => ({
      topics: [
        {
          topic,
          partitions: info.partitions.filter((p) => p.leader === leader).map((p) => p.partition),
        },
      ],
    }));
    for (const dir of body.results) {
      for (const t of dir.topics) {
        if (t.name !== topic) continue;
        for (const p of t.partitions)
          if (!p.isFutureKey) sizes.set(p.partitionIndex, p.partitionSize);
      }
    }
  }
  return sizes;
}

// ---------------------------------------------------------------------------------------
// Groups

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  state: string;
}

/** Groups of every broker (each lists those it coordinates). */
export async function listGroups(client: KafkaClient): Promise<ListedGroup[]> {
  const groups = new Map<string, ListedGroup>();
  const brokers = client.brokers.length > 0 ? client.brokers.map((b) => b.nodeId) : [null];
  for (const nodeId of brokers) {
    const connection = nodeId === null ? client.any : await client.connection(nodeId);
    const { body } = await connection.send<ListGroupsResponse>(ApiKey.ListGroups, () => ({
      statesFilter: [],
      typesFilter: [],
    }));
    check(body.errorCode, 'list groups');
    for (const g of body.groups) {
      groups.set(g.groupId, {
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: g.groupState || '',
      });
    }
  }
  return [...groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
}

export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  subscription: string[];
  assignment: Assignment;
}

export interface DescribedGroup {
  groupId: string;
  /** Dead for a group that does not exist. */
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
}

export async function describeGroup(client: KafkaClient, groupId: string): Promise<DescribedGroup> {
  const connection = await client.coordinator(groupId);
  const { body } = await connection.send<DescribeGroupsResponse>(ApiKey.DescribeGroups, () => ({
    groups: [groupId],
    includeAuthorizedOperations: false,
  }));
  const group = body.groups[0];
  if (!group) throw new BrokerError(ErrorCode.UNKNOWN_SERVER_ERROR, `describe group '${groupId}'`);
  check(group.errorCode, `describe group '${groupId}'`, group.errorMessage);
  const consumer = group.protocolType === 'consumer';
  return {
    groupId,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocolData,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscription: consumer ? decodeSubscriptionTopics(m.memberMetadata) : [],
      assignment: consumer ? decodeAssignment(m.memberAssignment) : new Map(),
    })),
  };
}

export async function deleteGroups(
  client: KafkaClient,
  groupIds: readonly string[],
): Promise<Map<string, number>> {
  const results = new Map<string, number>();
  for (const groupId of groupIds) {
    const connection = await client.coordinator(groupId);
    const { body } = await connection.send<DeleteGroupsResponse>(ApiKey.DeleteGroups, () => ({
      groupsNames: [groupId],
    }));
    for (const r of body.results) results.set(r.groupId, r.errorCode);
  }
  return results;
}

/** topic → partition → committed offset. */
export type CommittedOffsets = Map<string, Map<number, bigint>>;

/** A group's committed offsets (all topics when `topics` is null); -1 offsets are left out. */
export async function fetchCommittedOffsets(
  client: KafkaClient,
  groupId: string,
  topics: ReadonlyMap<string, readonly number[]> | null = null,
): Promise<CommittedOffsets> {
  const connection = await client.coordinator(groupId);
  const requested =
    topics === null
      ? null
      : [...topics].map(([name, partitionIndexes]) => ({
          name,
          partitionIndexes: [...partitionIndexes],
        }));
  const { version, body } = await connection.send<OffsetFetchResponse>(ApiKey.OffsetFetch, () => ({
    groupId,
    topics: requested,
    groups: [
      {
        groupId,
        memberId: null,
        memberEpoch: -1,
        topics: requested?.map((t) => ({ ...t, topicId: ZERO_UUID })) ?? null,
      },
    ],
    requireStable: false,
  }));
  const offsets: CommittedOffsets = new Map();
  const context = `fetch the offsets of group '${groupId}'`;
  const perTopic =
    version >= 8
      ? (() => {
          const group = body.groups[0];
          if (group) check(group.errorCode, context);
          return group?.topics ?? [];
        })()
      : (check(body.errorCode, context), body.topics);
  for (const t of perTopic) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
      check(p.errorCode, `${context} (${t.name}-${p.partitionIndex})`);
      if (p.committedOffset < 0n) continue;
      if (!offsets.has(t.name)) offsets.set(t.name, new Map());
      offsets.get(t.name)!.set(p.partitionIndex, p.committedOffset);
    }
  }
  return offsets;
}

export interface CommitMember {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** An admin commit (generation -1), allowed only while the group has no members. */
export const ADMIN_MEMBER: CommitMember = { generationId: -1, memberId: '', groupInstanceId: null };

export async function commitOffsets(
  client: KafkaClient,
  groupId: string,
  offsets: CommittedOffsets,
  member: CommitMember = ADMIN_MEMBER,
): Promise<void> {
  if (offsets.size === 0) return;
  const connection = await client.coordinator(groupId);
  const { body } = await connection.send<OffsetCommitResponse>(ApiKey.OffsetCommit, () => ({
    groupId,
    generationIdOrMemberEpoch: member.generationId,
    memberId: member.memberId,
    groupInstanceId: member.groupInstanceId,
    retentionTimeMs: -1n,
    topics: [...offsets].map(([name, partitions]) => ({
      name,
      topicId: ZERO_UUID,
      partitions: [...partitions].map(([partitionIndex, committedOffset]) => ({
        partitionIndex,
        committedOffset,
        committedLeaderEpoch: -1,
        committedMetadata: null,
      })),
    })),
  }));
  for (const t of body.topics) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.NOT_COORDINATOR) client.forgetCoordinator(groupId);
      check(p.errorCode, `commit offsets of group '${groupId}' (${t.name}-${p.partitionIndex})`);
    }
  }
}
