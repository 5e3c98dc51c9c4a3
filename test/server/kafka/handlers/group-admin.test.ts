/**
 * FindCoordinator, DescribeGroups and ListGroups handlers at every served version.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { DescribeGroupsResponse } from '../../../../src/protocol/kafka/generated/messages/describe-groups.js';
import type { FindCoordinatorResponse } from '../../../../src/protocol/kafka/generated/messages/find-coordinator.js';
import type { ListGroupsResponse } from '../../../../src/protocol/kafka/generated/messages/list-groups.js';
import { decodeAssignment } from '../../../../src/coordinator/index.js';
import {
  formGroup,
  openGroupFixture,
  type GroupFixture,
} from '../../../coordinator/handler-fixture.js';
import { servedVersions } from './admin-fixture.js';

describe('group admin handlers', () => {
  let f: GroupFixture;
  before(async () => {
    f = await openGroupFixture();
    await formGroup(f, 'stable-group');
    await f.groups.commitOffsets({
      groupId: 'offsets-only',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [],
    });
    await f.groups.commitOffsets({
      groupId: 'offsets-only',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 't',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1n,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
  });
  after(() => f.close());

  for (const version of servedVersions(0, 6)) {
    it(`FindCoordinator v${version}: this broker for groups and transactions`, async () => {
      const response = await f.send<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, {
        key: 'g',
        keyType: 0,
        coordinatorKeys: ['g', 'h'],
      });
      if (version >= 4) {
        assert.deepEqual(
          response.coordinators.map((c) => [c.key, c.nodeId, c.host, c.port, c.errorCode]),
          [
            ['g', 0, '127.0.0.1', 9092, ErrorCode.NONE],
            ['h', 0, '127.0.0.1', 9092, ErrorCode.NONE],
          ],
        );
      } else {
        assert.deepEqual(
          [response.errorCode, response.nodeId, response.host, response.port],
          [ErrorCode.NONE, 0, '127.0.0.1', 9092],
        );
      }
      if (version >= 1) {
        const txn = await f.send<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, {
          key: 'tx',
          keyType: 1,
          coordinatorKeys: ['tx'],
        });
        assert.equal(version >= 4 ? txn.coordinators[0]!.errorCode : txn.errorCode, ErrorCode.NONE);
        const other = await f.send<FindCoordinatorResponse>(ApiKey.FindCoordinator, version, {
          key: 'x',
          keyType: 2,
          coordinatorKeys: ['x'],
        });
        assert.equal(
          version >= 4 ? other.coordinators[0]!.errorCode : other.errorCode,
          ErrorCode.INVALID_REQUEST,
        );
      }
    });
  }

  for (const version of servedVersions(0, 5)) {
    it(`DescribeGroups v${version}`, async () => {
      const response = await f.send<DescribeGroupsResponse>(ApiKey.DescribeGroups, version, {
        groups: ['stable-group', 'offsets-only', 'no-such-group'],
        includeAuthorizedOperations: version >= 3,
      });
      assert.deepEqual(
        response.groups.map((g) => [
          g.groupId,
          g.errorCode,
          g.groupState,
          g.protocolType,
          g.protocolData,
          g.members.length,
        ]),
        [
          ['stable-group', ErrorCode.NONE, 'Stable', 'consumer', 'range', 1],
          ['offsets-only', ErrorCode.NONE, 'Empty', '', '', 0],
          ['no-such-group', ErrorCode.NONE, 'Dead', '', '', 0],
        ],
      );
      const member = response.groups[0]!.members[0]!;
      assert.equal(member.clientId, 'test');
      assert.equal(member.clientHost, '/127.0.0.1');
      assert.deepEqual(decodeAssignment(member.memberAssignment), [
        { topic: 't', partitions: [0, 1, 2, 3] },
      ]);
      assert.ok(member.memberMetadata.length > 0);
      if (version >= 3)
        assert.equal(response.groups[0]!.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8));
    });
  }

  for (const version of servedVersions(0, 5)) {
    it(`ListGroups v${version}`, async () => {
      const list = (statesFilter: string[], typesFilter: string[] = []) =>
        f.send<ListGroupsResponse>(ApiKey.ListGroups, version, { statesFilter, typesFilter });
      const all = await list([]);
      assert.equal(all.errorCode, ErrorCode.NONE);
      assert.deepEqual(all.groups.map((g) => [g.groupId, g.protocolType]).sort(), [
        ['offsets-only', ''],
        ['stable-group', 'consumer'],
      ]);
      if (version >= 4) {
        const stable = await list(['stable']);
        assert.deepEqual(
          stable.groups.map((g) => [g.groupId, g.groupState]),
          [['stable-group', 'Stable']],
        );
      }
      if (version >= 5) {
        assert.equal((await list([], ['Classic'])).groups.length, 2);
        assert.equal((await list([], ['consumer'])).groups.length, 0);
        assert.equal((await list([]))!.groups[0]!.groupType, 'classic');
      }
    });
  }
});
