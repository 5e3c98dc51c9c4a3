/**
 * Errors raised while reading, validating or building record batches.
 *
 * Codes are Kafka's own error names so a produce handler can answer with the matching
 * protocol error without a translation table of its own; `KAFKA_ERROR_CODE` gives the
 * wire number.
 */
import { CodedError } from '../common/errors.js';

export type RecordsErrorCode =
  /** Bytes that cannot be a well-formed batch: bad lengths, CRC mismatch, bad varints. */
  | 'CORRUPT_MESSAGE'
  /** The decompressed records would exceed the caller's output limit (a decompression bomb). */
  | 'MESSAGE_TOO_LARGE'
  /** Compression codec 5-7, or a codec whose native package failed to load. */
  | 'UNSUPPORTED_COMPRESSION_TYPE'
  /** Well-formed bytes with inconsistent content: wrong magic, record count vs offsets. */
  | 'INVALID_RECORD';

/** Kafka's numeric error codes (`Errors.java`) for each name above. */
export const KAFKA_ERROR_CODE: Readonly<Record<RecordsErrorCode, number>> = {
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
};

export class RecordsError extends CodedError {
  declare readonly code: RecordsErrorCode;

  constructor(code: RecordsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RecordsError';
  }
}

/** Shorthand used by the decoders: every malformed-bytes path ends here. */
export function corrupt(message: string, cause?: unknown): RecordsError {
  return new RecordsError('CORRUPT_MESSAGE', message, cause === undefined ? undefined : { cause });
}
