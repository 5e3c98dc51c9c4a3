import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/common/logger.js';
import { GroupCoordinator } from '../../src/coordinator/runtime/group-coordinator.js';
import { ErrorCode } from '../../src/protocol/kafka/index.js';
import type { JoinGroupRequest } from '../../src/protocol/kafka/generated/messages/join-group.js';
import type { OffsetCommitRequest } from '../../src/protocol/kafka/generated/messages/offset-commit.js';
import { MemoryPartition } from './memory-partition.js';
import { TEST_CONFIG, assignment, subscription } from './shard-harness.js';

const META = { clientId: 'app', clientHost: '/127.0.0.1', apiVersion: 3 };

function joinRequest(groupId: string, memberId = '', session = 6000): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: session,
    rebalanceTimeoutMs: session,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    reason: null,
  };
}

function commitRequest(
  groupId: string,
  memberId: string,
  generation: number,
  offsets: Record<number, number>,
): OffsetCommitRequest {
  return {
    groupId,
    generationIdOrMemberEpoch: generation,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        name: 't',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: Object.entries(offsets).map(([p, o]) => ({
          partitionIndex: Number(p),
          committedOffset: BigInt(o),
          committedLeaderEpoch: -1,
          committedMetadata: null,
        })),
      },
    ],
  };
}

function coordinator(
  partitions: MemoryPartition[],
  config = { ...TEST_CONFIG, initialRebalanceDelayMs: 0 },
) {
  let uuid = 0;
  return new GroupCoordinator({
    config,
    partitions,
    logger: silentLogger,
    newUuid: () => `u${++uuid}`,
  });
}

/** Forms a one-member group; returns its member id and generation. */
async function formGroup(c: GroupCoordinator, groupId: string, session = 6000) {
  const joined = await c.joinGroup(joinRequest(groupId, '', session), META);
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const synced = await c.syncGroup({
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: [{ memberId: joined.memberId, assignment: assignment({ t: [0, 1] }) }],
  });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  return { memberId: joined.memberId, generation: joined.generationId };
}

