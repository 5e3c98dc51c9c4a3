/**
 * The batches the crash test's child appends, derived from a sequence number alone, so
 * the parent can rebuild every byte it expects to find. Each batch carries its sequence
 * number as the producer's baseSequence (producerId 1), which also lets the parent map a
 * stored batch back to it.
 */
import { buildUncompressedRecordBatch } from '../../../src/records/index.js';

export const CRASH_PRODUCER_ID = 1n;

export function crashBatch(seq: number): Buffer {
  let state = (seq * 2654435761) >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % 1_000_000;
  };
  const count = 1 + (next() % 4);
  const records = Array.from({ length: count }, (_, i) => {
    const value = Buffer.alloc(20 + (next() % 1500));
    for (let j = 0; j < value.length; j++) value[j] = next() & 0xff;
    return { key: Buffer.from(`k${seq}-${i}`), value, timestamp: 1_700_000_000_000 + seq };
  });
  return buildUncompressedRecordBatch(records, {
    producerId: CRASH_PRODUCER_ID,
    producerEpoch: 0,
    baseSequence: seq,
  });
}

/** The sequence number a stored batch was built from. */
export function sequenceOf(batch: Buffer): number {
  return batch.readInt32BE(53);
}
