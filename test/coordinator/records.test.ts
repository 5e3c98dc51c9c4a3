import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CoordinatorRecordError,
  decodeRecord,
  encodeKey,
  encodeValue,
  type CoordinatorRecord,
} from '../../src/coordinator/offsets/records.js';
import {
  javaStringHashCode,
  partitionForGroup,
} from '../../src/coordinator/offsets/partitioner.js';

function roundTrip(record: CoordinatorRecord): CoordinatorRecord | null {
  return decodeRecord(encodeKey(record), encodeValue(record));
}

describe('__consumer_offsets records', () => {
  it('round-trips offset commits (v3, and v1 with an expiry) and tombstones', () => {
    const commit: CoordinatorRecord = {
      kind: 'offset',
      key: { group: 'g', topic: 'orders', partition: 7 },
      value: {
        offset: 12345678901n,
        leaderEpoch: 3,
        metadata: 'm',
        commitTimestamp: 1700000000000,
        expireTimestamp: -1,
      },
    };
    assert.deepEqual(roundTrip(commit), commit);
    const withExpiry: CoordinatorRecord = {
      kind: 'offset',
      key: { group: 'g', topic: 'orders', partition: 7 },
      value: {
        offset: 5n,
        leaderEpoch: -1,
        metadata: '',
        commitTimestamp: 1000,
        expireTimestamp: 2000,
      },
    };
    assert.deepEqual(roundTrip(withExpiry), withExpiry);
    const tombstone: CoordinatorRecord = {
      kind: 'offset',
      key: { group: 'g', topic: 'orders', partition: 7 },
      value: null,
    };
    assert.deepEqual(roundTrip(tombstone), tombstone);
  });

  it('lays keys and values out as Kafka does', () => {
    const key = encodeKey({
      kind: 'offset',
      key: { group: 'g', topic: 't', partition: 1 },
      value: null,
    });
    assert.equal(key.toString('hex'), '0001' + '0001' + '67' + '0001' + '74' + '00000001');
    const groupKey = encodeKey({ kind: 'group', group: 'g', value: null });
    assert.equal(groupKey.toString('hex'), '0002' + '0001' + '67');
    const value = encodeValue({
      kind: 'offset',
      key: { group: 'g', topic: 't', partition: 1 },
      value: { offset: 2n, leaderEpoch: -1, metadata: '', commitTimestamp: 3, expireTimestamp: -1 },
    })!;
    assert.equal(
      value.toString('hex'),
      '0003' + '0000000000000002' + 'ffffffff' + '0000' + '0000000000000003',
    );
  });

  it('round-trips group metadata with members', () => {
    const record: CoordinatorRecord = {
      kind: 'group',
      group: 'g',
      value: {
        protocolType: 'consumer',
        generationId: 4,
        protocolName: 'range',
        leaderId: 'm1',
        currentStateTimestamp: 99,
        members: [
          {
            memberId: 'm1',
            groupInstanceId: 'i1',
            clientId: 'c',
            clientHost: '/127.0.0.1',
            rebalanceTimeoutMs: 300000,
            sessionTimeoutMs: 45000,
            subscription: Buffer.from([1, 2, 3]),
            assignment: Buffer.from([4]),
          },
          {
            memberId: 'm2',
            groupInstanceId: null,
            clientId: 'c',
            clientHost: '/127.0.0.1',
            rebalanceTimeoutMs: 1,
            sessionTimeoutMs: 2,
            subscription: Buffer.alloc(0),
            assignment: Buffer.alloc(0),
          },
        ],
      },
    };
    assert.deepEqual(roundTrip(record), record);
    const empty: CoordinatorRecord = {
      kind: 'group',
      group: 'g',
      value: {
        protocolType: '',
        generationId: 1,
        protocolName: null,
        leaderId: null,
        currentStateTimestamp: -1,
        members: [],
      },
    };
    assert.deepEqual(roundTrip(empty), empty);
  });

  it('skips key versions it does not know and rejects unreadable bytes', () => {
    assert.equal(decodeRecord(Buffer.from([0, 9, 0, 0]), null), null);
    assert.throws(
      () => decodeRecord(Buffer.from([0, 1, 0, 5, 0x61]), null),
      CoordinatorRecordError,
    );
    assert.throws(() => decodeRecord(null, null), CoordinatorRecordError);
    const key = encodeKey({
      kind: 'offset',
      key: { group: 'g', topic: 't', partition: 1 },
      value: null,
    });
    assert.throws(() => decodeRecord(key, Buffer.from([0, 7])), CoordinatorRecordError);
  });
});

describe('group → partition', () => {
  it("uses Java's String.hashCode and Kafka's abs", () => {
    assert.equal(javaStringHashCode(''), 0);
    assert.equal(javaStringHashCode('hello'), 99162322);
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    assert.equal(
      javaStringHashCode('héllo→'),
      ((): number => {
        let h = 0;
        for (const c of 'héllo→') h = (h * 31 + c.charCodeAt(0)) | 0;
        return h;
      })(),
    );
    assert.equal(partitionForGroup('hello', 50), 99162322 % 50);
    assert.equal(partitionForGroup('polygenelubricants', 50), 0);
    for (const id of ['a', 'consumer-group-1', 'x'.repeat(300)]) {
      const p = partitionForGroup(id, 7);
      assert.ok(p >= 0 && p < 7);
    }
  });
});
