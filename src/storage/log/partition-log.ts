/**
 * PartitionLog: one partition's append-only log on disk (DESIGN.md §4), as Kafka stores
 * it: segments named by base offset, each a `.log` of record batches with a sparse
 * `.index` and `.timeindex`. It knows offsets, bytes and batch headers, never a protocol.
 *
 * ## Contract
 *
 * Visibility. An append is visible to `read` and counted in `logEndOffset` once its
 * promise resolves (the caller then moves the high watermark). Reads never return bytes
 * of an append still in flight, and never a batch reaching `upTo`.
 *
 * Durability.
 * - When `append` resolves, its bytes are in the OS page cache: they survive the process
 *   being killed (kill -9), not necessarily a power loss.
 * - Data is fsynced when its segment rolls (in the background, before the recovery point
 *   moves past it), on `flush()` and `close()`, after `flushMessages` appended offsets
 *   (the append that crosses the count resolves after the fsync), and `flushMs` after an
 *   unsynced append. Kafka's defaults leave flushing to the OS.
 * - With `fsyncOnAppend` an append resolves only after an fsync covering it; appends
 *   written together share one fsync. New segment files are made durable in their
 *   directory when created.
 * - Checkpoints (leader epochs, log start, recovery point, producer snapshots,
 *   clean-shutdown marker) are written atomically and are durable when their call
 *   resolves. A leader-epoch change caused by an append is durable before it resolves.
 * - Once a write, fsync or roll fails, the log latches the error (KAFKA_STORAGE_ERROR):
 *   that append and every later append, truncation and flush fail with it, until the
 *   log is closed and opened again (which runs recovery). Reads keep working.
 *
 * Recovery. `open` scans what a crash may have torn (see log-loader.ts), truncates an
 * invalid tail and rebuilds indexes; `recovery` reports what it did. A clean `close()`
 * leaves a marker so the next open verifies only the last segment's tail.
 *
 * Concurrency. Every method may be called at any time from the event-loop thread, with
 * other calls in flight. Appends, truncation, DeleteRecords, retention, snapshots, flush
 * and close run in call order on one serial queue (log-writer.ts); appends queued in the
 * same event-loop turn are written together with one writev. Reads run concurrently
 * with all of it and see a consistent state (log-reader.ts). Never open one directory
 * twice at once.
 *
 * Buffers. `append` patches the caller's buffer in place (baseOffset, and the leader
 * epoch or LogAppendTime when asked) and writes it without copying: do not reuse or
 * modify it until the append settles. Buffers returned by `read` are the caller's.
 */
