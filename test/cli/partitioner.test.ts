import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { StickyPartitioner, murmur2, partitionForKey } from '../../src/cli/client/index.js';

const { Partitioners } = kafkajs;

describe('murmur2 partitioner', () => {
  it("matches Kafka's Utils.murmur2 test vectors", () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [input, expected] of cases)
      assert.equal(murmur2(Buffer.from(input)), expected, input);
  });

  it("puts keys where KafkaJS's Java-compatible DefaultPartitioner does", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 7, 12, 100]) {
      const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      }));
      for (let i = 0; i < 500; i++) {
        const key = `key-${i}-${'é'.repeat(i % 5)}-${i * 7919}`;
        const expected = partitioner({
          topic: 't',
          partitionMetadata,
          message: { key, value: 'v' },
        });
        assert.equal(partitionForKey(Buffer.from(key), count), expected, `${key} over ${count}`);
      }
    }
  });

  it('sticks keyless records to one partition until its batch closes, then moves', () => {
    let seed = 1;
    const sticky = new StickyPartitioner(() => (seed = (seed * 16807) % 2147483647) / 2147483647);
    const first = sticky.partition('t', 4);
    assert.equal(sticky.partition('t', 4), first);
    sticky.batchClosed('t', first, 4);
    const second = sticky.partition('t', 4);
    assert.notEqual(second, first);
    sticky.batchClosed('t', first, 4); // a stale close does not move it
    assert.equal(sticky.partition('t', 4), second);
  });
});
