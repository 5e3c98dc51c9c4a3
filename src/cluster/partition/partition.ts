/**
 * One partition replica on this broker: the only data API the front ends use (DESIGN.md
 * §2). It owns the partition's log, its high watermark and its idempotent-producer state,
 * and wakes fetches waiting for data.
 *
 * Visibility: a batch is readable by consumers once its append resolved and the high
 * watermark moved past it (single node: HW = end of the last written append). Durability
 * is the log's (see storage's PartitionLog contract): page cache on resolve, fsync per
 * flush settings or weir.fsync.on.append.
 *
 * Who may call: any number of concurrent appends and reads. Offsets are assigned in call
 * order; idempotence checks run synchronously at call time, so a producer's in-flight
 * batches (max.in.flight up to 5) are checked in the order they arrived.
 */
import type { Logger } from '../../common/logger.js';
import { RecordBatchView, walkBatches } from '../../records/index.js';
import type { PartitionLog, ReadLease } from '../../storage/index.js';
import { ProducerStateTable, type BatchRef, type ProducerBatchInfo } from './producer-state.js';

// Front ends read into pooled buffers through Partition.read; they do not import storage.
export { ReadBufferPool, ReadLease } from '../../storage/index.js';

export interface PartitionSettings {
  /** LogAppendTime: the broker stamps batches with its clock. */
  logAppendTime: boolean;
}

export type AppendOutcome =
  | { ok: true; baseOffset: number; logAppendTime: number; duplicate: boolean }
  | {
      ok: false;
      error: 'INVALID_PRODUCER_EPOCH' | 'OUT_OF_ORDER_SEQUENCE_NUMBER' | 'KAFKA_STORAGE_ERROR';
      message: string;
    };

export interface ReadResult {
  records: Buffer;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

interface PendingBatch extends BatchRef {
  appended?: Promise<void>;
}

const SNAPSHOT_SCAN_BYTES = 1024 * 1024;
const NO_RECORDS = Buffer.alloc(0);

export class Partition {
  private highWatermarkValue: number;
  private waiters = new Set<() => void>();
  private producers = new ProducerStateTable();

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly index: number,
    readonly log: PartitionLog,
    private readonly settings: () => PartitionSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.highWatermarkValue = log.logEndOffset;
  }

  get highWatermark(): number {
    return this.highWatermarkValue;
  }

