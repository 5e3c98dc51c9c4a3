/**
 * Kafka's default partitioning, so a key lands on the partition a Java (or librdkafka
 * murmur2_random, or KafkaJS DefaultPartitioner) producer would pick:
 * `toPositive(murmur2(keyBytes)) % numPartitions`. Records without a key stick to one
 * partition until its batch is sent, then move on (KIP-480 sticky partitioning), which
 * keeps batches full at low rates.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** MurmurHash2 as in Kafka's org.apache.kafka.common.utils.Utils.murmur2 (signed 32-bit). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const tail = length & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[tail + 2]! << 16;
    if (rest >= 2) h ^= data[tail + 1]! << 8;
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}

/** Sticky choice for records without a key, per topic. */
export class StickyPartitioner {
  readonly #current = new Map<string, number>();
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  partition(topic: string, partitionCount: number): number {
    let partition = this.#current.get(topic);
    if (partition === undefined || partition >= partitionCount) {
      partition = Math.floor(this.#random() * partitionCount);
      this.#current.set(topic, partition);
    }
    return partition;
  }

  /** A batch for `partition` was closed: the next keyless record picks another partition. */
  batchClosed(topic: string, partition: number, partitionCount: number): void {
    if (this.#current.get(topic) !== partition || partitionCount < 2) return;
    const next = Math.floor(this.#random() * (partitionCount - 1));
    this.#current.set(topic, next >= partition ? next + 1 : next);
  }
}
