import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { decodeAssignment, encodeAssignment, rangeAssign } from '../../src/cli/client/index.js';
import {
  decodeSubscriptionTopics,
  encodeSubscription,
} from '../../src/cli/client/consumer-protocol.js';

const { AssignerProtocol } = kafkajs;

describe('consumer protocol and range assignor', () => {
  it('assigns like Kafka RangeAssignor: consecutive ranges, the first members get the extra', () => {
    const result = rangeAssign(
      new Map([
        ['c', ['t1', 't2']],
        ['a', ['t1', 't2']],
        ['b', ['t1']],
      ]),
      new Map([
        ['t1', 7],
        ['t2', 3],
      ]),
    );
    assert.deepEqual(Object.fromEntries([...result].map(([m, a]) => [m, Object.fromEntries(a)])), {
      a: { t1: [0, 1, 2], t2: [0, 1] },
      b: { t1: [3, 4] },
      c: { t1: [5, 6], t2: [2] },
    });
  });

  it('gives members beyond the partition count nothing, and skips unknown topics', () => {
    const result = rangeAssign(
      new Map([
        ['m1', ['t', 'gone']],
        ['m2', ['t']],
        ['m3', ['t']],
      ]),
      new Map([['t', 2]]),
    );
    assert.deepEqual(result.get('m1'), new Map([['t', [0]]]));
    assert.deepEqual(result.get('m2'), new Map([['t', [1]]]));
    assert.deepEqual(result.get('m3'), new Map());
  });

  it('encodes subscriptions and assignments that KafkaJS reads, and reads what KafkaJS writes', () => {
    const subscription = AssignerProtocol.MemberMetadata.decode(encodeSubscription(['a', 'b']));
    assert.deepEqual(subscription?.topics, ['a', 'b']);
    const assignment = AssignerProtocol.MemberAssignment.decode(
      encodeAssignment(new Map([['a', [0, 2]]])),
    );
    assert.deepEqual(assignment?.assignment, { a: [0, 2] });

    const theirs = AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment: { x: [1, 0] },
      userData: Buffer.alloc(0),
    });
    assert.deepEqual(decodeAssignment(theirs), new Map([['x', [0, 1]]]));
    const theirSubscription = AssignerProtocol.MemberMetadata.encode({
      version: 0,
      topics: ['x', 'y'],
      userData: Buffer.alloc(0),
    });
    assert.deepEqual(decodeSubscriptionTopics(theirSubscription), ['x', 'y']);
    assert.deepEqual(decodeAssignment(Buffer.alloc(0)), new Map());
    assert.deepEqual(decodeSubscriptionTopics(Buffer.from('junk')), []);
  });
});
