/**
 * Encoding records into a records section (the bytes after recordsCount, before any
 * compression). Sizes are computed first so the output is written into one allocation.
 */
import type { RecordHeader } from './record.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

/** A record to encode. `timestamp` is epoch milliseconds. */
export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
  timestamp: bigint;
}

/** A record with every size worked out, ready to write. */
interface PreparedRecord {
  bodySize: number;
  timestampDelta: bigint;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: Buffer; value: Buffer | null }>;
}

function sizeOfBytes(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length;
}

function prepare(record: RecordInput, offsetDelta: number, baseTimestamp: bigint): PreparedRecord {
  const headers = (record.headers ?? []).map((header) => ({
    key: Buffer.from(header.key, 'utf8'),
    value: header.value,
  }));
  const timestampDelta = record.timestamp - baseTimestamp;
  const key = record.key ?? null;
  let bodySize =
    1 + // attributes
    sizeOfVarlong(timestampDelta) +
    sizeOfVarint(offsetDelta) +
    sizeOfBytes(key) +
    sizeOfBytes(record.value) +
    sizeOfVarint(headers.length);
  for (const header of headers) bodySize += sizeOfBytes(header.key) + sizeOfBytes(header.value);
  return { bodySize, timestampDelta, offsetDelta, key, value: record.value, headers };
}

function writeBytes(buffer: Buffer, offset: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buffer, offset, -1);
  offset = writeVarint(buffer, offset, bytes.length);
  return offset + bytes.copy(buffer, offset);
}

function writeRecord(buffer: Buffer, offset: number, record: PreparedRecord): number {
  offset = writeVarint(buffer, offset, record.bodySize);
  buffer[offset++] = 0; // attributes: unused
  offset = writeVarlong(buffer, offset, record.timestampDelta);
  offset = writeVarint(buffer, offset, record.offsetDelta);
  offset = writeBytes(buffer, offset, record.key);
  offset = writeBytes(buffer, offset, record.value);
  offset = writeVarint(buffer, offset, record.headers.length);
  for (const header of record.headers) {
    offset = writeBytes(buffer, offset, header.key);
    offset = writeBytes(buffer, offset, header.value);
  }
  return offset;
}

/**
 * A records section writer: `size` is known before anything is written, so the caller
 * can place the records straight after a batch header in the same Buffer.
 */
export interface EncodedRecords {
  size: number;
  writeTo(buffer: Buffer, offset: number): void;
}

/** Record i gets offsetDelta i; timestamps are stored relative to `baseTimestamp`. */
export function encodeRecords(
  records: readonly RecordInput[],
  baseTimestamp: bigint,
): EncodedRecords {
  const prepared = records.map((record, index) => prepare(record, index, baseTimestamp));
  const size = prepared.reduce((sum, r) => sum + sizeOfVarint(r.bodySize) + r.bodySize, 0);
  return {
    size,
    writeTo(buffer: Buffer, offset: number): void {
      for (const record of prepared) offset = writeRecord(buffer, offset, record);
    },
  };
}
