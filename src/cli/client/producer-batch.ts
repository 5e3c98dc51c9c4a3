/**
 * The producer's batch for one partition, as Kafka's ProducerBatch over a
 * MemoryRecordsBuilder: each record is encoded into the batch's buffer when it is
 * appended, so a queued record costs its bytes and no objects, and closing the batch only
 * writes the 61-byte header and the CRC. The bytes are a real RecordBatch v2, identical to
 * what `buildRecordBatch` makes of the same records.
 *
 * Buffers of exactly `batch.size` bytes come from a BufferPool and go back to it once the
 * batch is acknowledged (Kafka's BufferPool does the same), so steady production allocates
 * no buffers at all.
 */
import {
  CompressionType,
  RECORDS_OFFSET,
  compress,
  writeBatchHeader,
  type RecordHeader,
} from '../../records/index.js';
import type { SendCallback } from './producer.js';

/** What a record needs to be encoded. */
export interface AppendableRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
}

/** Free buffers of one size (batch.size), for batches to reuse. */
export class BufferPool {
  readonly size: number;
  readonly #free: Buffer[] = [];
  readonly #maxFree: number;

  /** Keeps at most `maxFree` free buffers; more are left to the garbage collector. */
  constructor(size: number, maxFree: number) {
    this.size = size;
    this.#maxFree = maxFree;
  }

