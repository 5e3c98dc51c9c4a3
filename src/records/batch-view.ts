/**
 * RecordBatchView: a zero-copy window onto one RecordBatch (magic 2) in a Buffer.
 *
 * Header fields are read straight from the bytes on every access; nothing is decoded or
 * copied up front, so a broker can look at, validate and patch a produced batch and then
 * append the very same bytes. Records are not touched here (see record-iterator.ts).
 *
 * Contract: the view shares memory with the Buffer it was made from. The setters patch
 * that memory in place, so anyone else holding the same bytes sees the change. A view
 * does not validate; call validateProducedBatch (or isCrcValid) before trusting it.
 */
import { crc32c } from './crc32c.js';
import { corrupt } from './errors.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  DELETE_HORIZON_FLAG_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  TimestampType,
} from './layout.js';

export class RecordBatchView {
  /** The batch's bytes, starting at baseOffset. */
  readonly buffer: Buffer;

  /**
   * Views `buffer` as one batch. Only requires the 61 header bytes to be present; use
   * `RecordBatchView.at` or walkBatches to cut a batch out of a larger buffer.
   */
  constructor(buffer: Buffer) {
    if (buffer.length < RECORD_BATCH_OVERHEAD) {
      throw corrupt(`a record batch needs ${RECORD_BATCH_OVERHEAD} bytes, got ${buffer.length}`);
    }
    this.buffer = buffer;
  }

  /**
   * The batch starting at `position` in `buffer`, sliced (without copying) to exactly
   * LOG_OVERHEAD + batchLength bytes. Throws CORRUPT_MESSAGE if that does not fit.
   */
  static at(buffer: Buffer, position = 0): RecordBatchView {
    if (buffer.length - position < RECORD_BATCH_OVERHEAD) {
      throw corrupt(`truncated record batch header at position ${position}`);
    }
    const size = LOG_OVERHEAD + buffer.readInt32BE(position + BATCH_LENGTH_OFFSET);
    if (size < RECORD_BATCH_OVERHEAD || position + size > buffer.length) {
      throw corrupt(`record batch at position ${position} claims ${size} bytes`);
    }
    return new RecordBatchView(buffer.subarray(position, position + size));
  }

  get baseOffset(): bigint {
    return this.buffer.readBigInt64BE(BASE_OFFSET_OFFSET);
  }

  /** Bytes after the batchLength field. */
  get batchLength(): number {
    return this.buffer.readInt32BE(BATCH_LENGTH_OFFSET);
  }

  /** LOG_OVERHEAD + batchLength: the batch's whole size on the wire and on disk. */
  get sizeInBytes(): number {
    return LOG_OVERHEAD + this.batchLength;
  }

  get partitionLeaderEpoch(): number {
    return this.buffer.readInt32BE(PARTITION_LEADER_EPOCH_OFFSET);
  }

  get magic(): number {
    return this.buffer.readInt8(MAGIC_OFFSET);
  }

  /** The stored CRC-32C, unsigned. */
  get crc(): number {
    return this.buffer.readUInt32BE(CRC_OFFSET);
  }

  get attributes(): number {
    return this.buffer.readInt16BE(ATTRIBUTES_OFFSET);
  }

  /** Attribute bits 0-2: a CompressionType for valid batches, 5-7 for invalid ones. */
  get compression(): number {
    return this.attributes & COMPRESSION_CODEC_MASK;
  }

  get timestampType(): TimestampType {
    return this.attributes & TIMESTAMP_TYPE_MASK
      ? TimestampType.LOG_APPEND_TIME
      : TimestampType.CREATE_TIME;
  }

  get isTransactional(): boolean {
    return (this.attributes & TRANSACTIONAL_FLAG_MASK) !== 0;
  }

  get isControl(): boolean {
    return (this.attributes & CONTROL_FLAG_MASK) !== 0;
  }

