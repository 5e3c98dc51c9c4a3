/**
 * Which partition of `__consumer_offsets` (and so which coordinator shard) owns a group:
 * Kafka's rule, `abs(groupId.hashCode()) % partitionCount` with Java's String.hashCode
 * over UTF-16 code units and Kafka's `Utils.abs` (clear the sign bit). Using Kafka's rule
 * keeps a group on the same partition as in Kafka, which matters once data moves between
 * the two.
 */
export function javaStringHashCode(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(hash, 31) + value.charCodeAt(i)) | 0;
  return hash;
}

export function partitionForGroup(groupId: string, partitionCount: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % partitionCount;
}

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
