/**
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup handlers at every served version.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { HeartbeatResponse } from '../../../../src/protocol/kafka/generated/messages/heartbeat.js';
import type { JoinGroupResponse } from '../../../../src/protocol/kafka/generated/messages/join-group.js';
import type { LeaveGroupResponse } from '../../../../src/protocol/kafka/generated/messages/leave-group.js';
import type { SyncGroupResponse } from '../../../../src/protocol/kafka/generated/messages/sync-group.js';
import { decodeAssignment } from '../../../../src/coordinator/index.js';
import {
  formGroup,
  joinRequest,
  openGroupFixture,
  type GroupFixture,
} from '../../../coordinator/handler-fixture.js';
import { assignment } from '../../../coordinator/shard-harness.js';
import { servedVersions } from './admin-fixture.js';

describe('group membership handlers', () => {
  let f: GroupFixture;
  before(async () => {
    f = await openGroupFixture();
  });
  after(() => f.close());

  for (const version of servedVersions(0, 9)) {
    it(`JoinGroup v${version}: joins, elects the leader, reports the protocol`, async () => {
      const group = `join-v${version}`;
      let reply = await f.send<JoinGroupResponse>(ApiKey.JoinGroup, version, joinRequest(group));
      if (version >= 4) {
        assert.equal(reply.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
        assert.match(reply.memberId, /^test-/, 'client id + uuid');
        reply = await f.send<JoinGroupResponse>(
          ApiKey.JoinGroup,
          version,
          joinRequest(group, reply.memberId),
        );
      }
      assert.equal(reply.errorCode, ErrorCode.NONE);
      assert.equal(reply.generationId, 1);
      assert.equal(reply.leader, reply.memberId);
      assert.equal(reply.protocolName, 'range');
      assert.equal(reply.protocolType, version >= 7 ? 'consumer' : null);
      assert.equal(reply.members.length, 1);
      const described = await f.groups.describeGroup(group);
      assert.equal(described.group.members[0]!.clientHost, '/127.0.0.1');
    });
  }

  it('JoinGroup errors keep ProtocolName non-null before v7', async () => {
    for (const version of [0, 6, 7]) {
      const reply = await f.send<JoinGroupResponse>(ApiKey.JoinGroup, version, joinRequest(''));
      assert.equal(reply.errorCode, ErrorCode.INVALID_GROUP_ID);
      assert.equal(reply.protocolName, version < 7 ? '' : null);
    }
  });

  it('JoinGroup v0 uses the session timeout as the rebalance timeout', async () => {
    await f.send<JoinGroupResponse>(
      ApiKey.JoinGroup,
      0,
      joinRequest('join-v0-timeout', '', { sessionTimeoutMs: 7000 }),
    );
    const { group } = await f.groups.describeGroup('join-v0-timeout');
    assert.equal(group.state, 'CompletingRebalance');
  });

  for (const version of servedVersions(0, 5)) {
    it(`SyncGroup v${version} hands out the leader's assignment`, async () => {
      const group = `sync-v${version}`;
      const joined = await f.send<JoinGroupResponse>(ApiKey.JoinGroup, 3, joinRequest(group));
      const sync = (generationId: number) =>
        f.send<SyncGroupResponse>(ApiKey.SyncGroup, version, {
          groupId: group,
          generationId,
          memberId: joined.memberId,
          groupInstanceId: null,
          protocolType: version >= 5 ? 'consumer' : null,
          protocolName: version >= 5 ? 'range' : null,
          assignments: [
            { memberId: joined.memberId, assignment: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) },
          ],
        });
      assert.equal((await sync(joined.generationId + 1)).errorCode, ErrorCode.ILLEGAL_GENERATION);
      const reply = await sync(joined.generationId);
      assert.equal(reply.errorCode, ErrorCode.NONE);
      assert.equal(reply.assignment.length, 10);
      assert.equal(reply.protocolName, version >= 5 ? 'range' : null);
    });
  }

  for (const version of servedVersions(0, 4)) {
    it(`Heartbeat v${version}`, async () => {
      const group = `hb-v${version}`;
      const { memberId, generationId } = await formGroup(f, group);
      const beat = (g: string, m: string, gen: number) =>
        f.send<HeartbeatResponse>(ApiKey.Heartbeat, version, {
          groupId: g,
          generationId: gen,
          memberId: m,
          groupInstanceId: null,
        });
      assert.equal((await beat(group, memberId, generationId)).errorCode, ErrorCode.NONE);
      assert.equal(
        (await beat(group, memberId, generationId - 1)).errorCode,
        ErrorCode.ILLEGAL_GENERATION,
      );
      assert.equal((await beat(group, 'who', generationId)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
      assert.equal((await beat('', memberId, generationId)).errorCode, ErrorCode.INVALID_GROUP_ID);
    });
  }

  it('Heartbeat reports REBALANCE_IN_PROGRESS while the group prepares a rebalance', async () => {
    const group = 'hb-rebalance';
    const { memberId, generationId } = await formGroup(f, group);
    const newcomer = f.send<JoinGroupResponse>(ApiKey.JoinGroup, 3, joinRequest(group));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const beat = await f.send<HeartbeatResponse>(ApiKey.Heartbeat, 4, {
      groupId: group,
      generationId,
      memberId,
      groupInstanceId: null,
    });
    assert.equal(beat.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await f.send<JoinGroupResponse>(
      ApiKey.JoinGroup,
      5,
      joinRequest(group, memberId),
    );
    assert.equal(rejoined.generationId, generationId + 1);
    assert.equal((await newcomer).generationId, generationId + 1);
  });

  for (const version of servedVersions(0, 5)) {
    it(`LeaveGroup v${version}`, async () => {
      const group = `leave-v${version}`;
      const { memberId } = await formGroup(f, group);
      const leave = (m: string) =>
        f.send<LeaveGroupResponse>(ApiKey.LeaveGroup, version, {
          groupId: group,
          memberId: m,
          members: [{ memberId: m, groupInstanceId: null, reason: 'bye' }],
        });
      const unknown = await leave('ghost');
      if (version < 3) {
        assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
      } else {
        assert.equal(unknown.errorCode, ErrorCode.NONE);
        assert.deepEqual(
          unknown.members.map((m) => m.errorCode),
          [ErrorCode.UNKNOWN_MEMBER_ID],
        );
      }
      const left = await leave(memberId);
      assert.equal(left.errorCode, ErrorCode.NONE);
      if (version >= 3)
        assert.deepEqual(
          left.members.map((m) => [m.memberId, m.errorCode]),
          [[memberId, ErrorCode.NONE]],
        );
      assert.equal((await f.groups.describeGroup(group)).group.state, 'Empty');
    });
  }

  it('a static member (v5+) restarting gets its assignment back without a rebalance', async () => {
    const group = 'static';
    const join = (instance: string) =>
      f.send<JoinGroupResponse>(
        ApiKey.JoinGroup,
        5,
        joinRequest(group, '', { groupInstanceId: instance }),
      );
    const first = await join('instance-1');
    assert.equal(first.errorCode, ErrorCode.NONE);
    await f.send<SyncGroupResponse>(ApiKey.SyncGroup, 5, {
      groupId: group,
      generationId: first.generationId,
      memberId: first.memberId,
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [
        {
          memberId: first.memberId,
          assignment: assignment({ t: [0, 3] }),
        },
      ],
    });
    const again = await join('instance-1');
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.equal(again.generationId, first.generationId);
    const synced = await f.send<SyncGroupResponse>(ApiKey.SyncGroup, 5, {
      groupId: group,
      generationId: again.generationId,
      memberId: again.memberId,
      groupInstanceId: 'instance-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    });
    assert.deepEqual(decodeAssignment(synced.assignment), [{ topic: 't', partitions: [0, 3] }]);
    const fenced = await f.send<HeartbeatResponse>(ApiKey.Heartbeat, 4, {
      groupId: group,
      generationId: first.generationId,
      memberId: first.memberId,
      groupInstanceId: 'instance-1',
    });
    assert.equal(fenced.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });
});
