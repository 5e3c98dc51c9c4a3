/**
 * The mutable state of one partition log, shared by the parts that make it up: the
 * writer (log-writer.ts: the serial queue, appends, rolls), the reader (log-reader.ts)
 * and the maintenance operations (log-maintenance.ts: truncation, DeleteRecords,
 * retention, clean shutdown).
 *
 * Who may change what: segments, offsets and the layout change only on the writer's
 * serial queue (appends, rolls and queued tasks); reads only look. All on the one
 * event-loop thread.
 */
import type { Logger } from '../../common/logger.js';
import type { ProducerSnapshots } from '../checkpoint/producer-snapshots.js';
import { StorageError, storageFailure } from '../errors.js';
import type { LogConfig } from './config.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogSegment, SegmentContext } from './segment.js';

export interface LogStateInit {
  dir: string;
  config: LogConfig;
  context: SegmentContext;
  logger: Logger;
  now: () => number;
  epochs: LeaderEpochCache;
  snapshots: ProducerSnapshots;
  segments: LogSegment[];
  logStartOffset: number;
}

export class LogState {
  readonly dir: string;
  readonly config: LogConfig;
  readonly context: SegmentContext;
  readonly logger: Logger;
  readonly now: () => number;
  readonly epochs: LeaderEpochCache;
  readonly snapshots: ProducerSnapshots;
  /** Oldest first; the last one is the active segment. Never empty. */
  segments: LogSegment[];
  logStartOffset: number;
  /** Offset after the last written batch: everything below is visible. */
  logEndOffset: number;
  /** The latched write failure (see PartitionLog's contract). */
  failure: StorageError | null = null;
  /** close() or delete() was called: appends are refused. */
  closeRequested = false;
  /** The files are closed: reads are refused too. */
  closed = false;
  /** Bumped by truncation and segment deletion; reads that see it change retry. */
  layoutVersion = 0;

  constructor(init: LogStateInit) {
    this.dir = init.dir;
    this.config = init.config;
    this.context = init.context;
    this.logger = init.logger;
    this.now = init.now;
    this.epochs = init.epochs;
    this.snapshots = init.snapshots;
    this.segments = init.segments;
    this.logStartOffset = init.logStartOffset;
    this.logEndOffset = this.active.nextOffset;
  }

  get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  /** Index of the segment whose base offset is the largest <= offset (0 if none). */
  segmentIndexFor(offset: number): number {
    let low = 0;
    let high = this.segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** Latches the first failure (later ones are only returned) and returns the latched error. */
  latch(what: string, error: unknown): StorageError {
    if (!this.failure) {
      this.failure =
        error instanceof StorageError && error.code === 'KAFKA_STORAGE_ERROR'
          ? error
          : storageFailure(what, error);
      this.logger.error('partition log failed; appends fail until it is reopened', {
        dir: this.dir,
        error: this.failure.message,
      });
    }
    return this.failure;
  }

  /** Segments were deleted or cut: in-flight reads retry and read hints go stale. */
  changeLayout(): void {
    this.layoutVersion++;
  }

  closedError(): StorageError {
    return new StorageError('STORAGE_CLOSED', `log ${this.dir} is closed`);
  }

  /** For operations that write: throws when closed or failed. */
  checkWritable(): void {
    if (this.closed) throw this.closedError();
    if (this.failure) throw this.failure;
  }
}
