/**
 * Storage: one append-only log per partition on disk (DESIGN.md §4). It deals only in
 * offsets, bytes and record-batch headers and imports nothing but src/common and
 * src/records. The contract (visibility, durability, concurrency) is at the top of
 * log/partition-log.ts.
 */
export {
  PartitionLog,
  defaultFileHandlePool,
  type PartitionLogOptions,
  type ReadResult,
  type SegmentInfo,
} from './log/partition-log.js';
export type { AppendOptions, AppendResult } from './log/append-batches.js';
export {
  DEFAULT_LOG_CONFIG,
  DEFAULT_MAX_OPEN_SEGMENT_FILES,
  NEVER,
  validateLogConfig,
  type LogConfig,
} from './log/config.js';
export type { RecoveryReport } from './log/log-loader.js';
export type { TimestampAndOffset } from './log/timestamp-lookup.js';
export {
  LeaderEpochCache,
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
  type EpochEntry,
} from './log/leader-epoch-cache.js';
export { FileHandlePool } from './log/file-handle-pool.js';
export { ReadBufferPool, ReadLease, type ReadBufferPoolStats } from './log/read-buffer-pool.js';
export {
  scheduleRetention,
  selectExpiredSegments,
  type RetentionDecision,
} from './log/retention.js';
export { StorageError, type StorageErrorCode } from './errors.js';
export {
  readFully,
  writeFully,
  writeFullyNow,
  type FileHandle,
  type FileStat,
  type FileSystem,
  type OpenMode,
} from './fs/file-system.js';
export { realFileSystem } from './fs/real-file-system.js';
export {
  FaultInjectingFileSystem,
  type FaultInjectingOptions,
  type FaultRule,
  type FsOperation,
} from './fs/fault-injecting-file-system.js';
