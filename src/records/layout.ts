/**
 * Byte layout of a RecordBatch (magic 2), with Kafka's names from `DefaultRecordBatch.java`.
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8
 *   | crc uint32 | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64
 *   | maxTimestamp int64 | producerId int64 | producerEpoch int16 | baseSequence int32
 *   | recordsCount int32 | records...
 *
 * All integers are big-endian. `batchLength` counts the bytes after itself, so a batch
 * occupies LOG_OVERHEAD + batchLength bytes. The CRC-32C covers attributes..end; it leaves
 * out baseOffset, batchLength, partitionLeaderEpoch and magic so a broker can assign
 * offsets and stamp the leader epoch without recomputing it.
 */
export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;

/** baseOffset + batchLength: the bytes in front of what batchLength counts. */
export const LOG_OVERHEAD = 12;
/** The size of a batch with no records. */
export const RECORD_BATCH_OVERHEAD = RECORDS_OFFSET;
/** The smallest legal batchLength. */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;

export const CURRENT_MAGIC = 2;

/**
 * The smallest encoded record: length, attributes, timestampDelta, offsetDelta,
 * keyLength, valueLength and headerCount, one byte each. recordCount * MIN_RECORD_SIZE
 * must fit in the (uncompressed) records section.
 */
export const MIN_RECORD_SIZE = 7;

/** Attribute bits (the int16 at ATTRIBUTES_OFFSET). Bits 7-15 are unused. */
export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

/** Compression codec ids as carried in attribute bits 0-2. Ids 5-7 are invalid. */
export const CompressionType = {
  NONE: 0,
  GZIP: 1,
  SNAPPY: 2,
  LZ4: 3,
  ZSTD: 4,
} as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export const COMPRESSION_NAMES: Readonly<Record<CompressionType, string>> = {
  0: 'none',
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd',
};

export function isCompressionType(id: number): id is CompressionType {
  return Number.isInteger(id) && id >= CompressionType.NONE && id <= CompressionType.ZSTD;
}

/** Attribute bit 3. With LOG_APPEND_TIME every record's timestamp is the batch maxTimestamp. */
export const TimestampType = {
  CREATE_TIME: 0,
  LOG_APPEND_TIME: 1,
} as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** producerId/producerEpoch/baseSequence carried by batches from non-idempotent producers. */
export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
/** partitionLeaderEpoch before the broker stamps it. */
export const NO_PARTITION_LEADER_EPOCH = -1;
