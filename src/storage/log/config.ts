/**
 * Per-partition log settings, named after Kafka's topic configs (segment.bytes, ...).
 */
import { invalidArgument } from '../errors.js';

export interface LogConfig {
  /** segment.bytes: roll when the active segment would grow past this. At most 2^31-1. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first append is this old. */
  segmentMs: number;
  /** index.interval.bytes: bytes of batches between two offset-index entries. */
  indexIntervalBytes: number;
  /** retention.ms: delete closed segments whose newest batch is older; -1 keeps forever. */
  retentionMs: number;
  /** retention.bytes: delete oldest closed segments while the log is larger; -1: no limit. */
  retentionBytes: number;
  /** flush.messages: fsync after this many offsets were appended since the last fsync. */
  flushMessages: number;
  /** flush.ms: fsync when the oldest unsynced append is this old. */
  flushMs: number;
  /**
   * Weir's `--durable` switch (topic config weir.fsync.on.append): every append resolves
   * only after its bytes are fsynced. Coalesced appends share one fsync.
   */
  fsyncOnAppend: boolean;
  /**
   * Bound on segment files held open by the logs that share a FileHandlePool (by default,
   * all logs on one FileSystem). Idle handles beyond it are closed, least recently used
   * first. Read when the pool is created.
   */
  maxOpenSegmentFiles?: number;
}

/** Kafka's Long.MAX_VALUE "never", as an exact JS number. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export const DEFAULT_MAX_OPEN_SEGMENT_FILES = 1000;

/** Kafka's defaults: 1 GiB segments, 7-day roll and retention, flushing left to the OS. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  flushMessages: NEVER,
  flushMs: NEVER,
  fsyncOnAppend: false,
});

/** Smallest segment.bytes Kafka accepts (LegacyRecord.RECORD_OVERHEAD_V0). */
const MIN_SEGMENT_BYTES = 14;
const MAX_SEGMENT_BYTES = 2 ** 31 - 1;

/** Throws STORAGE_INVALID_ARGUMENT for values Kafka would reject. */
export function validateLogConfig(config: LogConfig): void {
  const check = (name: string, value: number, min: number, max = NEVER): void => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw invalidArgument(`${name} must be an integer in [${min}, ${max}], got ${value}`);
    }
  };
  check('segmentBytes', config.segmentBytes, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
  check('segmentMs', config.segmentMs, 1);
  check('indexIntervalBytes', config.indexIntervalBytes, 0);
  check('retentionMs', config.retentionMs, -1);
  check('retentionBytes', config.retentionBytes, -1);
  check('flushMessages', config.flushMessages, 1);
  check('flushMs', config.flushMs, 0);
  if (config.maxOpenSegmentFiles !== undefined) {
    check('maxOpenSegmentFiles', config.maxOpenSegmentFiles, 1);
  }
}
