/**
 * A bounds-checked cursor over a Buffer slice, for decoding record data that came from a
 * client and so may be malformed. Every read checks against `end` and fails with a
 * RecordsError (never a RangeError, never a read past the slice); slices it returns share
 * memory with the input (no copy).
 */
import { RecordsError, type RecordsErrorCode } from './errors.js';
import { MAX_VARINT_BYTES, MAX_VARLONG_BYTES, zigzagDecode32, zigzagDecode64 } from './varint.js';

/** Varlong bytes that fit a double exactly: 7 x 7 = 49 bits < 2^53. */
const FAST_VARLONG_BYTES = 7;

export class ByteReader {
  offset = 0;
  end = 0;

  /**
   * Reads `buffer[offset, end)`. `errorCode` is the code malformed input is reported with
   * (Kafka reports bad record structure as INVALID_RECORD).
   */
  constructor(
    readonly buffer: Buffer,
    offset: number,
    end: number,
    private readonly errorCode: RecordsErrorCode = 'INVALID_RECORD',
  ) {
    this.reset(offset, end);
  }

  /**
   * Points this reader at `[offset, end)` of the same buffer (e.g. a record body inside
   * the batch reader's range, so decoding a record allocates no reader of its own).
   */
  reset(offset: number, end: number): void {
    if (offset < 0 || end > this.buffer.length || offset > end) {
      throw new RangeError(
        `bad reader bounds [${offset}, ${end}) over ${this.buffer.length} bytes`,
      );
    }
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  fail(message: string): never {
    throw new RecordsError(this.errorCode, message);
  }

  readInt8(): number {
    if (this.offset >= this.end) this.fail('truncated: expected an int8');
    return this.buffer.readInt8(this.offset++);
  }

  readVarint(): number {
    let unsigned = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.offset >= this.end) this.fail('truncated varint');
      const byte = this.buffer[this.offset++];
      // At i = 4 the shift is 28: bits beyond the 32nd fall off, as in Kafka's readVarint.
      unsigned |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) return zigzagDecode32(unsigned >>> 0);
    }
    return this.fail(`varint longer than ${MAX_VARINT_BYTES} bytes`);
  }

  readVarlong(): bigint {
    const value = this.readVarlongCompact();
    return typeof value === 'bigint' ? value : BigInt(value);
  }

  /**
   * A varlong as a number when it is at most 7 bytes long (exact: below 2^48 in
   * magnitude), otherwise as a bigint; saves a bigint allocation on hot paths.
   */
  readVarlongCompact(): number | bigint {
    let unsigned = 0;
    let scale = 1;
    for (let i = 0; i < FAST_VARLONG_BYTES; i++) {
      if (this.offset >= this.end) this.fail('truncated varlong');
      const byte = this.buffer[this.offset++];
      unsigned += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2;
      scale *= 0x80;
    }
    return this.#readVarlongTail(BigInt(unsigned));
  }

  /** Bytes 8-10 of a varlong, in bigint arithmetic. */
  #readVarlongTail(low: bigint): bigint {
    let unsigned = low;
    for (let i = FAST_VARLONG_BYTES; i < MAX_VARLONG_BYTES; i++) {
      if (this.offset >= this.end) this.fail('truncated varlong');
      const byte = this.buffer[this.offset++];
      unsigned |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return zigzagDecode64(BigInt.asUintN(64, unsigned));
    }
    return this.fail(`varlong longer than ${MAX_VARLONG_BYTES} bytes`);
  }

  /** `length` bytes as a zero-copy slice. */
  readSlice(length: number): Buffer {
    if (length < 0 || length > this.remaining) {
      this.fail(`length ${length} exceeds the ${this.remaining} bytes left`);
    }
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  /** A varint length then that many bytes; length -1 means null. */
  readNullableBytes(what: string): Buffer | null {
    const length = this.readVarint();
    if (length === -1) return null;
    if (length < -1) this.fail(`negative ${what} length ${length}`);
    return this.readSlice(length);
  }
}
