/**
 * verifyDelivery's rules on synthetic member histories: which records consumed twice it
 * explains (a client resuming from its committed position after a rebalance that kept
 * the partition) and which it must still reject (a duplicate without a rebalance, or a
 * restart below what was committed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyDelivery, type ConsumerEvent, type ConsumerProcess } from './group-scenario.js';

function member(name: string, events: ConsumerEvent[]): ConsumerProcess {
  return { name, events, killed: false } as unknown as ConsumerProcess;
}

/** Receipt of offset o of partition 0 (value v<o>), then its commit. */
const take = (o: number): ConsumerEvent[] => [
  { e: 'r', p: 0, o, v: `v${o}` },
  { e: 'c', p: 0, o: o + 1 },
];

describe('verifyDelivery', () => {
  it('explains records resumed from the committed position after a rebalance kept the partition', () => {
    // As seen with @platformatic/kafka: the old fetch stream hands out 3-5, the new one
    // (started at the committed offset 3) hands them out again.
    const events = [
      { e: 'assigned', partitions: [0, 4] },
      ...take(0),
      ...take(1),
      ...take(2),
      { e: 'assigned', partitions: [0, 3] },
      ...take(3),
      ...take(4),
      ...take(5),
      ...take(3),
      ...take(4),
      ...take(5),
    ];
    const report = verifyDelivery([member('m', events)], 6);
    assert.equal(report.clientCommitRaces, 3);
  });

  it('rejects a duplicate with no rebalance in between', () => {
    const events = [{ e: 'assigned', partitions: [0] }, ...take(0), ...take(1), ...take(1)];
    assert.throws(() => verifyDelivery([member('m', events)], 2), /consumed 2 times, unexplained/);
  });

  it('rejects a restart below what was committed before the rebalance', () => {
    const events = [
      { e: 'assigned', partitions: [0] },
      ...take(0),
      ...take(1),
      ...take(2),
      { e: 'assigned', partitions: [0] },
      ...take(1),
      ...take(2),
    ];
    assert.throws(() => verifyDelivery([member('m', events)], 3), /unexplained/);
  });
});
