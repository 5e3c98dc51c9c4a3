import { uuidToBytes } from './uuid.js';

/** Byte buffers at least this large are referenced, not copied (records, fetch data). */
const ZERO_COPY_THRESHOLD = 4096;
const INITIAL_CAPACITY = 1024;

/**
 * An append-only encoder for Kafka frames.
 *
 * Small values are written into a growing scratch buffer; large byte fields (record
 * batches) are kept as references, so encoding a Produce request or Fetch response with
 * megabytes of records copies none of them. `chunks()` hands the pieces to a socket
 * (writev); `toBuffer()` joins them when one Buffer is needed.
 *
 * Contract: buffers passed to `raw`/`bytes` must not change until the frame is written.
 */
export class Writer {
  private readonly done: Buffer[] = [];
  private doneLength = 0;
  private scratch: Buffer;
  private position = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.scratch = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.doneLength + this.position;
  }

  private ensure(size: number): void {
    if (this.position + size <= this.scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.position + size));
    this.scratch.copy(grown, 0, 0, this.position);
    this.scratch = grown;
  }

  int8(value: number): void {
    this.ensure(1);
    this.position = this.scratch.writeInt8(value, this.position);
  }

  int16(value: number): void {
    this.ensure(2);
    this.position = this.scratch.writeInt16BE(value, this.position);
  }

  uint16(value: number): void {
    this.ensure(2);
    this.position = this.scratch.writeUInt16BE(value, this.position);
  }

  int32(value: number): void {
    this.ensure(4);
    this.position = this.scratch.writeInt32BE(value, this.position);
  }

  uint32(value: number): void {
    this.ensure(4);
    this.position = this.scratch.writeUInt32BE(value, this.position);
  }

  int64(value: bigint): void {
    this.ensure(8);
    this.position = this.scratch.writeBigInt64BE(value, this.position);
  }

  float64(value: number): void {
    this.ensure(8);
    this.position = this.scratch.writeDoubleBE(value, this.position);
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.scratch[this.position++] = value ? 1 : 0;
  }

  uuid(value: string): void {
    this.raw(uuidToBytes(value));
  }

  /** Unsigned LEB128 varint; `value` must be a uint32. */
  uvarint(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`unsigned varint out of range: ${value}`);
    }
    this.ensure(5);
    let rest = value;
    while (rest >= 0x80) {
      this.scratch[this.position++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.scratch[this.position++] = rest;
  }

  /** Appends bytes as they are: copied when small, referenced when large. */
  raw(bytes: Buffer): void {
    if (bytes.length >= ZERO_COPY_THRESHOLD) {
      this.seal();
      this.done.push(bytes);
      this.doneLength += bytes.length;
      return;
    }
    this.ensure(bytes.length);
    this.position += bytes.copy(this.scratch, this.position);
  }

  private utf8(value: string, writeLength: (length: number) => void): void {
    const length = Buffer.byteLength(value, 'utf8');
    writeLength(length);
    this.ensure(length);
    this.position += this.scratch.write(value, this.position, length, 'utf8');
  }

  string(value: string): void {
    this.utf8(value, (length) => this.int16(checkInt16Length(length)));
  }

  nullableString(value: string | null): void {
    if (value === null) this.int16(-1);
    else this.string(value);
  }

  compactString(value: string): void {
    this.utf8(value, (length) => this.uvarint(length + 1));
  }

  compactNullableString(value: string | null): void {
    if (value === null) this.uvarint(0);
    else this.compactString(value);
  }

  bytes(value: Buffer): void {
    this.int32(value.length);
    this.raw(value);
  }

  nullableBytes(value: Buffer | null): void {
    if (value === null) this.int32(-1);
    else this.bytes(value);
  }

  compactBytes(value: Buffer): void {
    this.uvarint(value.length + 1);
    this.raw(value);
  }

  compactNullableBytes(value: Buffer | null): void {
    if (value === null) this.uvarint(0);
    else this.compactBytes(value);
  }

  /** Array length: int32 (-1 = null) or, when compact, uvarint N+1 (0 = null). */
  arrayLength(length: number | null, compact: boolean): void {
    if (compact) this.uvarint(length === null ? 0 : length + 1);
    else this.int32(length === null ? -1 : length);
  }

  /** Appends everything another writer produced (tagged fields carry their size first). */
  append(other: Writer): void {
    for (const chunk of other.chunks()) this.raw(chunk);
  }

  /** Moves the scratch bytes written so far into the list of finished chunks. */
  private seal(): void {
    if (this.position === 0) return;
    this.done.push(this.scratch.subarray(0, this.position));
    this.doneLength += this.position;
    this.scratch = this.scratch.subarray(this.position);
    this.position = 0;
    if (this.scratch.length < 64) this.scratch = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }

  /** The encoded bytes as a list of chunks, for writev. The writer must not be reused. */
  chunks(): Buffer[] {
    this.seal();
    return this.done;
  }

  /** The encoded bytes as one Buffer (copies only when there is more than one chunk). */
  toBuffer(): Buffer {
    const chunks = this.chunks();
    if (chunks.length === 1) return chunks[0]!;
    return Buffer.concat(chunks, this.doneLength);
  }
}

function checkInt16Length(length: number): number {
  if (length > 0x7fff) throw new RangeError(`string of ${length} bytes is too long`);
  return length;
}