  /** A buffer of at least `bytes`: a pooled one when `bytes` fits in `size`. */
  allocate(bytes: number): Buffer {
    if (bytes > this.size) return Buffer.allocUnsafe(bytes);
    return this.#free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** Returns a buffer nothing refers to any more (its bytes are on the wire or dropped). */
  release(buffer: Buffer): void {
    if (buffer.length === this.size && this.#free.length < this.#maxFree) this.#free.push(buffer);
  }

  get freeCount(): number {
    return this.#free.length;
  }
}

/** Encoded size of a record, its length varint included. */
export function sizeInBatch(
  record: AppendableRecord,
  offsetDelta: number,
  timestampDelta: number,
): number {
  const body = bodySize(record, offsetDelta, timestampDelta);
  return sizeOfUnsignedVarint(zigzag32(body)) + body;
}

/** Size of a record after its length varint. */
function bodySize(record: AppendableRecord, offsetDelta: number, timestampDelta: number): number {
  let size =
    1 + // attributes
    sizeOfUnsignedVarint(zigzag64(timestampDelta)) +
    sizeOfUnsignedVarint(zigzag32(offsetDelta)) +
    sizeOfBytes(record.key ?? null) +
    sizeOfBytes(record.value);
  const headers = record.headers;
  if (headers === undefined || headers.length === 0) return size + 1;
  size += sizeOfUnsignedVarint(zigzag32(headers.length));
  for (const header of headers) {
    const keyLength = Buffer.byteLength(header.key, 'utf8');
    size += sizeOfUnsignedVarint(zigzag32(keyLength)) + keyLength + sizeOfBytes(header.value);
  }
  return size;
}

export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  /** performance.now() after which linger closes the batch. */
  readonly deadline: number;
  /** Sends so far (retries). */
  attempts = 0;
  /** The finished batch, once closed and (if asked) compressed. */
  bytes: Buffer | null = null;
  /** Callbacks by record index; null until a record brings one. */
  callbacks: (SendCallback | undefined)[] | null = null;
  /**
   * Caller tags by record index, when the producer reports batches (see Producer.send).
   * A plain array of doubles: small ones live on the V8 heap, where a typed array would
   * cost an off-heap allocation per batch.
   */
  readonly tags: number[] | null;

  readonly #pool: BufferPool;
  #buffer: Buffer;
  #position = RECORDS_OFFSET;
  #count = 0;
  #baseTimestamp = 0;
  #maxTimestamp = -1;
  #recordBytes = 0;

  /** `firstRecordSize` sizes the buffer when one record is larger than batch.size. */
  constructor(
    topic: string,
    partition: number,
    pool: BufferPool,
    firstRecordSize: number,
    deadline: number,
    tagged: boolean,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.deadline = deadline;
    this.#pool = pool;
    this.#buffer = pool.allocate(RECORDS_OFFSET + firstRecordSize);
    this.tags = tagged ? [] : null;
  }

  get recordCount(): number {
    return this.#count;
  }

  /** Encoded bytes of the records appended so far (their share of buffer.memory). */
  get recordBytes(): number {
    return this.#recordBytes;
  }

  /** Bytes left in the buffer for more records. */
  get remaining(): number {
    return this.#buffer.length - this.#position;
  }

  /**
   * Encodes `record` into the batch; returns its encoded size, or 0 when it does not fit
   * (never for the first record: the buffer was sized for it).
   */
  tryAppend(record: AppendableRecord, timestamp: number, tag: number): number {
    if (this.#count === 0) this.#baseTimestamp = timestamp;
    const timestampDelta = timestamp - this.#baseTimestamp;
    const body = bodySize(record, this.#count, timestampDelta);
    const size = sizeOfUnsignedVarint(zigzag32(body)) + body;
    if (this.#count > 0 && this.#position + size > this.#buffer.length) return 0;
    this.#position = writeRecord(
      this.#buffer,
      this.#position,
      body,
      record,
      timestampDelta,
      this.#count,
    );
    if (timestamp > this.#maxTimestamp) this.#maxTimestamp = timestamp;
    if (this.tags !== null) this.tags.push(tag);
    this.#count++;
    this.#recordBytes += size;
    return size;
  }

  /** Keeps `callback` for the record just appended. */
  setCallback(callback: SendCallback): void {
    this.callbacks ??= [];
    this.callbacks[this.#count - 1] = callback;
  }

  #writeHeader(batch: Buffer, compression: CompressionType): void {
    writeBatchHeader(
      batch,
      { compression },
      this.#count,
      BigInt(this.#baseTimestamp),
      BigInt(this.#maxTimestamp),
    );
  }

  /**
   * Writes the header and CRC (compressing the records first if asked). Synchronous
   * without compression, so a full batch can go out in the same turn.
   */
  close(compression: CompressionType): Promise<void> | void {
    if (compression === CompressionType.NONE) {
      this.bytes = this.#buffer.subarray(0, this.#position);
      this.#writeHeader(this.bytes, compression);
      return;
    }
    return this.#closeCompressed(compression);
  }

  /** Hands the buffer back to the pool; the batch must not be sent after this. */
  release(): void {
    this.#pool.release(this.#buffer);
    this.bytes = null;
  }

  async #closeCompressed(compression: CompressionType): Promise<void> {
    const plain = this.#buffer.subarray(RECORDS_OFFSET, this.#position);
    const payload = await compress(compression, plain);
    const bytes = Buffer.allocUnsafe(RECORDS_OFFSET + payload.length);
    payload.copy(bytes, RECORDS_OFFSET);
    this.#writeHeader(bytes, compression);
    // The records now live in `bytes`: the pooled buffer can serve another batch.
    this.#pool.release(this.#buffer);
    this.#buffer = bytes;
    this.bytes = bytes;
  }
}

/** Writes one record (layout in src/records/record.ts); returns the position after it. */
function writeRecord(
  buffer: Buffer,
  position: number,
  body: number,
  record: AppendableRecord,
  timestampDelta: number,
  offsetDelta: number,
): number {
  position = writeUnsignedVarint(buffer, position, zigzag32(body));
  buffer[position++] = 0; // attributes: unused
  position = writeUnsignedVarint(buffer, position, zigzag64(timestampDelta));
  position = writeUnsignedVarint(buffer, position, zigzag32(offsetDelta));
  position = writeBytes(buffer, position, record.key ?? null);
  position = writeBytes(buffer, position, record.value);
  const headers = record.headers;
  if (headers === undefined || headers.length === 0) {
    buffer[position++] = 0; // no headers
    return position;
  }
  position = writeUnsignedVarint(buffer, position, zigzag32(headers.length));
  for (const header of headers) {
    const keyLength = Buffer.byteLength(header.key, 'utf8');
    position = writeUnsignedVarint(buffer, position, zigzag32(keyLength));
    position += buffer.write(header.key, position, keyLength, 'utf8');
    position = writeBytes(buffer, position, header.value);
  }
  return position;
}

function writeBytes(buffer: Buffer, position: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buffer[position] = 1; // zigzag(-1): null
    return position + 1;
  }
  position = writeUnsignedVarint(buffer, position, zigzag32(bytes.length));
  // Uint8Array.set is a plain memmove; Buffer.copy costs more for small values.
  buffer.set(bytes, position);
  return position + bytes.length;
}

function sizeOfBytes(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfUnsignedVarint(zigzag32(bytes.length)) + bytes.length;
}

function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

/**
 * Zigzag of an int64 held in a number (a timestamp delta: exact below 2^52, which covers
 * any real clock), without bigint arithmetic.
 */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Varint size of a non-negative number below 2^53. */
function sizeOfUnsignedVarint(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 5;
  for (let rest = Math.floor(value / 0x800000000); rest > 0; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** Writes a non-negative number below 2^53 as an unsigned LEB128 varint. */
function writeUnsignedVarint(buffer: Buffer, position: number, value: number): number {
  if (value < 0x80000000) {
    let v = value | 0;
    while (v >= 0x80) {
      buffer[position++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buffer[position++] = v;
    return position;
  }
  while (value >= 0x80) {
    buffer[position++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buffer[position++] = value;
  return position;
}
