/**
 * OffsetCommit, OffsetFetch, OffsetDelete and DeleteGroups handlers at every served version,
 * and bad input that must not disturb the group's other members.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { DeleteGroupsResponse } from '../../../../src/protocol/kafka/generated/messages/delete-groups.js';
import type { HeartbeatResponse } from '../../../../src/protocol/kafka/generated/messages/heartbeat.js';
import type { JoinGroupResponse } from '../../../../src/protocol/kafka/generated/messages/join-group.js';
import type { OffsetCommitResponse } from '../../../../src/protocol/kafka/generated/messages/offset-commit.js';
import type { OffsetDeleteResponse } from '../../../../src/protocol/kafka/generated/messages/offset-delete.js';
import type { OffsetFetchResponse } from '../../../../src/protocol/kafka/generated/messages/offset-fetch.js';
import type { SyncGroupResponse } from '../../../../src/protocol/kafka/generated/messages/sync-group.js';
import {
  formGroup,
  joinRequest,
  openGroupFixture,
  type GroupFixture,
} from '../../../coordinator/handler-fixture.js';
import { assignment } from '../../../coordinator/shard-harness.js';
import { servedVersions } from './admin-fixture.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

function commit(
  groupId: string,
  memberId: string,
  generation: number,
  partitions: Record<string, Record<number, number>>,
) {
  return {
    groupId,
    generationIdOrMemberEpoch: generation,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: Object.entries(partitions).map(([name, offsets]) => ({
      name,
      topicId: TOPIC_ID,
      partitions: Object.entries(offsets).map(([index, offset]) => ({
        partitionIndex: Number(index),
        committedOffset: BigInt(offset),
        committedLeaderEpoch: 4,
        committedMetadata: `m${offset}`,
      })),
    })),
  };
}

function codes(response: OffsetCommitResponse): Array<[string, number, number]> {
  return response.topics.flatMap((t) =>
    t.partitions.map((p): [string, number, number] => [t.name, p.partitionIndex, p.errorCode]),
  );
}

describe('group offset handlers', () => {
  let f: GroupFixture;
  before(async () => {
    f = await openGroupFixture();
  });
  after(() => f.close());

  for (const version of servedVersions(2, 9)) {
    it(`OffsetCommit v${version} stores offsets; unknown partitions are refused`, async () => {
      const group = `commit-v${version}`;
      const { memberId, generationId } = await formGroup(f, group);
      const response = await f.send<OffsetCommitResponse>(
        ApiKey.OffsetCommit,
        version,
        commit(group, memberId, generationId, { t: { 0: 10, 3: 30, 9: 90 }, missing: { 0: 1 } }),
      );
      assert.deepEqual(codes(response), [
        ['t', 0, ErrorCode.NONE],
        ['t', 3, ErrorCode.NONE],
        ['t', 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['missing', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      const fetched = await f.groups.fetchOffsets(group, [
        { name: 't', partitionIndexes: [0, 1, 3] },
      ]);
      assert.deepEqual(
        fetched.topics[0]!.partitions.map((p) => [
          p.committedOffset,
          p.committedLeaderEpoch,
          p.metadata,
        ]),
        [
          [10n, version >= 6 ? 4 : -1, 'm10'],
          [-1n, -1, ''],
          [30n, version >= 6 ? 4 : -1, 'm30'],
        ],
      );
    });
  }

  it('OffsetCommit: stale generation, unknown member and a standalone commit', async () => {
    const group = 'commit-checks';
    const { memberId, generationId } = await formGroup(f, group);
    const send = (m: string, g: number, name = group) =>
      f.send<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commit(name, m, g, { t: { 1: 5 } }));
    assert.equal(
      codes(await send(memberId, generationId - 1))[0]![2],
      ErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal(codes(await send('stranger', generationId))[0]![2], ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      codes(await send('', -1))[0]![2],
      ErrorCode.UNKNOWN_MEMBER_ID,
      'the group has members',
    );
    assert.equal(codes(await send('', -1, 'offsets-only'))[0]![2], ErrorCode.NONE);
    assert.equal(codes(await send('x', 3, 'no-such-group'))[0]![2], ErrorCode.ILLEGAL_GENERATION);
    // None of it disturbed the member.
    const beat = await f.send<HeartbeatResponse>(ApiKey.Heartbeat, 4, {
      groupId: group,
      generationId,
      memberId,
      groupInstanceId: null,
    });
    assert.equal(beat.errorCode, ErrorCode.NONE);
    assert.equal((await f.groups.describeGroup(group)).group.state, 'Stable');
  });

  it('OffsetCommit v2-4 RetentionTimeMs sets the expiry of the commit', async () => {
    const request = { ...commit('retention', '', -1, { t: { 0: 1 } }), retentionTimeMs: 1n };
    await f.send<OffsetCommitResponse>(ApiKey.OffsetCommit, 2, request);
    await new Promise((resolve) => setTimeout(resolve, 5));
    f.groups.expireOffsets();
    const fetched = await f.groups.fetchOffsets('retention', null);
    assert.deepEqual(fetched.topics, []);
  });

  for (const version of servedVersions(1, 9)) {
    it(`OffsetFetch v${version}`, async () => {
      const group = `fetch-v${version}`;
      await f.groups.commitOffsets(commit(group, '', -1, { t: { 0: 7, 2: 9 } }));
      const topics = [{ name: 't', topicId: TOPIC_ID, partitionIndexes: [0, 1] }];
      const response = await f.send<OffsetFetchResponse>(ApiKey.OffsetFetch, version, {
        groupId: group,
        topics,
        groups: [
          { groupId: group, memberId: null, memberEpoch: -1, topics },
          { groupId: 'fetch-unknown', memberId: null, memberEpoch: -1, topics: null },
        ],
        requireStable: true,
      });
      const partitions =
        version >= 8 ? response.groups[0]!.topics[0]!.partitions : response.topics[0]!.partitions;
      assert.deepEqual(
        partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
        [
          [0, 7n, 'm7', ErrorCode.NONE],
          [1, -1n, '', ErrorCode.NONE],
        ],
      );
      if (version >= 8) {
        assert.deepEqual(
          response.groups.map((g) => [g.groupId, g.errorCode, g.topics.length]),
          [
            [group, ErrorCode.NONE, 1],
            ['fetch-unknown', ErrorCode.NONE, 0],
          ],
        );
      }
      if (version >= 2) {
        // Null topics: every committed offset of the group.
        const all = await f.send<OffsetFetchResponse>(ApiKey.OffsetFetch, version, {
          groupId: group,
          topics: null,
          groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }],
          requireStable: false,
        });
        const listed = version >= 8 ? all.groups[0]!.topics : all.topics;
        assert.deepEqual(
          listed[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset]),
          [
            [0, 7n],
            [2, 9n],
          ],
        );
      }
    });
  }

  it('OffsetDelete v0 and DeleteGroups v0-2', async () => {
    const group = 'deletions';
    const { memberId, generationId } = await formGroup(f, group);
    await f.groups.commitOffsets(commit(group, memberId, generationId, { t: { 0: 1, 1: 2 } }));
    const deleteOffsets = (groupId: string) =>
      f.send<OffsetDeleteResponse>(ApiKey.OffsetDelete, 0, {
        groupId,
        topics: [
          { name: 't', partitions: [{ partitionIndex: 0 }] },
          { name: 'missing', partitions: [{ partitionIndex: 0 }] },
        ],
      });
    const subscribed = await deleteOffsets(group);
    assert.equal(subscribed.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      subscribed.topics.map((t) => t.partitions[0]!.errorCode),
      [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    assert.equal((await deleteOffsets('nobody')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal((await deleteOffsets('')).errorCode, ErrorCode.INVALID_GROUP_ID);
    for (const version of servedVersions(0, 2)) {
      const busy = await f.send<DeleteGroupsResponse>(ApiKey.DeleteGroups, version, {
        groupsNames: [group, 'nobody'],
      });
      assert.deepEqual(
        busy.results.map((r) => [r.groupId, r.errorCode]),
        [
          [group, ErrorCode.NON_EMPTY_GROUP],
          ['nobody', ErrorCode.GROUP_ID_NOT_FOUND],
        ],
      );
    }
    await f.groups.leaveGroup(group, [{ memberId, groupInstanceId: null }]);
    const emptied = await deleteOffsets(group);
    assert.deepEqual(
      emptied.topics.map((t) => t.partitions[0]!.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    const fetched = await f.groups.fetchOffsets(group, null);
    assert.deepEqual(
      fetched.topics[0]!.partitions.map((p) => p.partitionIndex),
      [1],
    );
    const deleted = await f.send<DeleteGroupsResponse>(ApiKey.DeleteGroups, 2, {
      groupsNames: [group],
    });
    assert.equal(deleted.results[0]!.errorCode, ErrorCode.NONE);
    assert.deepEqual((await f.groups.fetchOffsets(group, null)).topics, []);
    assert.equal((await f.groups.describeGroup(group)).group.state, 'Dead');
  });

  it('bad requests get their own error and disturb no other member', async () => {
    const group = 'bystanders';
    // Two members in a Stable group.
    const a = await f.send<JoinGroupResponse>(ApiKey.JoinGroup, 3, joinRequest(group));
    const bJoin = f.send<JoinGroupResponse>(ApiKey.JoinGroup, 3, joinRequest(group));
    const aRejoin = f.send<JoinGroupResponse>(ApiKey.JoinGroup, 3, joinRequest(group, a.memberId));
    const [b, a2] = await Promise.all([bJoin, aRejoin]);
    const generationId = a2.generationId;
    const leaderSync = f.send<SyncGroupResponse>(ApiKey.SyncGroup, 3, {
      groupId: group,
      generationId,
      memberId: a2.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [
        { memberId: a2.memberId, assignment: assignment({ t: [0, 1] }) },
        { memberId: b.memberId, assignment: assignment({ t: [2, 3] }) },
      ],
    });
    const followerSync = f.send<SyncGroupResponse>(ApiKey.SyncGroup, 3, {
      groupId: group,
      generationId,
      memberId: b.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    assert.equal((await leaderSync).errorCode, ErrorCode.NONE);
    assert.equal((await followerSync).errorCode, ErrorCode.NONE);

    const bad = [
      await f.send<OffsetCommitResponse>(
        ApiKey.OffsetCommit,
        7,
        commit(group, b.memberId, generationId - 1, { t: { 2: 1 } }),
      ),
      await f.send<OffsetCommitResponse>(
        ApiKey.OffsetCommit,
        7,
        commit(group, 'unknown', generationId, { t: { 2: 1 } }),
      ),
    ].map((r) => r.topics[0]!.partitions[0]!.errorCode);
    assert.deepEqual(bad, [ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID]);
    const invalid = await f.send<JoinGroupResponse>(ApiKey.JoinGroup, 5, joinRequest(''));
    assert.equal(invalid.errorCode, ErrorCode.INVALID_GROUP_ID);
    const wrongSync = await f.send<SyncGroupResponse>(ApiKey.SyncGroup, 5, {
      groupId: group,
      generationId: generationId + 5,
      memberId: b.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    assert.equal(wrongSync.errorCode, ErrorCode.ILLEGAL_GENERATION);

    for (const m of [a2.memberId, b.memberId]) {
      const beat = await f.send<HeartbeatResponse>(ApiKey.Heartbeat, 4, {
        groupId: group,
        generationId,
        memberId: m,
        groupInstanceId: null,
      });
      assert.equal(beat.errorCode, ErrorCode.NONE);
    }
    const described = await f.groups.describeGroup(group);
    assert.equal(described.group.state, 'Stable');
    assert.equal(described.group.generationId, generationId);
    assert.deepEqual(
      described.group.members.map((m) => m.assignedPartitions),
      [[{ topic: 't', partitions: [0, 1] }], [{ topic: 't', partitions: [2, 3] }]],
    );
  });
});
