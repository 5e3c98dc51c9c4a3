/**
 * Bad group requests next to a live group of two KafkaJS consumers: a commit with a stale
 * generation gets ILLEGAL_GENERATION, one from an unknown member UNKNOWN_MEMBER_ID, and
 * JoinGroup/SyncGroup/Heartbeat with an empty group id INVALID_GROUP_ID — and none of it
 * disturbs the members: no rebalance, their commits stand, and they keep consuming.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { ApiKey, ErrorCode } from '../../../src/protocol/kafka/index.js';
import type { DescribeGroupsResponse } from '../../../src/protocol/kafka/generated/messages/describe-groups.js';
import type { HeartbeatResponse } from '../../../src/protocol/kafka/generated/messages/heartbeat.js';
import type { JoinGroupResponse } from '../../../src/protocol/kafka/generated/messages/join-group.js';
import type { OffsetCommitResponse } from '../../../src/protocol/kafka/generated/messages/offset-commit.js';
import type { OffsetFetchResponse } from '../../../src/protocol/kafka/generated/messages/offset-fetch.js';
import type { SyncGroupResponse } from '../../../src/protocol/kafka/generated/messages/sync-group.js';
import { RawKafkaClient } from '../../helpers/raw-kafka-client.js';
import { waitFor } from '../kafka/helpers.js';
import { PARTITIONS, startGroupBroker } from './group-scenario.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'bad-input';
const GROUP = 'bad-input-group';

function commit(memberId: string, generation: number, offset: number) {
  return {
    groupId: GROUP,
    generationIdOrMemberEpoch: generation,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        name: TOPIC,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: BigInt(offset),
            committedLeaderEpoch: -1,
            committedMetadata: null,
          },
        ],
      },
    ],
  };
}

describe('bad group requests', () => {
  it('get their own errors and disturb no member', { timeout: 50_000 }, async () => {
    const test = await startGroupBroker('groups-bad-input');
    const kafka = new Kafka({
      brokers: [test.broker.bootstrapServers],
      logLevel: logLevel.NOTHING,
    });
    const consumed = new Set<string>();
    const joins = [0, 0];
    const consumers = [0, 1].map((i) => {
      const consumer = kafka.consumer({
        groupId: GROUP,
        sessionTimeout: 6000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 200,
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joins[i]! += 1;
      });
      return consumer;
    });
    const raw = await RawKafkaClient.connect(test.broker.port);
    const producer = kafka.producer();
    try {
      await test.broker.createTopic(TOPIC, { partitions: PARTITIONS });
      await producer.connect();
      const send = (from: number, count: number) =>
        producer.send({
          topic: TOPIC,
          messages: Array.from({ length: count }, (_, i) => ({
            partition: (from + i) % PARTITIONS,
            value: `v${from + i}`,
          })),
        });
      await send(0, 60);
      for (const consumer of consumers) {
        await consumer.connect();
        await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            consumed.add(message.value!.toString());
          },
        });
      }
      await waitFor(
        () => `both members joined and 60 records consumed (joins ${joins}, ${consumed.size})`,
        () => consumed.size === 60 && joins.every((j) => j > 0),
        20_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const joinsBefore = [...joins];

      const described = await raw.send<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5, {
        groups: [GROUP],
        includeAuthorizedOperations: false,
      });
      const group = described.groups[0]!;
      assert.equal(group.groupState, 'Stable');
      assert.equal(group.members.length, 2);
      const memberId = group.members[0]!.memberId;
      const fetchCommitted = async () => {
        const fetched = await raw.send<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, {
          groupId: '',
          topics: null,
          groups: [
            {
              groupId: GROUP,
              memberId: null,
              memberEpoch: -1,
              topics: [{ name: TOPIC, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionIndexes: [0] }],
            },
          ],
          requireStable: false,
        });
        return fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset;
      };
      const committedBefore = await fetchCommitted();

      // A stale generation (the group is past generation 0) and bogus ones.
      for (const generation of [0, 9999]) {
        const stale = await raw.send<OffsetCommitResponse>(
          ApiKey.OffsetCommit,
          8,
          commit(memberId, generation, 1),
        );
        assert.equal(stale.topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
      }
      const unknown = await raw.send<OffsetCommitResponse>(
        ApiKey.OffsetCommit,
        8,
        commit('intruder', 1, 1),
      );
      assert.equal(unknown.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
      const beat = await raw.send<HeartbeatResponse>(ApiKey.Heartbeat, 4, {
        groupId: GROUP,
        generationId: 1,
        memberId: 'intruder',
        groupInstanceId: null,
      });
      assert.equal(beat.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
      const join = await raw.send<JoinGroupResponse>(ApiKey.JoinGroup, 5, {
        groupId: '',
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: 6000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        reason: null,
      });
      assert.equal(join.errorCode, ErrorCode.INVALID_GROUP_ID);
      const sync = await raw.send<SyncGroupResponse>(ApiKey.SyncGroup, 5, {
        groupId: '',
        generationId: 1,
        memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      });
      assert.equal(sync.errorCode, ErrorCode.INVALID_GROUP_ID);
      const emptyBeat = await raw.send<HeartbeatResponse>(ApiKey.Heartbeat, 4, {
        groupId: '',
        generationId: 1,
        memberId,
        groupInstanceId: null,
      });
      assert.equal(emptyBeat.errorCode, ErrorCode.INVALID_GROUP_ID);

      // The group is undisturbed: no rebalance, the bad commits changed nothing, and the
      // members consume what comes next.
      assert.equal(await fetchCommitted(), committedBefore);
      await send(60, 60);
      await waitFor(
        () => `120 records consumed (${consumed.size})`,
        () => consumed.size === 120,
        15_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(joins, joinsBefore, 'no member rejoined');
      const after = await raw.send<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5, {
        groups: [GROUP],
        includeAuthorizedOperations: false,
      });
      assert.equal(after.groups[0]!.groupState, 'Stable');
      assert.deepEqual(
        after.groups[0]!.members.map((m) => m.memberId).sort(),
        group.members.map((m) => m.memberId).sort(),
      );
    } finally {
      raw.close();
      await producer.disconnect().catch(() => undefined);
      await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
      await test.stop();
    }
  });
});
