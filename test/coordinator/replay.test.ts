/**
 * Replay: the records a shard emits, read back into an empty shard, rebuild the durable
 * part of its state (offsets; generation, protocol, leader, members and assignments of
 * every Stable or Empty group). Driven by seeded random client behaviour.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupShard } from '../../src/coordinator/group/shard.js';
import { decodeRecord, encodeKey, encodeValue } from '../../src/coordinator/offsets/records.js';
import { ErrorCode } from '../../src/protocol/kafka/index.js';
import { ShardHarness, TEST_CONFIG, assignment, subscription } from './shard-harness.js';
import { mulberry32 } from '../helpers/prng.js';

interface Client {
  group: string;
  clientId: string;
  instanceId: string | null;
  memberId: string;
  generation: number;
  join?: number;
  sync?: number;
}

function replayed(h: ShardHarness): GroupShard {
  const shard = new GroupShard(0, TEST_CONFIG, () => 'replayed');
  for (const record of h.records) {
    // Through the byte encoding, as a restart would read them.
    const decoded = decodeRecord(encodeKey(record), encodeValue(record));
    assert.ok(decoded);
    shard.replay(decoded, h.now);
  }
  shard.finishLoad(h.now);
  return shard;
}

function compare(h: ShardHarness, loaded: GroupShard, step: number): void {
  const where = (g: string) => `step ${step}, group ${g}`;
  for (const groupId of h.shard.groupIds()) {
    const live = h.shard.group(groupId)!;
    const back = loaded.group(groupId);
    const offsets = (g: typeof live | undefined) =>
      g === undefined
        ? []
        : [...g.offsets]
            .flatMap(([t, ps]) => [...ps].map(([p, v]) => `${t}/${p}=${v.offset}:${v.metadata}`))
            .sort();
    if (back === undefined) {
      // Only a group that never stored anything may be missing: no offsets, and no
      // generation completed (Stable, or emptied after one) yet.
      assert.deepEqual(offsets(live), [], `${where(groupId)}: missing after replay, with offsets`);
      assert.ok(live.state !== 'Stable', `${where(groupId)}: Stable but missing after replay`);
      assert.ok(
        !(live.state === 'Empty' && live.generationId > 0),
        `${where(groupId)}: emptied but missing`,
      );
      continue;
    }
    assert.deepEqual(offsets(back), offsets(live), `${where(groupId)}: offsets`);
    if (live.state !== 'Stable' && live.state !== 'Empty') continue;
    assert.equal(back.state, live.state, `${where(groupId)}: state`);
    assert.equal(back.generationId, live.generationId, `${where(groupId)}: generation`);
    assert.equal(back.protocolType, live.protocolType, `${where(groupId)}: protocol type`);
    if (live.state === 'Stable') {
      assert.equal(back.protocolName, live.protocolName, `${where(groupId)}: protocol`);
      assert.equal(back.leaderId, live.leaderId, `${where(groupId)}: leader`);
      const members = (g: typeof live) =>
        [...g.members.values()].map((m) => [
          m.memberId,
          m.groupInstanceId,
          m.assignment.toString('hex'),
        ]);
      assert.deepEqual(members(back), members(live), `${where(groupId)}: members`);
    }
  }
  for (const groupId of loaded.groupIds()) {
    assert.ok(h.shard.group(groupId), `step ${step}: ${groupId} exists only after replay`);
  }
}

describe('GroupShard replay', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`rebuilds the durable state from its records (seed ${seed})`, () => {
      const random = mulberry32(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const h = new ShardHarness();
      const clients: Client[] = [];
      for (const group of ['g1', 'g2', 'g3']) {
        for (let i = 0; i < 4; i++) {
          clients.push({
            group,
            clientId: `${group}-c${i}`,
            instanceId: i === 3 ? `${group}-static` : null,
            memberId: '',
            generation: -1,
          });
        }
      }
      for (let step = 0; step < 1500; step++) {
        const c = pick(clients);
        // Pick up answers to parked requests.
        if (c.join !== undefined) {
          const reply = h.joinReply(c.join);
          if (reply) {
            c.join = undefined;
            if (reply.errorCode === ErrorCode.NONE) {
              c.memberId = reply.memberId;
              c.generation = reply.generationId;
              if (reply.leader === reply.memberId && reply.members.length > 0) {
                c.sync = h.sync(
                  c.group,
                  c.memberId,
                  c.generation,
                  reply.members.map((m, i) => ({
                    memberId: m.memberId,
                    assignment: assignment({ t: [i] }),
                  })),
                );
              }
            } else if (reply.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
              c.memberId = reply.memberId;
            } else {
              c.memberId = '';
            }
          }
        }
        if (c.sync !== undefined && h.syncReply(c.sync)) c.sync = undefined;
        const action = random();
        if (action < 0.2 && c.join === undefined) {
          const topics = random() < 0.8 ? ['t'] : ['t', 'u'];
          c.join = h.join(c.group, {
            memberId: c.memberId,
            instanceId: c.instanceId,
            clientId: c.clientId,
            version: c.instanceId ? 5 : pick([3, 5]),
            session: 3000,
            rebalance: 4000,
            protocols: [{ name: 'range', metadata: subscription(topics) }],
          });
        } else if (action < 0.3 && c.memberId !== '' && c.sync === undefined) {
          c.sync = h.sync(c.group, c.memberId, c.generation, [], { instanceId: c.instanceId });
        } else if (action < 0.55 && c.memberId !== '') {
          const code = h.heartbeat(c.group, c.memberId, c.generation, c.instanceId);
          if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.FENCED_INSTANCE_ID)
            c.memberId = '';
        } else if (action < 0.75) {
          const standalone = random() < 0.2;
          h.commit(
            standalone ? `solo-${c.group}` : c.group,
            standalone ? '' : c.memberId,
            standalone ? -1 : c.generation,
            { t: { [Math.floor(random() * 4)]: Math.floor(random() * 1000) } },
            { metadata: `m${step}` },
          );
        } else if (action < 0.8 && c.memberId !== '') {
          h.leave(c.group, [{ memberId: c.memberId, groupInstanceId: c.instanceId }]);
          c.memberId = '';
        } else if (action < 0.82) {
          h.deleteGroup(pick(['g1', 'g2', 'g3', 'solo-g1']));
        } else if (action < 0.84) {
          h.deleteOffsets(c.group, [{ name: 't', partitions: [0, 1] }]);
        } else if (action < 0.85) {
          h.expire();
        } else {
          h.advance(Math.floor(random() * 1500));
        }
        if (step % 100 === 99) compare(h, replayed(h), step);
      }
      compare(h, replayed(h), 1500);
      assert.ok(
        h.records.some((r) => r.kind === 'group' && r.value !== null && r.value.members.length > 1),
      );
    });
  }
});
