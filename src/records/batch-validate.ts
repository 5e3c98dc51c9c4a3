/**
 * Validation of a produced RecordBatch, before the broker assigns offsets and appends it.
 *
 * The checks are Kafka's (`ProduceRequest.validateRecords`, `DefaultRecordBatch.ensureValid`,
 * `LogValidator.validateBatch`) and run in Kafka's order, reading only header bytes and
 * the CRC: records are never decoded, in line with "the broker moves bytes". Failures are
 * returned, not thrown, with the Kafka error name the produce response should carry.
 */
import { RecordBatchView } from './batch-view.js';
import type { RecordsErrorCode } from './errors.js';
import {
  BATCH_LENGTH_OFFSET,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MIN_RECORD_SIZE,
  RECORD_BATCH_OVERHEAD,
  isCompressionType,
} from './layout.js';

export type BatchValidation =
  { ok: true; batch: RecordBatchView } | { ok: false; code: RecordsErrorCode; message: string };

export interface ValidateOptions {
  /**
   * `client` (default) adds the checks Kafka applies only to client produce requests:
   * no control batches, and idempotent batches need a sequence. Coordinators appending
   * their own batches (transaction markers) pass `internal`.
   */
  origin?: 'client' | 'internal';
  /** max.message.bytes: a larger batch fails with MESSAGE_TOO_LARGE. */
  maxBatchBytes?: number;
}

/**
 * Validates `buffer` as the records of one partition in a Produce request (v3+), which
 * must hold exactly one magic-2 batch. On success the returned view covers `buffer`.
 */
export function validateProducedBatch(
  buffer: Buffer,
  options: ValidateOptions = {},
): BatchValidation {
  const framing = checkFraming(buffer, options.maxBatchBytes);
  if (framing) return framing;
  const batch = new RecordBatchView(buffer);
  const failure =
    checkIntegrity(batch) ??
    checkCounts(batch) ??
    (options.origin === 'internal' ? undefined : checkClientRules(batch));
  return failure ?? { ok: true, batch };
}

type Failure = Extract<BatchValidation, { ok: false }>;

function fail(code: RecordsErrorCode, message: string): Failure {
  return { ok: false, code, message };
}

/** Sizes and magic: is this exactly one v2 batch? */
function checkFraming(buffer: Buffer, maxBatchBytes: number | undefined): Failure | undefined {
  if (buffer.length <= MAGIC_OFFSET) {
    return fail('CORRUPT_MESSAGE', `${buffer.length} bytes cannot hold a record batch`);
  }
  const magic = buffer.readInt8(MAGIC_OFFSET);
  if (magic !== CURRENT_MAGIC) {
    return fail('INVALID_RECORD', `produce requests v3+ need magic ${CURRENT_MAGIC}, got ${magic}`);
  }
  if (buffer.length < RECORD_BATCH_OVERHEAD) {
    return fail(
      'CORRUPT_MESSAGE',
      `record batch shorter than its ${RECORD_BATCH_OVERHEAD}-byte header`,
    );
  }
  const size = LOG_OVERHEAD + buffer.readInt32BE(BATCH_LENGTH_OFFSET);
  if (size < RECORD_BATCH_OVERHEAD || size > buffer.length) {
    return fail('CORRUPT_MESSAGE', `batchLength claims ${size} bytes, ${buffer.length} present`);
  }
  if (size < buffer.length) {
    return fail('INVALID_RECORD', 'produce requests v3+ must carry exactly one record batch');
  }
  if (maxBatchBytes !== undefined && size > maxBatchBytes) {
    return fail(
      'MESSAGE_TOO_LARGE',
      `batch of ${size} bytes exceeds max.message.bytes ${maxBatchBytes}`,
    );
  }
  return undefined;
}

/** CRC, then the compression codec id. */
function checkIntegrity(batch: RecordBatchView): Failure | undefined {
  const computed = batch.computeCrc();
  if (computed !== batch.crc) {
    return fail(
      'CORRUPT_MESSAGE',
      `CRC mismatch: stored 0x${batch.crc.toString(16)}, computed 0x${computed.toString(16)}`,
    );
  }
  if (!isCompressionType(batch.compression)) {
    return fail('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression codec ${batch.compression}`);
  }
  return undefined;
}

/** recordCount must be plausible: an uncompressed batch needs MIN_RECORD_SIZE bytes each. */
function checkCounts(batch: RecordBatchView): Failure | undefined {
  const count = batch.recordCount;
  if (count < 0) return fail('INVALID_RECORD', `invalid record count ${count}`);
  if (batch.compression === 0 && count > batch.records.length / MIN_RECORD_SIZE) {
    return fail('CORRUPT_MESSAGE', `${count} records cannot fit in ${batch.records.length} bytes`);
  }
  return undefined;
}

/** What Kafka checks only for batches that come from clients (AppendOrigin.CLIENT). */
function checkClientRules(batch: RecordBatchView): Failure | undefined {
  const count = batch.recordCount;
  if (count === 0) return fail('INVALID_RECORD', 'a produced batch must hold records');
  if (batch.lastOffsetDelta + 1 !== count) {
    return fail(
      'INVALID_RECORD',
      `lastOffsetDelta ${batch.lastOffsetDelta} is inconsistent with record count ${count}`,
    );
  }
  if (batch.isControl) return fail('INVALID_RECORD', 'clients may not write control batches');
  if (batch.producerId >= 0n && batch.baseSequence < 0) {
    return fail('INVALID_RECORD', `invalid sequence ${batch.baseSequence} for an idempotent batch`);
  }
  return undefined;
}