import { silentLogger, type Logger } from '../../common/logger.js';
import { readLeaderEpochs, writeLeaderEpochs } from '../checkpoint/leader-epoch-checkpoint.js';
import { ProducerSnapshots } from '../checkpoint/producer-snapshots.js';
import { checkOffset, type StorageError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import type { AppendOptions, AppendResult } from './append-batches.js';
import { DEFAULT_MAX_OPEN_SEGMENT_FILES, validateLogConfig, type LogConfig } from './config.js';
import { FileHandlePool } from './file-handle-pool.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { loadLog, type RecoveryReport } from './log-loader.js';
import * as maintenance from './log-maintenance.js';
import { LogReader, type ReadResult } from './log-reader.js';
import { LogState } from './log-state.js';
import { LogWriter } from './log-writer.js';
import type { ReadLease } from './read-buffer-pool.js';
import type { SegmentContext } from './segment.js';
import type { TimestampAndOffset } from './timestamp-lookup.js';

export type { ReadResult };

export interface PartitionLogOptions {
  fs: FileSystem;
  /** The partition directory, e.g. `<data dir>/<topic>-<partition>`; created if missing. */
  dir: string;
  config: LogConfig;
  logger?: Logger;
  /** Clock for segment.ms and retention; epoch ms. */
  now?: () => number;
  /**
   * The bound on open segment files to share. Default: one pool per FileSystem, sized by
   * the first log's `maxOpenSegmentFiles` (default 1000).
   */
  filePool?: FileHandlePool;
}

export interface SegmentInfo {
  baseOffset: number;
  size: number;
  maxTimestamp: number;
}

const defaultPools = new WeakMap<FileSystem, FileHandlePool>();

/** The pool logs on `fs` share unless given one. */
export function defaultFileHandlePool(
  fs: FileSystem,
  maxOpen?: number,
  logger?: Logger,
): FileHandlePool {
  let pool = defaultPools.get(fs);
  if (!pool) {
    pool = new FileHandlePool(fs, maxOpen ?? DEFAULT_MAX_OPEN_SEGMENT_FILES, logger);
    defaultPools.set(fs, pool);
  }
  return pool;
}

export class PartitionLog {
  readonly dir: string;
  /** What open() found and repaired. */
  readonly recovery: RecoveryReport;
  /** Epoch → start offset (OffsetForLeaderEpoch, follower truncation). */
  readonly leaderEpochs: LeaderEpochCache;
  readonly #state: LogState;
  readonly #writer: LogWriter;
  readonly #reader: LogReader;
  #closing: Promise<void> | null = null;

  private constructor(state: LogState, recovery: RecoveryReport) {
    this.dir = state.dir;
    this.recovery = recovery;
    this.leaderEpochs = state.epochs;
    this.#state = state;
    this.#writer = new LogWriter(state);
    this.#reader = new LogReader(state);
  }

  /** Opens (creating if needed) the log in `options.dir`, running recovery. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const config = { ...options.config };
    validateLogConfig(config);
    const { fs, dir } = options;
    const logger = options.logger ?? silentLogger;
    const now = options.now ?? Date.now;
    const pool = options.filePool ?? defaultFileHandlePool(fs, config.maxOpenSegmentFiles, logger);
    const context: SegmentContext = {
      fs,
      pool,
      dir,
      indexIntervalBytes: config.indexIntervalBytes,
    };
    let state: LogState | null = null;
    const epochs = new LeaderEpochCache(
      await readLeaderEpochs(fs, dir),
      (entries) => writeLeaderEpochs(fs, dir, entries),
      () => state?.logEndOffset ?? 0,
    );
    const loaded = await loadLog(context, epochs, now(), logger);
    const snapshots = new ProducerSnapshots(fs, dir, loaded.snapshotOffsets);
    state = new LogState({
      dir,
      config,
      context,
      logger,
      now,
      epochs,
      snapshots,
      segments: loaded.segments,
      logStartOffset: loaded.logStartOffset,
    });
    await epochs.flush();
    await snapshots.deleteAfter(state.logEndOffset);
    return new PartitionLog(state, loaded.report);
  }

  // ---- state --------------------------------------------------------------------------

  /** The first offset a read may ask for. */
  get logStartOffset(): number {
    return this.#state.logStartOffset;
  }

  /** The offset the next append gets; everything below it is written and readable. */
  get logEndOffset(): number {
    return this.#state.logEndOffset;
  }

  /** Bytes in all segments (written and visible). */
  /**
   * Applies changed topic configs (AlterConfigs). Segment size and age, flushing and
   * retention follow the new values from the next append or check on; the index interval
   * and the file-pool bound keep the values the log was opened with. Throws
   * STORAGE_INVALID_ARGUMENT (and changes nothing) for values Kafka would reject.
   */
  updateConfig(config: LogConfig): void {
    const current = this.#state.config;
    const next = { ...config, maxOpenSegmentFiles: current.maxOpenSegmentFiles };
    validateLogConfig(next);
    Object.assign(current, next);
  }

  sizeInBytes(): number {
    let size = 0;
    for (const segment of this.#state.segments) size += segment.size;
    return size;
  }

  segments(): SegmentInfo[] {
    return this.#state.segments.map((s) => ({
      baseOffset: s.baseOffset,
      size: s.size,
      maxTimestamp: s.maxTimestamp,
    }));
  }

  /** The latched write failure, or null. */
  get failure(): StorageError | null {
    return this.#state.failure;
  }

  // ---- append and read ----------------------------------------------------------------

  /**
   * Appends one or more concatenated, already validated magic-2 batches and resolves
   * with the offsets they got (assigned in call order). Rejects with CORRUPT_MESSAGE for
   * bytes that are not whole magic-2 batches, RECORD_LIST_TOO_LARGE for a batch larger
   * than segment.bytes, KAFKA_STORAGE_ERROR once a write failed, STORAGE_CLOSED after
   * close(). See the class contract for visibility and durability.
   */
  append(batches: Buffer, options?: AppendOptions): Promise<AppendResult> {
    return this.#writer.append(batches, options);
  }

  /**
   * Whole batches from the one holding `fromOffset`: at least the first batch (even if
   * larger than maxBytes, KIP-74), then more while within maxBytes, only batches whose
   * offsets are all below `upTo` (exclusive; the high watermark or LSO), and from one
   * segment per call. Empty at the log end. `nextOffset` is the offset after the last
   * batch returned. Throws OFFSET_OUT_OF_RANGE when fromOffset is below the log start
   * or above the log end.
   *
   * With `buffers`, the records are read into the lease's buffers: they stay valid only
   * until the lease is released (see ReadBufferPool). Without, they are the caller's.
   */
  read(
    fromOffset: number,
    maxBytes: number,
    upTo: number,
    buffers?: ReadLease,
  ): Promise<ReadResult> {
    return this.#reader.read(fromOffset, maxBytes, upTo, buffers);
  }

  /**
   * ListOffsets by time: the first record at or after the log start whose timestamp is
   * >= `timestamp` (the time index finds the batch; that one batch is decoded), or null.
   */
  offsetForTimestamp(timestamp: number): Promise<TimestampAndOffset | null> {
    return this.#reader.offsetForTimestamp(timestamp);
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the first record with the largest timestamp, or null. */
  maxTimestampOffset(): Promise<TimestampAndOffset | null> {
    return this.#reader.maxTimestampOffset();
  }

  // ---- truncation, DeleteRecords, retention -------------------------------------------

  /**
   * Removes every batch holding an offset >= `offset` (replication: a follower diverging
   * from its leader). `offset` should be a batch boundary; when it falls inside a batch
   * that whole batch goes and logEndOffset becomes its base offset. No-op at or past the
   * log end; at or below the first segment's base, truncateFullyAndStartAt(offset).
   * Trims leader epochs and producer snapshots past the new end. Durable when it resolves.
   */
  truncateTo(offset: number): Promise<void> {
    checkOffset('offset', offset);
    return this.#mutate('truncation failed', async () => {
      await maintenance.truncateTo(this.#state, offset);
      this.#writer.resetToLogEnd();
    });
  }

  /** Deletes everything and restarts the log, empty, at `offset` (start = end = offset). */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    checkOffset('offset', offset);
    return this.#mutate('truncation failed', async () => {
      await maintenance.truncateFullyAndStartAt(this.#state, offset);
      this.#writer.resetToLogEnd();
    });
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (at most the log end; the
   * caller bounds it by the high watermark) and deletes segments wholly below it. Reads
   * below the new start fail with OFFSET_OUT_OF_RANGE. Resolves with the new log start
   * offset, durable.
   */
  deleteRecordsBefore(offset: number): Promise<number> {
    checkOffset('offset', offset);
    return this.#mutate('DeleteRecords failed', () =>
      maintenance.deleteRecordsBefore(this.#state, offset),
    );
  }

  /**
   * Deletes closed segments past retention.ms or retention.bytes, or below the log
   * start; never the active segment. The broker calls it periodically
   * (log.retention.check.interval.ms; see scheduleRetention). Works after a latched
   * failure too.
   */
  applyRetention(now: number = this.#state.now()): Promise<{ deletedSegments: number }> {
    return this.#writer.enqueue(async () => {
      if (this.#state.closed) throw this.#state.closedError();
      try {
        const decision = await maintenance.applyRetention(this.#state, this.#state.config, now);
        return { deletedSegments: decision.count };
      } catch (error) {
        throw this.#state.latch('retention failed', error);
      }
    });
  }

  // ---- producer snapshots -------------------------------------------------------------

  /**
   * Stores opaque producer-state bytes as the snapshot at `offset` (default: the log end
   * offset when called). Durable when it resolves; runs after appends queued before it.
   * Truncation deletes snapshots past the new end; the newest two are kept.
   */
  writeProducerSnapshot(data: Buffer, offset: number = this.#state.logEndOffset): Promise<void> {
    checkOffset('offset', offset);
    return this.#writer.enqueue(async () => {
      if (this.#state.closed) throw this.#state.closedError();
      await this.#state.snapshots.write(offset, data);
    });
  }

  /** The newest snapshot's bytes, or null. */
  async readProducerSnapshot(): Promise<Buffer | null> {
    return (await this.#state.snapshots.latest())?.data ?? null;
  }

  /** The newest snapshot with the offset it was taken at, or null. */
  latestProducerSnapshot(): Promise<{ offset: number; data: Buffer } | null> {
    return this.#state.snapshots.latest();
  }

  // ---- flush, close, delete -----------------------------------------------------------

  /** fsyncs everything appended so far, with the active segment's indexes. */
  flush(): Promise<void> {
    return this.#mutate('flush failed', async () => {
      const active = this.#state.active;
      await active.sync();
      await active.persistIndexes();
      await this.#state.epochs.flush();
      this.#writer.markFlushed();
    });
  }

  /**
   * Clean shutdown: waits for queued appends, fsyncs the log and its indexes, writes the
   * clean-shutdown marker and closes every file. Appends called after close() fail with
   * STORAGE_CLOSED. After a latched failure it closes without the marker, so the next
   * open recovers. If writing the clean state fails, the files are still closed and the
   * promise rejects with KAFKA_STORAGE_ERROR. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#state.closeRequested = true;
    this.#closing = this.#writer.enqueue(async () => {
      this.#writer.stopFlushTimer();
      let failure: StorageError | null = null;
      if (!this.#state.failure) {
        try {
          await maintenance.writeCleanState(this.#state);
        } catch (error) {
          failure = this.#state.latch('clean shutdown failed', error);
        }
      }
      await this.#closeFiles();
      if (failure) throw failure;
    });
    return this.#closing;
  }

  /** Closes the log without flushing and removes its directory. */
  delete(): Promise<void> {
    this.#state.closeRequested = true;
    return this.#writer.enqueue(async () => {
      this.#writer.stopFlushTimer();
      await this.#closeFiles();
      await this.#state.context.fs.rmdir(this.dir);
    });
  }

  /** Queues a task that writes: refused when closed or failed; its own failure latches. */
  #mutate<T>(what: string, run: () => Promise<T>): Promise<T> {
    return this.#writer.enqueue(async () => {
      this.#state.checkWritable();
      try {
        return await run();
      } catch (error) {
        if ((error as { code?: string }).code === 'OFFSET_OUT_OF_RANGE') throw error;
        throw this.#state.latch(what, error);
      }
    });
  }

  async #closeFiles(): Promise<void> {
    this.#state.closed = true;
    this.#reader.close();
    for (const segment of this.#state.segments) await segment.close();
  }
}
