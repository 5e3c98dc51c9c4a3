import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/kafka/index.js';
import { decodeAssignment } from '../../src/coordinator/group/shard.js';
import { ShardHarness, TEST_CONFIG, assignment, subscription } from './shard-harness.js';

const G = 'group-a';

describe('GroupShard: joining', () => {
  it('hands out a member id first (v4+), then completes the join after the initial delay', () => {
    const h = new ShardHarness();
    const first = h.joinNow(G, { version: 4, clientId: 'app' });
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.match(first.memberId, /^app-u\d+$/);
    const handle = h.join(G, { version: 4, memberId: first.memberId });
    assert.equal(h.joinReply(handle), undefined, 'parked during the initial delay');
    assert.equal(h.state(G), 'PreparingRebalance');
    h.advance(TEST_CONFIG.initialRebalanceDelayMs - 1);
    assert.equal(h.joinReply(handle), undefined);
    h.advance(1);
    const reply = h.joinReply(handle)!;
    assert.equal(reply.errorCode, ErrorCode.NONE);
    assert.equal(reply.generationId, 1);
    assert.equal(reply.leader, first.memberId);
    assert.equal(reply.protocolName, 'range');
    assert.equal(reply.protocolType, 'consumer');
    assert.deepEqual(
      reply.members.map((m) => m.memberId),
      [first.memberId],
    );
    assert.equal(h.state(G), 'CompletingRebalance');
  });

  it('joins directly before v4 and rejects a member id the group does not know', () => {
    const h = new ShardHarness();
    const handle = h.join(G, { version: 3 });
    h.advance(TEST_CONFIG.initialRebalanceDelayMs);
    assert.equal(h.joinReply(handle)!.errorCode, ErrorCode.NONE);
    assert.equal(h.joinNow(G, { memberId: 'nobody' }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(h.joinNow('other', { memberId: 'nobody' }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('validates group id, session timeout and protocols', () => {
    const h = new ShardHarness();
    assert.equal(h.joinNow('').errorCode, ErrorCode.INVALID_GROUP_ID);
    assert.equal(h.joinNow(G, { session: 10 }).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    assert.equal(
      h.joinNow(G, { session: 10_000_000 }).errorCode,
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    assert.equal(h.joinNow(G, { protocols: [] }).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(
      h.joinNow(G, { protocolType: '' }).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
  });

  it('three members each get an assignment from the leader; the group becomes Stable', () => {
    const h = new ShardHarness();
    const { members, generation, leader } = h.formGroup(G, 3);
    assert.equal(generation, 1);
    assert.equal(leader, members[0]);
    assert.equal(h.state(G), 'Stable');
    const described = h.shard.describeGroup(G);
    assert.equal(described.protocolName, 'range');
    assert.deepEqual(
      described.members.map((m) => m.assignedPartitions),
      [
        [{ topic: 't', partitions: [0] }],
        [{ topic: 't', partitions: [1] }],
        [{ topic: 't', partitions: [2] }],
      ],
    );
    // The assignment was stored: one group record with three members.
    const groupRecords = h.records.filter((r) => r.kind === 'group');
    assert.equal(groupRecords.length, 1);
    const value = groupRecords[0]!.kind === 'group' ? groupRecords[0]!.value : null;
    assert.equal(value?.members.length, 3);
    assert.equal(value?.generationId, 1);
  });

  it('members arriving during the initial delay extend it, up to the rebalance timeout', () => {
    const h = new ShardHarness({ ...TEST_CONFIG, initialRebalanceDelayMs: 1000 });
    const a = h.join(G, { version: 3, rebalance: 2500 });
    h.advance(900);
    const b = h.join(G, { version: 3, rebalance: 2500 });
    h.advance(100); // first delay over, b arrived meanwhile: wait another 1000 ms
    assert.equal(h.joinReply(a), undefined);
    h.advance(999);
    assert.equal(h.joinReply(a), undefined);
    h.advance(1);
    assert.equal(h.joinReply(a)!.generationId, 1);
    assert.equal(h.joinReply(b)!.generationId, 1);
  });

  it('picks the protocol every member supports that most members prefer', () => {
    const h = new ShardHarness();
    const meta = subscription(['t']);
    const a = h.join(G, {
      version: 3,
      protocols: [
        { name: 'range', metadata: meta },
        { name: 'roundrobin', metadata: meta },
      ],
    });
    const b = h.join(G, {
      version: 3,
      protocols: [
        { name: 'roundrobin', metadata: meta },
        { name: 'range', metadata: meta },
      ],
    });
    const c = h.join(G, { version: 3, protocols: [{ name: 'roundrobin', metadata: meta }] });
    h.settleJoins([a, b, c]);
    for (const handle of [a, b, c]) assert.equal(h.joinReply(handle)!.protocolName, 'roundrobin');
    // A member with no protocol in common, or another protocol type, is refused.
    assert.equal(
      h.joinNow(G, { version: 3, protocols: [{ name: 'sticky', metadata: meta }] }).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    assert.equal(
      h.joinNow(G, { version: 3, protocolType: 'connect' }).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
  });

  it('enforces group.max.size', () => {
    const h = new ShardHarness({ ...TEST_CONFIG, maxGroupSize: 2 });
    h.joinNow(G, { version: 4 });
    h.joinNow(G, { version: 4 });
    assert.equal(h.joinNow(G, { version: 4 }).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  });
});

describe('GroupShard: rebalancing', () => {
  it('a fourth member triggers a rebalance that completes once everyone rejoined', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 3);
    const first = h.joinNow(G, { version: 5 });
    const d = h.join(G, { version: 5, memberId: first.memberId });
    assert.equal(h.state(G), 'PreparingRebalance');
    for (const m of members)
      assert.equal(h.heartbeat(G, m, generation), ErrorCode.REBALANCE_IN_PROGRESS);
    // Commits are still accepted while preparing (members learn of the rebalance by heartbeat).
    assert.equal(h.commit(G, members[1]!, generation, { t: { 1: 10 } }).get('t-1'), ErrorCode.NONE);
    const rejoins = members.map((m) => h.join(G, { memberId: m }));
    assert.equal(
      h.joinReply(d)!.generationId,
      generation + 1,
      'completes without waiting for the timeout',
    );
    for (const r of rejoins) assert.equal(h.joinReply(r)!.generationId, generation + 1);
    assert.equal(h.joinReply(rejoins[0]!)!.members.length, 4, 'the leader sees all four');
    assert.equal(h.joinReply(d)!.members.length, 0);
    assert.equal(h.state(G), 'CompletingRebalance');
    // A stale generation is now refused everywhere.
    assert.equal(h.heartbeat(G, members[0]!, generation), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(
      h.syncReply(h.sync(G, members[0]!, generation))!.errorCode,
      ErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal(
      h.commit(G, members[0]!, generation, { t: { 0: 1 } }).get('t-0'),
      ErrorCode.ILLEGAL_GENERATION,
    );
    // Committing before the assignment arrived: REBALANCE_IN_PROGRESS.
    assert.equal(
      h.commit(G, members[0]!, generation + 1, { t: { 0: 1 } }).get('t-0'),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
  });

  it('a member that stops heartbeating is removed after its session timeout and the rest rebalance', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 3);
    for (let t = 0; t < 9; t++) {
      h.advance(1000);
      assert.equal(h.heartbeat(G, members[0]!, generation), ErrorCode.NONE);
      assert.equal(h.heartbeat(G, members[1]!, generation), ErrorCode.NONE);
    }
    assert.equal(h.state(G), 'Stable');
    h.advance(1000); // members[2] silent for its 10 s session
    assert.equal(h.state(G), 'PreparingRebalance');
    assert.equal(h.heartbeat(G, members[2]!, generation), ErrorCode.UNKNOWN_MEMBER_ID);
    const a = h.join(G, { memberId: members[0]! });
    const b = h.join(G, { memberId: members[1]! });
    const reply = h.joinReply(a)!;
    assert.equal(reply.generationId, generation + 1);
    assert.deepEqual(reply.members.map((m) => m.memberId).sort(), [members[0], members[1]].sort());
    assert.ok(h.joinReply(b));
  });

  it('members that do not rejoin within the rebalance timeout are dropped', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 3);
    // The leader rejoins; members[1] keeps heartbeating but never rejoins; members[2] is
    // silent (its session ends first). The join phase lasts the longest rebalance timeout.
    const a = h.join(G, { memberId: members[0]! });
    for (let t = 0; t < 19; t++) {
      h.advance(1000);
      assert.equal(h.heartbeat(G, members[1]!, generation), ErrorCode.REBALANCE_IN_PROGRESS);
    }
    assert.equal(h.joinReply(a), undefined);
    h.advance(1000);
    const reply = h.joinReply(a)!;
    assert.equal(reply.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      reply.members.map((m) => m.memberId),
      [members[0]],
    );
    assert.equal(h.heartbeat(G, members[1]!, generation), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('the leader leaving mid-rebalance passes leadership to a member that rejoined', () => {
    const h = new ShardHarness();
    const { members } = h.formGroup(G, 2);
    const b = h.join(G, {
      memberId: members[1]!,
      protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }],
    });
    const left = h.leave(G, [{ memberId: members[0]! }]);
    assert.deepEqual(
      left.members.map((m) => m.errorCode),
      [ErrorCode.NONE],
    );
    const reply = h.joinReply(b)!;
    assert.equal(reply.leader, members[1]);
    assert.equal(reply.members.length, 1);
  });

  it('followers syncing first wait for the leader; a rebalance answers them REBALANCE_IN_PROGRESS', () => {
    const h = new ShardHarness();
    const handles = [h.join(G, { version: 3 }), h.join(G, { version: 3 })];
    h.settleJoins(handles);
    const [leader, follower] = handles.map((x) => h.joinReply(x)!);
    const waiting = h.sync(G, follower!.memberId, 1);
    assert.equal(h.syncReply(waiting), undefined);
    const newcomer = h.join(G, { version: 3 });
    assert.equal(h.syncReply(waiting)!.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(
      h.syncReply(h.sync(G, leader!.memberId, 1))!.errorCode,
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    assert.equal(h.joinReply(newcomer), undefined);
  });

  it('drops members that never send SyncGroup within the rebalance timeout', () => {
    const h = new ShardHarness();
    const handles = [
      h.join(G, { version: 3, rebalance: 3000 }),
      h.join(G, { version: 3, rebalance: 3000 }),
    ];
    h.settleJoins(handles);
    const [leader, follower] = handles.map((x) => h.joinReply(x)!);
    const s = h.sync(G, leader!.memberId, 1, [
      { memberId: leader!.memberId, assignment: assignment({ t: [0] }) },
      { memberId: follower!.memberId, assignment: assignment({ t: [1] }) },
    ]);
    assert.equal(h.syncReply(s)!.errorCode, ErrorCode.NONE);
    h.heartbeat(G, follower!.memberId, 1);
    h.advance(3000);
    assert.equal(h.state(G), 'PreparingRebalance');
    assert.equal(h.heartbeat(G, follower!.memberId, 1), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('checks SyncGroup protocol type and name (v5)', () => {
    const h = new ShardHarness();
    const handle = h.join(G, { version: 5, memberId: h.joinNow(G).memberId });
    h.advance(TEST_CONFIG.initialRebalanceDelayMs);
    const { memberId } = h.joinReply(handle)!;
    const wrongType = h.sync(G, memberId, 1, [], { protocolType: 'connect' });
    assert.equal(h.syncReply(wrongType)!.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const wrongName = h.sync(G, memberId, 1, [], {
      protocolType: 'consumer',
      protocolName: 'roundrobin',
    });
    assert.equal(h.syncReply(wrongName)!.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const ok = h.sync(G, memberId, 1, [{ memberId, assignment: assignment({ t: [0, 1] }) }], {
      protocolType: 'consumer',
      protocolName: 'range',
    });
    const reply = h.syncReply(ok)!;
    assert.equal(reply.errorCode, ErrorCode.NONE);
    assert.equal(reply.protocolName, 'range');
    assert.deepEqual(decodeAssignment(reply.assignment), [{ topic: 't', partitions: [0, 1] }]);
  });

  it('a follower rejoining a Stable group unchanged gets the current generation back', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 2);
    const reply = h.joinNow(G, {
      memberId: members[1]!,
      protocols: [{ name: 'range', metadata: subscription(['t']) }],
    });
    assert.equal(reply.generationId, generation);
    assert.equal(h.state(G), 'Stable');
    // A changed subscription starts a rebalance.
    h.join(G, {
      memberId: members[1]!,
      protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }],
    });
    assert.equal(h.state(G), 'PreparingRebalance');
  });

  it('the last member leaving empties the group and stores the new generation', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 2);
    const result = h.leave(G, [
      { memberId: members[0]! },
      { memberId: members[1]! },
      { memberId: 'ghost' },
    ]);
    assert.deepEqual(
      result.members.map((m) => m.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
    );
    assert.equal(h.state(G), 'Empty');
    const last = h.records.at(-1)!;
    assert.equal(last.kind === 'group' && last.value?.generationId, generation + 1);
    assert.equal(last.kind === 'group' && last.value?.members.length, 0);
    assert.equal(h.leave('', [{ memberId: 'x' }]).errorCode, ErrorCode.INVALID_GROUP_ID);
    assert.deepEqual(
      h.leave('no-such-group', [{ memberId: 'x' }]).members.map((m) => m.errorCode),
      [ErrorCode.UNKNOWN_MEMBER_ID],
    );
  });
});

describe('GroupShard: static membership', () => {
  it('a static member restarting within its session gets its assignment back without a rebalance', () => {
    const h = new ShardHarness();
    const handles = ['i-a', 'i-b'].map((id) => h.join(G, { instanceId: id, version: 5 }));
    h.settleJoins(handles);
    const [a, b] = handles.map((x) => h.joinReply(x)!);
    assert.match(a!.memberId, /^i-a-/);
    h.sync(G, a!.memberId, 1, [
      { memberId: a!.memberId, assignment: assignment({ t: [0, 1, 2] }) },
      { memberId: b!.memberId, assignment: assignment({ t: [3, 4, 5] }) },
    ]);
    h.sync(G, b!.memberId, 1);
    assert.equal(h.state(G), 'Stable');
    const recordsBefore = h.records.length;

    // b restarts: a new JoinGroup with no member id and the same instance id.
    h.advance(3000);
    const again = h.joinNow(G, { instanceId: 'i-b', version: 5 });
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.notEqual(again.memberId, b!.memberId);
    assert.equal(again.generationId, 1, 'same generation: no rebalance');
    assert.equal(again.leader, a!.memberId);
    assert.equal(h.state(G), 'Stable');
    assert.equal(h.records.length, recordsBefore + 1, 'the new member id is stored');
    const synced = h.syncReply(h.sync(G, again.memberId, 1, [], { instanceId: 'i-b' }))!;
    assert.deepEqual(decodeAssignment(synced.assignment), [{ topic: 't', partitions: [3, 4, 5] }]);
    // The old incarnation is fenced; the leader is undisturbed.
    assert.equal(h.heartbeat(G, b!.memberId, 1, 'i-b'), ErrorCode.FENCED_INSTANCE_ID);
    assert.equal(h.heartbeat(G, a!.memberId, 1, 'i-a'), ErrorCode.NONE);
    assert.equal(h.state(G), 'Stable');
  });

  it('a restarted static leader is not told to lead before v9, and told to skip the assignment at v9', () => {
    for (const version of [5, 9]) {
      const h = new ShardHarness();
      const handles = ['i-a', 'i-b'].map((id) => h.join(G, { instanceId: id, version }));
      h.settleJoins(handles);
      const [a, b] = handles.map((x) => h.joinReply(x)!);
      h.sync(G, a!.memberId, 1, [{ memberId: b!.memberId, assignment: assignment({ t: [1] }) }]);
      const again = h.joinNow(G, { instanceId: 'i-a', version });
      if (version < 9) {
        assert.equal(again.leader, a!.memberId, 'the old leader id');
        assert.equal(again.members.length, 0);
      } else {
        assert.equal(again.leader, again.memberId);
        assert.equal(again.skipAssignment, true);
        assert.equal(again.members.length, 2);
      }
      assert.equal(h.state(G), 'Stable');
    }
  });

  it('a static member that does not come back expires after its session timeout', () => {
    const h = new ShardHarness();
    const handles = ['i-a', 'i-b'].map((id) =>
      h.join(G, { instanceId: id, version: 5, session: 6000 }),
    );
    h.settleJoins(handles);
    const [a, b] = handles.map((x) => h.joinReply(x)!);
    h.sync(G, a!.memberId, 1, []);
    h.sync(G, b!.memberId, 1);
    for (let i = 0; i < 6; i++) {
      h.advance(1000);
      h.heartbeat(G, a!.memberId, 1, 'i-a');
    }
    assert.equal(h.state(G), 'PreparingRebalance');
    assert.equal(h.shard.group(G)!.staticMembers.has('i-b'), false);
  });

  it('LeaveGroup removes a static member by instance id (admin) and fences a stale member id', () => {
    const h = new ShardHarness();
    const handles = ['i-a', 'i-b'].map((id) => h.join(G, { instanceId: id, version: 5 }));
    h.settleJoins(handles);
    const [a] = handles.map((x) => h.joinReply(x)!);
    const result = h.leave(G, [
      { memberId: 'stale', groupInstanceId: 'i-a' },
      { memberId: '', groupInstanceId: 'i-b' },
      { memberId: '', groupInstanceId: 'i-zzz' },
    ]);
    assert.deepEqual(
      result.members.map((m) => m.errorCode),
      [ErrorCode.FENCED_INSTANCE_ID, ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
    );
    assert.ok(h.shard.group(G)!.members.has(a!.memberId));
  });
});

describe('GroupShard: offsets', () => {
  it('bad commits get their error and disturb nobody', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 3);
    assert.equal(h.commit(G, members[0]!, generation, { t: { 0: 5 } }).get('t-0'), ErrorCode.NONE);
    assert.equal(
      h.commit(G, members[1]!, generation - 1, { t: { 1: 9 } }).get('t-1'),
      ErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal(
      h.commit(G, 'intruder', generation, { t: { 1: 9 } }).get('t-1'),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(h.commit(G, '', -1, { t: { 1: 9 } }).get('t-1'), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      h.commit('fresh', 'm', 3, { t: { 1: 9 } }).get('t-1'),
      ErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal(h.heartbeat('', members[0]!, generation), ErrorCode.INVALID_GROUP_ID);
    assert.equal(
      h.syncReply(h.sync('', members[0]!, generation))!.errorCode,
      ErrorCode.INVALID_GROUP_ID,
    );
    assert.equal(
      h
        .commit(G, members[0]!, generation, { t: { 2: 1 } }, { metadata: 'x'.repeat(5000) })
        .get('t-2'),
      ErrorCode.OFFSET_METADATA_TOO_LARGE,
    );
    assert.equal(h.state(G), 'Stable');
    for (const m of members) assert.equal(h.heartbeat(G, m, generation), ErrorCode.NONE);
    assert.deepEqual(h.fetch(G, 't', [0, 1, 2]), [5n, -1n, -1n]);
  });

  it('standalone commits (generation -1) create an offsets-only group; OffsetFetch lists them', () => {
    const h = new ShardHarness();
    assert.equal(
      h.commit('solo', '', -1, { a: { 0: 3, 1: 4 }, b: { 0: 7 } }).get('a-1'),
      ErrorCode.NONE,
    );
    assert.equal(h.state('solo'), 'Empty');
    const all = h.shard.fetchOffsets('solo', null);
    assert.deepEqual(
      all.map((t) => [
        t.name,
        t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata]),
      ]),
      [
        [
          'a',
          [
            [0, 3n, 'meta'],
            [1, 4n, 'meta'],
          ],
        ],
        ['b', [[0, 7n, 'meta']]],
      ],
    );
    assert.deepEqual(h.fetch('unknown-group', 'a', [0]), [-1n]);
    assert.deepEqual(h.shard.fetchOffsets('unknown-group', null), []);
    // A null metadata string is stored as "".
    h.commit('solo', '', -1, { a: { 0: 8 } }, { metadata: null });
    assert.equal(
      h.shard.fetchOffsets('solo', [{ name: 'a', partitionIndexes: [0] }])[0]!.partitions[0]!
        .metadata,
      '',
    );
  });

  it('DeleteGroups deletes only empty groups, with their offsets', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 1);
    h.commit(G, members[0]!, generation, { t: { 0: 1 } });
    assert.equal(h.deleteGroup(G), ErrorCode.NON_EMPTY_GROUP);
    assert.equal(h.deleteGroup('nope'), ErrorCode.GROUP_ID_NOT_FOUND);
    h.leave(G, [{ memberId: members[0]! }]);
    const before = h.records.length;
    assert.equal(h.deleteGroup(G), ErrorCode.NONE);
    assert.deepEqual(
      h.records.slice(before).map((r) => [r.kind, r.value]),
      [
        ['offset', null],
        ['group', null],
      ],
    );
    assert.equal(h.state(G), undefined);
    assert.deepEqual(h.fetch(G, 't', [0]), [-1n]);
  });

  it('OffsetDelete refuses topics an active consumer group subscribes to', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 1, ['t']);
    h.commit(G, members[0]!, generation, { t: { 0: 1 }, old: { 0: 2 } });
    const outcome = h.deleteOffsets(G, [
      { name: 't', partitions: [0] },
      { name: 'old', partitions: [0] },
    ]);
    assert.equal(outcome.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      outcome.topics.map((t) => t.partitions[0]!.errorCode),
      [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE],
    );
    assert.deepEqual(h.fetch(G, 'old', [0]), [-1n]);
    assert.equal(h.deleteOffsets('none', []).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(h.deleteOffsets('', []).errorCode, ErrorCode.INVALID_GROUP_ID);
  });

  it('expires offsets of an empty group a retention period after it became empty', () => {
    const h = new ShardHarness();
    const { members, generation } = h.formGroup(G, 1);
    h.commit(G, members[0]!, generation, { t: { 0: 1 } });
    h.advance(30_000);
    h.heartbeat(G, members[0]!, generation);
    h.expire();
    assert.deepEqual(h.fetch(G, 't', [0]), [1n], 'active group: kept');
    h.leave(G, [{ memberId: members[0]! }]);
    h.advance(TEST_CONFIG.offsetsRetentionMs - 1);
    h.expire();
    assert.deepEqual(h.fetch(G, 't', [0]), [1n]);
    h.advance(1);
    h.expire();
    assert.deepEqual(h.fetch(G, 't', [0]), [-1n]);
    assert.equal(h.state(G), undefined, 'an empty group without offsets is removed');
  });

  it('expires standalone commits by commit time, and explicit retention (v2-v4) at its expiry', () => {
    const h = new ShardHarness();
    h.commit('solo', '', -1, { a: { 0: 1 } });
    h.advance(10_000);
    h.commit('solo', '', -1, { a: { 1: 1 } });
    h.commit('solo', '', -1, { a: { 2: 1 } }, { retentionMs: 5000 });
    h.advance(5000);
    h.expire();
    assert.deepEqual(h.fetch('solo', 'a', [0, 1, 2]), [1n, 1n, -1n]);
    h.advance(TEST_CONFIG.offsetsRetentionMs - 15_000);
    h.expire();
    assert.deepEqual(h.fetch('solo', 'a', [0, 1]), [-1n, 1n]);
  });
});

describe('GroupShard: listing and describing', () => {
  it('lists groups with their state and describes members with decoded assignments', () => {
    const h = new ShardHarness();
    h.formGroup(G, 2);
    h.commit('solo', '', -1, { a: { 0: 1 } });
    assert.deepEqual(
      h.shard.listGroups().map((g) => [g.groupId, g.protocolType, g.state]),
      [
        [G, 'consumer', 'Stable'],
        ['solo', '', 'Empty'],
      ],
    );
    const described = h.shard.describeGroup(G);
    assert.equal(described.members[0]!.clientId, 'c0');
    assert.equal(described.members[0]!.clientHost, '/127.0.0.1');
    assert.deepEqual(described.members[1]!.assignedPartitions, [{ topic: 't', partitions: [1] }]);
    assert.equal(h.shard.describeGroup('nope').state, 'Dead');
  });
});
