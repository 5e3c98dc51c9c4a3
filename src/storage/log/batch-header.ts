/**
 * Reading and patching the few batch-header fields storage needs, as JS numbers, straight
 * from a buffer at a position. Storage walks batches this way on every append and read,
 * so these helpers allocate nothing (no views, no BigInts). Offsets and timestamps are
 * exact as numbers up to 2^53.
 */
import {
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
} from '../../records/index.js';

const TWO_32 = 4294967296;

/** Header bytes needed to read every field below (through lastOffsetDelta). */
export const OFFSETS_HEADER_BYTES = LAST_OFFSET_DELTA_OFFSET + 4;
/** Header bytes needed to read maxTimestamp too. */
export const TIMESTAMPS_HEADER_BYTES = MAX_TIMESTAMP_OFFSET + 8;

// Plain byte arithmetic rather than Buffer's read/write methods: these run for every
// batch on the append and read paths, and skip the methods' argument validation. Callers
// guarantee the bytes are in bounds (batch framing is checked before any of this).

export function readInt32(buffer: Buffer, position: number): number {
  return (
    (buffer[position] << 24) |
    (buffer[position + 1] << 16) |
    (buffer[position + 2] << 8) |
    buffer[position + 3]
  );
}

export function readInt64(buffer: Buffer, position: number): number {
  const low = readInt32(buffer, position + 4) >>> 0;
  return readInt32(buffer, position) * TWO_32 + low;
}

export function writeInt32(buffer: Buffer, value: number, position: number): void {
  buffer[position] = value >>> 24;
  buffer[position + 1] = value >>> 16;
  buffer[position + 2] = value >>> 8;
  buffer[position + 3] = value;
}

export function writeInt64(buffer: Buffer, value: number, position: number): void {
  const high = Math.floor(value / TWO_32);
  writeInt32(buffer, high, position);
  writeInt32(buffer, value - high * TWO_32, position + 4);
}

/** LOG_OVERHEAD + batchLength: the batch's whole size. */
export function batchSizeAt(buffer: Buffer, position: number): number {
  return LOG_OVERHEAD + readInt32(buffer, position + BATCH_LENGTH_OFFSET);
}

export function baseOffsetAt(buffer: Buffer, position: number): number {
  return readInt64(buffer, position + BASE_OFFSET_OFFSET);
}

export function lastOffsetDeltaAt(buffer: Buffer, position: number): number {
  return readInt32(buffer, position + LAST_OFFSET_DELTA_OFFSET);
}

export function lastOffsetAt(buffer: Buffer, position: number): number {
  return baseOffsetAt(buffer, position) + lastOffsetDeltaAt(buffer, position);
}

export function maxTimestampAt(buffer: Buffer, position: number): number {
  return readInt64(buffer, position + MAX_TIMESTAMP_OFFSET);
}

export function magicAt(buffer: Buffer, position: number): number {
  return (buffer[position + MAGIC_OFFSET] << 24) >> 24;
}

export function leaderEpochAt(buffer: Buffer, position: number): number {
  return readInt32(buffer, position + PARTITION_LEADER_EPOCH_OFFSET);
}

/** Assigns the batch's baseOffset. Outside the CRC: the stored CRC stays valid. */
export function setBaseOffsetAt(buffer: Buffer, position: number, offset: number): void {
  writeInt64(buffer, offset, position + BASE_OFFSET_OFFSET);
}

/** Stamps the leader epoch. Outside the CRC. */
export function setLeaderEpochAt(buffer: Buffer, position: number, epoch: number): void {
  writeInt32(buffer, epoch, position + PARTITION_LEADER_EPOCH_OFFSET);
}
