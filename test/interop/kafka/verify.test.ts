/**
 * The interop verifier itself: a correct consume-back passes, and each kind of breakage
 * the interop tests exist to catch (a lost, duplicated or altered record, a moved key, a
 * reordered partition, an offset gap, a wrong timestamp, a record away from its ack)
 * makes it fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  makeRecords,
  verifyConsumed,
  type Ack,
  type ConsumedRecord,
  type SpecRecord,
  type VerifyOptions,
} from './helpers.js';

const PARTITIONS = 3;

function produce(records: readonly SpecRecord[]): { consumed: ConsumedRecord[]; acks: Ack[] } {
  const next = new Map<number, number>();
  const consumed: ConsumedRecord[] = [];
  const acks: Ack[] = [];
  for (const r of records) {
    const partition = Number(r.key.slice(4)) % PARTITIONS;
    const offset = next.get(partition) ?? 0;
    next.set(partition, offset + 1);
    acks.push({ index: r.index, partition, offset });
    consumed.push({
      partition,
      offset,
      timestamp: r.timestamp,
      timestampType: 'create',
      key: r.key,
      value: r.value,
      headers: r.headers.map(([k, v]) => [k, v]),
    });
  }
  return { consumed, acks };
}

describe('interop verifier', () => {
  const records = makeRecords('self-test', 3000, ['none', 'gzip']);
  const options = (acks: Ack[]): VerifyOptions => ({
    partitions: PARTITIONS,
    acks,
    exactTimestamps: true,
    exactHeaders: true,
  });

  it('accepts a faithful consume-back', () => {
    const { consumed, acks } = produce(records);
    verifyConsumed(records, consumed, options(acks));
  });

  const breakages: [string, (consumed: ConsumedRecord[], acks: Ack[]) => void, RegExp][] = [
    ['a lost record', (c) => void c.pop(), /number of records consumed/],
    ['a duplicate', (c) => (c[c.length - 1] = { ...c[5]! }), /consumed twice/],
    ['an altered value', (c) => (c[7]!.value = c[7]!.value + 'x'), /value of record 7/],
    ['a wrong key', (c) => (c[8]!.key = 'key-0'), /key of record 8/],
    ['a lost header', (c) => c[9]!.headers.pop(), /headers of record 9/],
    ['a wrong timestamp', (c) => (c[10]!.timestamp += 1), /timestamp of record 10/],
    ['LogAppendTime', (c) => (c[11]!.timestampType = 'append'), /timestamp type/],
    [
      'a key in two partitions',
      (c) => {
        const r = c.find((x) => x.key === 'key-5' && x.offset > 0)!;
        r.partition = (r.partition + 1) % PARTITIONS;
        r.offset = 10_000;
      },
      /key key-5 in partitions/,
    ],
    [
      'an offset gap',
      (c) => {
        const last = c.filter((x) => x.partition === 0).at(-1)!;
        last.offset += 1;
      },
      /contiguous/,
    ],
    [
      'a reordered partition',
      (c) => {
        const [a, b] = c.filter((x) => x.partition === 1).slice(3, 5);
        [a!.offset, b!.offset] = [b!.offset, a!.offset];
      },
      /partition 1: record/,
    ],
    ['a record away from its ack', (_c, acks) => (acks[20]!.offset += 1), /record 20 acked at/],
  ];

  for (const [name, breakIt, message] of breakages) {
    it(`rejects ${name}`, () => {
      const { consumed, acks } = produce(records);
      breakIt(consumed, acks);
      assert.throws(() => verifyConsumed(records, consumed, options(acks)), message);
    });
  }
});
