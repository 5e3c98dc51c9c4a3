/**
 * Errors raised by storage. Codes that a Kafka handler can answer with directly carry
 * Kafka's own error name; storage-internal conditions use a STORAGE_ prefix.
 */
import { CodedError } from '../common/errors.js';

export type StorageErrorCode =
  /** A read, truncation or DeleteRecords offset outside [logStartOffset, logEndOffset]. */
  | 'OFFSET_OUT_OF_RANGE'
  /**
   * A file operation failed. Once a write, fsync or roll fails the partition latches this
   * error: every later append, truncation or flush fails with it until the log is reopened
   * (which runs recovery). `cause` holds the file-system error.
   */
  | 'KAFKA_STORAGE_ERROR'
  /** `append` was given bytes that are not whole magic-2 batches. */
  | 'CORRUPT_MESSAGE'
  /** A batch larger than segment.bytes can never be stored. */
  | 'RECORD_LIST_TOO_LARGE'
  /** The log was closed or deleted. */
  | 'STORAGE_CLOSED'
  /** A caller bug: an offset that is not a safe integer, a bad config value. */
  | 'STORAGE_INVALID_ARGUMENT'
  /** A checkpoint file (leader epochs, log start, recovery point) cannot be parsed. */
  | 'STORAGE_CORRUPT_CHECKPOINT';

export class StorageError extends CodedError {
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StorageError';
  }
}

/** Wraps a file-system failure as the error a partition latches. */
export function storageFailure(what: string, cause: unknown): StorageError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StorageError('KAFKA_STORAGE_ERROR', `${what}: ${detail}`, { cause });
}

export function invalidArgument(message: string): StorageError {
  return new StorageError('STORAGE_INVALID_ARGUMENT', message);
}

/** Offsets are JS numbers: exact up to 2^53, and never negative in a log. */
export function checkOffset(name: string, offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw invalidArgument(`${name} must be a non-negative safe integer, got ${offset}`);
  }
}
