/**
 * Idempotent-producer state of one partition (Kafka's ProducerStateManager, reduced to
 * what idempotence needs): per producer id, the current epoch and the sequence ranges and
 * offsets of its last five appended batches.
 *
 * Rules (ProduceRequest with producerId >= 0):
 * - epoch lower than the known one → INVALID_PRODUCER_EPOCH (a newer producer fenced it);
 * - a batch equal to one of the last five (same epoch, first and last sequence) is a
 *   retry: it is not appended again and the original offsets are returned;
 * - otherwise the first sequence must follow the last one (wrapping at 2^31-1), or be 0
 *   for a new epoch or an unknown producer → else OUT_OF_ORDER_SEQUENCE_NUMBER.
 *
 * Who may call: the owning Partition, which checks and records under its append order.
 * Durability: the state is derived from the log; snapshots only shorten recovery.
 */
export const MAX_CACHED_BATCHES = 5;

export interface BatchRef {
  firstSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  batches: BatchRef[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; batch: BatchRef }
  | {
      kind: 'error';
      error: 'INVALID_PRODUCER_EPOCH' | 'OUT_OF_ORDER_SEQUENCE_NUMBER';
      message: string;
    };

export interface ProducerBatchInfo {
  producerId: number;
  epoch: number;
  firstSequence: number;
  /** Records in the batch minus one (lastOffsetDelta). */
  lastOffsetDelta: number;
}

const INT32_MAX = 2147483647;

function lastSequenceOf(info: ProducerBatchInfo): number {
  const last = info.firstSequence + info.lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function nextSequence(sequence: number): number {
  return sequence === INT32_MAX ? 0 : sequence + 1;
}

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  check(info: ProducerBatchInfo): SequenceCheck {
    const entry = this.producers.get(info.producerId);
    if (entry === undefined) return this.checkFirst(info, 'unknown producer');
    if (info.epoch < entry.epoch) {
      return {
        kind: 'error',
        error: 'INVALID_PRODUCER_EPOCH',
        message: `producer ${info.producerId} epoch ${info.epoch} is older than ${entry.epoch}`,
      };
    }
    if (info.epoch > entry.epoch) return this.checkFirst(info, 'new epoch');
    const lastSequence = lastSequenceOf(info);
    const duplicate = entry.batches.find(
      (b) => b.firstSequence === info.firstSequence && b.lastSequence === lastSequence,
    );
    if (duplicate) return { kind: 'duplicate', batch: duplicate };
    const latest = entry.batches[entry.batches.length - 1];
    const expected = latest === undefined ? 0 : nextSequence(latest.lastSequence);
    if (info.firstSequence !== expected) {
      return {
        kind: 'error',
        error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        message: `producer ${info.producerId}: sequence ${info.firstSequence}, expected ${expected}`,
      };
    }
    return { kind: 'append' };
  }

  private checkFirst(info: ProducerBatchInfo, why: string): SequenceCheck {
    if (info.firstSequence === 0) return { kind: 'append' };
    return {
      kind: 'error',
      error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      message: `producer ${info.producerId} (${why}) must start at sequence 0, got ${info.firstSequence}`,
    };
  }

  /** Records an appended batch (after check() said 'append'), or replays one from the log. */
  record(info: ProducerBatchInfo, firstOffset: number, timestamp: number): void {
    let entry = this.producers.get(info.producerId);
    if (entry === undefined || info.epoch !== entry.epoch) {
      entry = { producerId: info.producerId, epoch: info.epoch, batches: [] };
      this.producers.set(info.producerId, entry);
    }
    entry.batches.push({
      firstSequence: info.firstSequence,
      lastSequence: lastSequenceOf(info),
      firstOffset,
      lastOffset: firstOffset + info.lastOffsetDelta,
      timestamp,
    });
    if (entry.batches.length > MAX_CACHED_BATCHES) entry.batches.shift();
  }

  /** The most recently recorded batch of a producer. */
  latest(producerId: number): BatchRef | undefined {
    const batches = this.producers.get(producerId)?.batches;
    return batches?.[batches.length - 1];
  }

  /** Forgets batches at or above `offset` (log truncation); drops emptied producers. */
  truncateFrom(offset: number): void {
    for (const [id, entry] of this.producers) {
      entry.batches = entry.batches.filter((b) => b.lastOffset < offset);
      if (entry.batches.length === 0) this.producers.delete(id);
    }
  }

  toJSON(): ProducerEntry[] {
    return [...this.producers.values()].map((entry) => ({
      producerId: entry.producerId,
      epoch: entry.epoch,
      batches: entry.batches.map(
        ({ firstSequence, lastSequence, firstOffset, lastOffset, timestamp }) => ({
          firstSequence,
          lastSequence,
          firstOffset,
          lastOffset,
          timestamp,
        }),
      ),
    }));
  }

  static fromJSON(entries: ProducerEntry[]): ProducerStateTable {
    const table = new ProducerStateTable();
    for (const entry of entries) table.producers.set(entry.producerId, structuredClone(entry));
    return table;
  }
}
