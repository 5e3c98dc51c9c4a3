/**
 * An in-memory stand-in for a __consumer_offsets Partition (append/read/high watermark),
 * so coordinator runtime tests need no storage. Appends can be held back or made to fail.
 */
import type { AppendOutcome, ReadResult } from '../../src/cluster/partition/partition.js';
import type { OffsetsPartition } from '../../src/coordinator/runtime/group-coordinator.js';
import type { RecordBatchView } from '../../src/records/index.js';

export class MemoryPartition implements OffsetsPartition {
  readonly batches: Buffer[] = [];
  private nextOffset = 0;
  /** When set, appends wait for this promise before completing. */
  gate: Promise<void> | undefined;
  /** When true, appends fail with KAFKA_STORAGE_ERROR. */
  failing = false;
  appends = 0;

  get logStartOffset(): number {
    return 0;
  }

  get highWatermark(): number {
    return this.nextOffset;
  }

  async append(batch: RecordBatchView): Promise<AppendOutcome> {
    this.appends += 1;
    if (this.failing) {
      return { ok: false, error: 'KAFKA_STORAGE_ERROR', message: 'injected failure' };
    }
    // Offsets are assigned in call order, before any wait (as Partition does).
    const copy = Buffer.from(batch.buffer);
    const baseOffset = this.nextOffset;
    copy.writeBigInt64BE(BigInt(baseOffset), 0);
    this.nextOffset += batch.lastOffsetDelta + 1;
    this.batches.push(copy);
    const gate = this.gate;
    if (gate) await gate;
    return { ok: true, baseOffset, logAppendTime: -1, duplicate: false };
  }

  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    const chosen: Buffer[] = [];
    let size = 0;
    for (const batch of this.batches) {
      const base = Number(batch.readBigInt64BE(0));
      const last = base + batch.readInt32BE(23);
      if (last < offset) continue;
      if (chosen.length > 0 && size + batch.length > maxBytes) break;
      chosen.push(batch);
      size += batch.length;
    }
    return {
      records: Buffer.concat(chosen),
      highWatermark: this.nextOffset,
      lastStableOffset: this.nextOffset,
      logStartOffset: 0,
    };
  }
}
