/**
 * Kafka RecordBatch v2: views, validation, record decoding, building, CRC-32C and the
 * five compression codecs. Imports only src/common and node built-ins, so protocol,
 * storage and cluster code can all share it.
 */
export { RecordBatchView } from './batch-view.js';
export { splitBatches, walkBatches, type TrailingBytes } from './batch-walk.js';
export {
  validateProducedBatch,
  type BatchValidation,
  type ValidateOptions,
} from './batch-validate.js';
export {
  buildRecordBatch,
  buildUncompressedRecordBatch,
  writeBatchHeader,
  type BatchOptions,
  type BatchRecord,
} from './batch-builder.js';
export {
  RecordIterator,
  readRecords,
  readUncompressedRecords,
  type ReadRecordsOptions,
} from './record-iterator.js';
export type { KafkaRecord, RecordHeader } from './record.js';
export {
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  compress,
  compressionName,
  decompress,
  type DecompressOptions,
} from './compression/index.js';
export {
  crc32c,
  crc32cAddon,
  crc32cFallback,
  crc32cImplementation,
  crc32cNative,
} from './crc32c.js';
export { KAFKA_ERROR_CODE, RecordsError, type RecordsErrorCode } from './errors.js';
export * from './layout.js';
export * from './varint.js';