  /** Set by compaction: baseTimestamp then holds the delete horizon (KIP-534). */
  get hasDeleteHorizonMs(): boolean {
    return (this.attributes & DELETE_HORIZON_FLAG_MASK) !== 0;
  }

  get lastOffsetDelta(): number {
    return this.buffer.readInt32BE(LAST_OFFSET_DELTA_OFFSET);
  }

  get baseTimestamp(): bigint {
    return this.buffer.readBigInt64BE(BASE_TIMESTAMP_OFFSET);
  }

  get maxTimestamp(): bigint {
    return this.buffer.readBigInt64BE(MAX_TIMESTAMP_OFFSET);
  }

  get producerId(): bigint {
    return this.buffer.readBigInt64BE(PRODUCER_ID_OFFSET);
  }

  get producerEpoch(): number {
    return this.buffer.readInt16BE(PRODUCER_EPOCH_OFFSET);
  }

  get baseSequence(): number {
    return this.buffer.readInt32BE(BASE_SEQUENCE_OFFSET);
  }

  get recordCount(): number {
    return this.buffer.readInt32BE(RECORDS_COUNT_OFFSET);
  }

  /** baseOffset + lastOffsetDelta. */
  get lastOffset(): bigint {
    return this.baseOffset + BigInt(this.lastOffsetDelta);
  }

  /** True when batchLength is plausible and the bytes it claims are all in the buffer. */
  get isComplete(): boolean {
    const size = this.sizeInBytes;
    return size >= RECORD_BATCH_OVERHEAD && size <= this.buffer.length;
  }

  /** The records section (compressed when compression != NONE), zero-copy. */
  get records(): Buffer {
    return this.buffer.subarray(RECORDS_OFFSET, this.#end());
  }

  /** CRC-32C over attributes..end, as it should be stored. */
  computeCrc(): number {
    return crc32c(this.buffer.subarray(ATTRIBUTES_OFFSET, this.#end()));
  }

  isCrcValid(): boolean {
    return this.isComplete && this.computeCrc() === this.crc;
  }

  /** Assigns offsets. Outside the CRC: the stored CRC stays valid. */
  setBaseOffset(baseOffset: bigint): void {
    this.buffer.writeBigInt64BE(baseOffset, BASE_OFFSET_OFFSET);
  }

  /** Stamps the leader's epoch. Outside the CRC: the stored CRC stays valid. */
  setPartitionLeaderEpoch(epoch: number): void {
    this.buffer.writeInt32BE(epoch, PARTITION_LEADER_EPOCH_OFFSET);
  }

  /**
   * Sets the timestamp type bit and maxTimestamp, then recomputes the CRC (both are
   * inside it). A broker with message.timestamp.type=LogAppendTime calls this with its
   * append time; records then read back with that timestamp. Like Kafka's
   * DefaultRecordBatch.setMaxTimestamp, it is a no-op when nothing changes.
   */
  setMaxTimestamp(timestampType: TimestampType, maxTimestamp: bigint): void {
    if (this.timestampType === timestampType && this.maxTimestamp === maxTimestamp) return;
    this.#end(); // check before writing anything, so a bad batch is never half-patched
    const attributes =
      timestampType === TimestampType.LOG_APPEND_TIME
        ? this.attributes | TIMESTAMP_TYPE_MASK
        : this.attributes & ~TIMESTAMP_TYPE_MASK;
    this.buffer.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
    this.buffer.writeBigInt64BE(maxTimestamp, MAX_TIMESTAMP_OFFSET);
    this.buffer.writeUInt32BE(this.computeCrc(), CRC_OFFSET);
  }

  /** End of the batch within `buffer`; throws rather than silently clamping. */
  #end(): number {
    if (!this.isComplete) {
      throw corrupt(
        `batchLength ${this.batchLength} does not fit the ${this.buffer.length} bytes held`,
      );
    }
    return this.sizeInBytes;
  }
}