describe('GroupCoordinator runtime', () => {
  it('answers COORDINATOR_LOAD_IN_PROGRESS until loaded, NOT_COORDINATOR after close', async () => {
    const c = coordinator([new MemoryPartition()]);
    assert.equal(
      await c.heartbeat({ groupId: 'g', memberId: 'm', generationId: 1, groupInstanceId: null }),
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    await c.start();
    assert.equal(
      await c.heartbeat({ groupId: 'g', memberId: 'm', generationId: 1, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    await c.close();
    assert.equal(
      await c.heartbeat({ groupId: 'g', memberId: 'm', generationId: 1, groupInstanceId: null }),
      ErrorCode.NOT_COORDINATOR,
    );
  });

  it('keeps committed offsets and group membership across a restart', async () => {
    const partitions = [new MemoryPartition(), new MemoryPartition(), new MemoryPartition()];
    const first = coordinator(partitions);
    await first.start();
    const groups = ['alpha', 'beta', 'gamma', 'delta'];
    const members = new Map<string, { memberId: string; generation: number }>();
    for (const g of groups) {
      const m = await formGroup(first, g);
      members.set(g, m);
      for (let i = 0; i < 20; i++) {
        const result = await first.commitOffsets(
          commitRequest(g, m.memberId, m.generation, { 0: i, 1: i * 2 }),
        );
        assert.equal(result[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
      }
    }
    await first.commitOffsets(commitRequest('standalone', '', -1, { 5: 55 }));
    assert.ok(
      partitions.filter((p) => p.highWatermark > 0).length >= 2,
      'groups spread over the partitions',
    );
    await first.close();

    const second = coordinator(partitions);
    const stats = await second.start();
    assert.equal(stats.groups, 5);
    for (const g of groups) {
      const fetched = await second.fetchOffsets(g, [{ name: 't', partitionIndexes: [0, 1, 2] }]);
      assert.deepEqual(
        fetched.topics[0]!.partitions.map((p) => p.committedOffset),
        [19n, 38n, -1n],
      );
      const { memberId, generation } = members.get(g)!;
      // The member reconnects to the restarted coordinator and carries on.
      assert.equal(
        await second.heartbeat({
          groupId: g,
          memberId,
          generationId: generation,
          groupInstanceId: null,
        }),
        ErrorCode.NONE,
      );
      const described = await second.describeGroup(g);
      assert.equal(described.group.state, 'Stable');
      assert.deepEqual(described.group.members[0]!.assignedPartitions, [
        { topic: 't', partitions: [0, 1] },
      ]);
    }
    const solo = await second.fetchOffsets('standalone', null);
    assert.deepEqual(
      solo.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset]),
      [[5, 55n]],
    );
    const listed = await second.listGroups();
    assert.deepEqual(listed.groups.map((g) => g.groupId).sort(), [...groups, 'standalone'].sort());
    await second.close();
  });

  it('answers only after the records are appended, in operation order', async () => {
    const partition = new MemoryPartition();
    const c = coordinator([partition]);
    await c.start();
    const { memberId, generation } = await formGroup(c, 'g');
    let release!: () => void;
    partition.gate = new Promise((resolve) => (release = resolve));
    const order: string[] = [];
    const commit = c
      .commitOffsets(commitRequest('g', memberId, generation, { 0: 7 }))
      .then(() => order.push('commit'));
    const fetch = c.fetchOffsets('g', null).then((r) => {
      order.push('fetch');
      return r;
    });
    const heartbeat = c
      .heartbeat({ groupId: 'g', memberId, generationId: generation, groupInstanceId: null })
      .then(() => order.push('heartbeat'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(order, [], 'nothing answered while the append is pending');
    partition.gate = undefined;
    release();
    await Promise.all([commit, fetch, heartbeat]);
    assert.deepEqual(order, ['commit', 'fetch', 'heartbeat']);
    assert.equal((await fetch).topics[0]!.partitions[0]!.committedOffset, 7n);
    await c.close();
  });

  it('a failed append answers NOT_COORDINATOR and reloads the shard from its log', async () => {
    const partition = new MemoryPartition();
    const c = coordinator([partition]);
    await c.start();
    const { memberId, generation } = await formGroup(c, 'g');
    await c.commitOffsets(commitRequest('g', memberId, generation, { 0: 1 }));
    partition.failing = true;
    const failed = await c.commitOffsets(commitRequest('g', memberId, generation, { 0: 2 }));
    assert.equal(failed[0]!.partitions[0]!.errorCode, ErrorCode.NOT_COORDINATOR);
    partition.failing = false;
    await c.settled();
    for (let i = 0; i < 50; i++) {
      const fetched = await c.fetchOffsets('g', [{ name: 't', partitionIndexes: [0] }]);
      if (fetched.errorCode === ErrorCode.NONE) {
        assert.equal(
          fetched.topics[0]!.partitions[0]!.committedOffset,
          1n,
          'the unwritten commit is gone',
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(
      await c.heartbeat({
        groupId: 'g',
        memberId,
        generationId: generation,
        groupInstanceId: null,
      }),
      ErrorCode.NONE,
    );
    await c.close();
  });

  it('expires silent members with its own timers', async () => {
    const c = coordinator([new MemoryPartition()], {
      ...TEST_CONFIG,
      minSessionTimeoutMs: 50,
      initialRebalanceDelayMs: 0,
    });
    await c.start();
    const { memberId } = await formGroup(c, 'g', 150);
    assert.equal((await c.describeGroup('g')).group.state, 'Stable');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const described = await c.describeGroup('g');
    assert.equal(described.group.state, 'Empty');
    assert.equal(described.group.members.length, 0);
    assert.equal(
      await c.heartbeat({ groupId: 'g', memberId, generationId: 1, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    await c.close();
  });

  it('answers parked JoinGroups with NOT_COORDINATOR on close', async () => {
    const c = coordinator([new MemoryPartition()], {
      ...TEST_CONFIG,
      initialRebalanceDelayMs: 60_000,
    });
    await c.start();
    const parked = c.joinGroup(joinRequest('g'), META);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await c.close();
    assert.equal((await parked).errorCode, ErrorCode.NOT_COORDINATOR);
  });
});
