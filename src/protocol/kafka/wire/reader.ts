import { KafkaDecodeError } from './decode-error.js';
import { uuidFromBytes } from './uuid.js';

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A bounds-checked cursor over one Kafka frame (or a slice of one).
 *
 * Contract: no read ever trusts a length field. Every length is compared with the bytes
 * left before anything is allocated, so a hostile frame costs at most its own size;
 * failures throw KafkaDecodeError. Byte fields (`bytes`, `records`) are returned as
 * slices that share memory with the frame: callers that keep them past the frame's
 * lifetime must copy.
 */
export class Reader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Fails unless `size` more bytes are available; returns the start position. */
  private take(size: number): number {
    const start = this.offset;
    if (size > this.end - start) {
      throw new KafkaDecodeError(`need ${size} bytes, ${this.end - start} left`, start);
    }
    this.offset = start + size;
    return start;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }

  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }

  uint16(): number {
    return this.buffer.readUInt16BE(this.take(2));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }

  uint32(): number {
    return this.buffer.readUInt32BE(this.take(4));
  }

  int64(): bigint {
    return this.buffer.readBigInt64BE(this.take(8));
  }

  float64(): number {
    return this.buffer.readDoubleBE(this.take(8));
  }

  bool(): boolean {
    return this.buffer[this.take(1)] !== 0;
  }

  uuid(): string {
    const start = this.take(16);
    return uuidFromBytes(this.buffer.subarray(start, start + 16));
  }

  /** Unsigned LEB128 varint of at most 5 bytes (a uint32). */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer[this.take(1)]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) break;
        return value;
      }
    }
    throw new KafkaDecodeError('unsigned varint is too long', this.offset);
  }

  /** Skips `size` bytes (unknown tagged fields). */
  skip(size: number): void {
    this.take(size);
  }

  /** Returns a sub-reader over the next `size` bytes and moves past them. */
  slice(size: number): Reader {
    const start = this.take(size);
    return new Reader(this.buffer, start, start + size);
  }

  // Lengths: -1 (non-flexible) and 0 (flexible, i.e. N+1 encoding) mean null.

  private stringOfLength(length: number, nullable: boolean): string | null {
    if (length < 0) return this.nullOrFail(length, nullable, 'string');
    const start = this.take(length);
    try {
      return textDecoder.decode(this.buffer.subarray(start, start + length));
    } catch {
      throw new KafkaDecodeError('string is not valid UTF-8', start);
    }
  }

  private bytesOfLength(length: number, nullable: boolean): Buffer | null {
    if (length < 0) return this.nullOrFail(length, nullable, 'bytes');
    const start = this.take(length);
    return this.buffer.subarray(start, start + length);
  }

  private nullOrFail(length: number, nullable: boolean, what: string): null {
    if (length === -1 && nullable) return null;
    throw new KafkaDecodeError(`invalid ${what} length ${length}`, this.offset);
  }

  string(): string {
    return this.stringOfLength(this.int16(), false)!;
  }

  nullableString(): string | null {
    return this.stringOfLength(this.int16(), true);
  }

  compactString(): string {
    return this.stringOfLength(this.uvarint() - 1, false)!;
  }

  compactNullableString(): string | null {
    return this.stringOfLength(this.uvarint() - 1, true);
  }

  bytes(): Buffer {
    return this.bytesOfLength(this.int32(), false)!;
  }

  nullableBytes(): Buffer | null {
    return this.bytesOfLength(this.int32(), true);
  }

  compactBytes(): Buffer {
    return this.bytesOfLength(this.uvarint() - 1, false)!;
  }

  compactNullableBytes(): Buffer | null {
    return this.bytesOfLength(this.uvarint() - 1, true);
  }

  /**
   * Reads an array length (int32, or uvarint N+1 when compact) and checks it against the
   * bytes left, assuming every element takes at least `minElementSize` bytes. Returns -1
   * for a null array (the caller decides whether null is allowed).
   */
  arrayLength(compact: boolean, minElementSize: number): number {
    const position = this.offset;
    const length = compact ? this.uvarint() - 1 : this.int32();
    if (length < -1) throw new KafkaDecodeError(`invalid array length ${length}`, position);
    if (length * minElementSize > this.end - this.offset) {
      throw new KafkaDecodeError(
        `array of ${length} elements does not fit in ${this.end - this.offset} bytes`,
        position,
      );
    }
    return length;
  }

  /** Fails when a non-nullable array arrived as null. */
  nullArray(): never {
    throw new KafkaDecodeError('non-nullable array is null', this.offset);
  }
}
