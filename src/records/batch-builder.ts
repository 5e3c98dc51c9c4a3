/**
 * Building a RecordBatch (magic 2) from records: for control batches, the broker's own
 * internal topics, the CLI and benchmarks. The output passes validateProducedBatch (for
 * non-control batches) and reads back with readRecords.
 */
import { compress } from './compression/index.js';
import { crc32c } from './crc32c.js';
import { RecordsError } from './errors.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  CompressionType,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  TRANSACTIONAL_FLAG_MASK,
} from './layout.js';
import type { RecordHeader } from './record.js';
import { encodeRecords, type RecordInput } from './record-encoder.js';

/** A record to put in a batch. `timestamp` (epoch ms) defaults to the build time. */
export interface BatchRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
  timestamp?: bigint | number;
}

export interface BatchOptions {
  /** Default NONE. */
  compression?: CompressionType;
  /** Default 0; the broker overwrites it on append. */
  baseOffset?: bigint;
  /** Default -1; the broker overwrites it on append. */
  partitionLeaderEpoch?: number;
  /** Default -1 (not idempotent). */
  producerId?: bigint;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
}

/** Builds a batch, compressing the records if asked. */
export async function buildRecordBatch(
  records: readonly BatchRecord[],
  options: BatchOptions = {},
): Promise<Buffer> {
  const compression = options.compression ?? CompressionType.NONE;
  if (compression === CompressionType.NONE) return buildUncompressedRecordBatch(records, options);
  const { inputs, baseTimestamp, maxTimestamp } = normalize(records);
  const encoded = encodeRecords(inputs, baseTimestamp);
  const plain = Buffer.allocUnsafe(encoded.size);
  encoded.writeTo(plain, 0);
  const payload = await compress(compression, plain);
  const batch = Buffer.allocUnsafe(RECORDS_OFFSET + payload.length);
  payload.copy(batch, RECORDS_OFFSET);
  writeBatchHeader(batch, { ...options, compression }, inputs.length, baseTimestamp, maxTimestamp);
  return batch;
}

/** Builds an uncompressed batch synchronously; `options.compression` must be NONE. */
export function buildUncompressedRecordBatch(
  records: readonly BatchRecord[],
  options: BatchOptions = {},
): Buffer {
  if ((options.compression ?? CompressionType.NONE) !== CompressionType.NONE) {
    throw new RecordsError('UNSUPPORTED_COMPRESSION_TYPE', 'use buildRecordBatch to compress');
  }
  const { inputs, baseTimestamp, maxTimestamp } = normalize(records);
  const encoded = encodeRecords(inputs, baseTimestamp);
  const batch = Buffer.allocUnsafe(RECORDS_OFFSET + encoded.size);
  encoded.writeTo(batch, RECORDS_OFFSET);
  writeBatchHeader(batch, options, inputs.length, baseTimestamp, maxTimestamp);
  return batch;
}

/** Fills in timestamps; baseTimestamp is the first record's, as Kafka's producers do. */
function normalize(records: readonly BatchRecord[]): {
  inputs: RecordInput[];
  baseTimestamp: bigint;
  maxTimestamp: bigint;
} {
  if (records.length === 0) throw new RecordsError('INVALID_RECORD', 'a batch needs a record');
  const now = BigInt(Date.now());
  const inputs = records.map((record) => ({
    ...record,
    timestamp: record.timestamp === undefined ? now : BigInt(record.timestamp),
  }));
  const maxTimestamp = inputs.reduce((max, r) => (r.timestamp > max ? r.timestamp : max), -1n);
  return { inputs, baseTimestamp: inputs[0].timestamp, maxTimestamp };
}

/**
 * Writes the 61-byte header into `batch` (whose records are already in place), then the
 * CRC. Shared with the CLI producer, which encodes records into its buffer as they come.
 */
export function writeBatchHeader(
  batch: Buffer,
  options: BatchOptions,
  recordCount: number,
  baseTimestamp: bigint,
  maxTimestamp: bigint,
): void {
  const attributes =
    (options.compression ?? CompressionType.NONE) |
    (options.isTransactional ? TRANSACTIONAL_FLAG_MASK : 0) |
    (options.isControl ? CONTROL_FLAG_MASK : 0);
  batch.writeBigInt64BE(options.baseOffset ?? 0n, BASE_OFFSET_OFFSET);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  batch.writeInt32BE(
    options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    PARTITION_LEADER_EPOCH_OFFSET,
  );
  batch.writeInt8(CURRENT_MAGIC, MAGIC_OFFSET);
  batch.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  batch.writeInt32BE(recordCount - 1, LAST_OFFSET_DELTA_OFFSET);
  batch.writeBigInt64BE(baseTimestamp, BASE_TIMESTAMP_OFFSET);
  batch.writeBigInt64BE(maxTimestamp, MAX_TIMESTAMP_OFFSET);
  batch.writeBigInt64BE(options.producerId ?? NO_PRODUCER_ID, PRODUCER_ID_OFFSET);
  batch.writeInt16BE(options.producerEpoch ?? NO_PRODUCER_EPOCH, PRODUCER_EPOCH_OFFSET);
  batch.writeInt32BE(options.baseSequence ?? NO_SEQUENCE, BASE_SEQUENCE_OFFSET);
  batch.writeInt32BE(recordCount, RECORDS_COUNT_OFFSET);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
}