  /** No transactions yet: the last stable offset is the high watermark. */
  get lastStableOffset(): number {
    return this.highWatermarkValue;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /**
   * Appends one validated batch (the caller checked magic, CRC, sizes). Idempotent
   * batches are checked against the producer state first.
   */
  append(batch: RecordBatchView): Promise<AppendOutcome> {
    const producerId = Number(batch.producerId);
    if (producerId < 0) return this.appendToLog(batch, null);
    const info: ProducerBatchInfo = {
      producerId,
      epoch: batch.producerEpoch,
      firstSequence: batch.baseSequence,
      lastOffsetDelta: batch.lastOffsetDelta,
    };
    const check = this.producers.check(info);
    if (check.kind === 'error') {
      return Promise.resolve({ ok: false, error: check.error, message: check.message });
    }
    if (check.kind === 'duplicate') return this.answerDuplicate(check.batch as PendingBatch);
    return this.appendToLog(batch, info);
  }

  private async answerDuplicate(original: PendingBatch): Promise<AppendOutcome> {
    await original.appended;
    return { ok: true, baseOffset: original.firstOffset, logAppendTime: -1, duplicate: true };
  }

  private async appendToLog(
    batch: RecordBatchView,
    info: ProducerBatchInfo | null,
  ): Promise<AppendOutcome> {
    const logAppendTime = this.settings().logAppendTime ? this.now() : undefined;
    const appending = this.log.append(
      batch.buffer,
      logAppendTime === undefined ? {} : { logAppendTime },
    );
    let pending: PendingBatch | undefined;
    if (info !== null) {
      // Recorded now, before the write completes, so the producer's next in-flight batch
      // is checked against this one; offsets are filled in when the append resolves.
      this.producers.record(info, -1, Number(batch.maxTimestamp));
      pending = this.producers.latest(info.producerId) as PendingBatch;
      pending.appended = appending.then(
        () => undefined,
        () => undefined,
      );
    }
    try {
      const result = await appending;
      if (pending) {
        pending.firstOffset = result.baseOffset;
        pending.lastOffset = result.lastOffset;
      }
      this.advanceHighWatermark(result.lastOffset + 1);
      return {
        ok: true,
        baseOffset: result.baseOffset,
        logAppendTime: result.logAppendTime,
        duplicate: false,
      };
    } catch (error) {
      this.logger.error('append failed', {
        topic: this.topic,
        partition: this.index,
        error: String(error),
      });
      return { ok: false, error: 'KAFKA_STORAGE_ERROR', message: String(error) };
    }
  }

  private advanceHighWatermark(offset: number): void {
    if (offset <= this.highWatermarkValue) return;
    this.highWatermarkValue = offset;
    this.wakeAll();
  }

  /**
   * Reads whole batches from `offset`, never past the high watermark (or LSO). With
   * `buffers`, the records are valid only until the lease is released (PartitionLog.read).
   */
  async read(offset: number, maxBytes: number, buffers?: ReadLease): Promise<ReadResult> {
    const upTo = this.highWatermarkValue;
    const records =
      offset >= upTo ? NO_RECORDS : (await this.log.read(offset, maxBytes, upTo, buffers)).records;
    return {
      records,
      highWatermark: this.highWatermarkValue,
      lastStableOffset: this.lastStableOffset,
      logStartOffset: this.log.logStartOffset,
    };
  }

  /**
   * Parks a long-polling fetch until the high watermark moves past `seen` (the value the
   * fetch read up to). Returns false, parking nothing, when it already has: an append that
   * landed while the fetch was reading must not be slept through.
   *
   * Contract: `wake` is called at most once, synchronously from the append that advances
   * the high watermark (or from wakeAll), and is forgotten before it runs. A caller that
   * stops waiting for another reason (its timeout, another partition's wake) removes it
   * with cancelWait. A waiter is one entry in a Set: no timer, promise or signal here.
   */
  waitForAdvance(seen: number, wake: () => void): boolean {
    if (this.highWatermarkValue > seen) return false;
    this.waiters.add(wake);
    return true;
  }

  /** Forgets a waiter parked by waitForAdvance (no-op when it was already woken). */
  cancelWait(wake: () => void): void {
    this.waiters.delete(wake);
  }

  /** Number of parked waiters (tests and diagnostics). */
  get waiterCount(): number {
    return this.waiters.size;
  }

  /** Wakes every waiting fetch (high watermark moved, partition deleted or broker stopping). */
  wakeAll(): void {
    if (this.waiters.size === 0) return;
    // Swapped out first: a woken fetch that parks again (synchronously) lands in the new
    // set and waits for the next advance instead of being woken twice by this one.
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  async truncateTo(offset: number): Promise<void> {
    await this.log.truncateTo(offset);
    this.producers.truncateFrom(offset);
    this.highWatermarkValue = Math.min(this.highWatermarkValue, this.log.logEndOffset);
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    return this.log.deleteRecordsBefore(offset);
  }

  /**
   * Restores producer state: from the snapshot written at the last clean close when it
   * covers the whole log, else by replaying batch headers after the snapshot's offset.
   */
  async loadProducerState(): Promise<void> {
    const snapshot = await this.log.readProducerSnapshot();
    let from = this.log.logStartOffset;
    if (snapshot !== null) {
      try {
        const parsed = JSON.parse(snapshot.toString('utf8')) as {
          offset: number;
          producers: Parameters<typeof ProducerStateTable.fromJSON>[0];
        };
        if (parsed.offset <= this.log.logEndOffset) {
          this.producers = ProducerStateTable.fromJSON(parsed.producers);
          from = Math.max(parsed.offset, this.log.logStartOffset);
        }
      } catch (error) {
        this.logger.warn('ignoring unreadable producer snapshot', {
          topic: this.topic,
          partition: this.index,
          error: String(error),
        });
      }
    }
    await this.replayProducerBatches(from);
  }

  private async replayProducerBatches(from: number): Promise<void> {
    let offset = from;
    const end = this.log.logEndOffset;
    while (offset < end) {
      const { records } = await this.log.read(offset, SNAPSHOT_SCAN_BYTES, end);
      if (records.length === 0) break;
      let next = offset;
      for (const batch of walkBatches(records)) {
        const producerId = Number(batch.producerId);
        if (producerId >= 0 && !batch.isControl) {
          this.producers.record(
            {
              producerId,
              epoch: batch.producerEpoch,
              firstSequence: batch.baseSequence,
              lastOffsetDelta: batch.lastOffsetDelta,
            },
            Number(batch.baseOffset),
            Number(batch.maxTimestamp),
          );
        }
        next = Number(batch.lastOffset) + 1;
      }
      if (next <= offset) break;
      offset = next;
    }
  }

  /**
   * Writes the producer snapshot and closes the log (clean shutdown). A storage failure is
   * logged, not thrown: the log's files are closed either way and the next open recovers.
   */
  async close(): Promise<void> {
    this.wakeAll();
    const snapshot = { offset: this.log.logEndOffset, producers: this.producers.toJSON() };
    try {
      await this.log.writeProducerSnapshot(Buffer.from(JSON.stringify(snapshot)));
    } catch (error) {
      this.logger.error('producer snapshot failed', {
        topic: this.topic,
        partition: this.index,
        error: String(error),
      });
    }
    try {
      await this.log.close();
    } catch (error) {
      this.logger.error('log close failed; the next open recovers it', {
        topic: this.topic,
        partition: this.index,
        error: String(error),
      });
    }
  }
}
