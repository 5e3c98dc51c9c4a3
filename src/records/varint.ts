/**
 * Zigzag varints as Kafka's records use them (`ByteUtils.java`): a signed value is
 * zigzag-mapped ((v << 1) ^ (v >> 63)) so small magnitudes of either sign stay short,
 * then written as unsigned LEB128, 7 bits per byte, low group first.
 *
 * A varint (int32) takes at most 5 bytes, a varlong (int64) at most 10. As in Kafka,
 * bits past the 32nd/64th in the last allowed byte are dropped, and a longer encoding is
 * an error. Writers take the position to write at and return the position after.
 */

/** Largest and smallest int64, handy for edge-case tests and range checks. */
export const INT64_MAX = (1n << 63n) - 1n;
export const INT64_MIN = -(1n << 63n);

export const MAX_VARINT_BYTES = 5;
export const MAX_VARLONG_BYTES = 10;

export function zigzagEncode32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

export function zigzagDecode32(encoded: number): number {
  return (encoded >>> 1) ^ -(encoded & 1);
}

export function zigzagEncode64(value: bigint): bigint {
  return BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
}

export function zigzagDecode64(encoded: bigint): bigint {
  return BigInt.asIntN(64, (encoded >> 1n) ^ -(encoded & 1n));
}

/** Bytes needed to write `value` (an int32) as a zigzag varint. */
export function sizeOfVarint(value: number): number {
  let unsigned = zigzagEncode32(value);
  let size = 1;
  while (unsigned >= 0x80) {
    unsigned >>>= 7;
    size++;
  }
  return size;
}

/**
 * Zigzag of a varlong as a plain number when it is exactly representable (|value| < 2^52,
 * which covers every realistic timestamp delta), so the common case avoids bigint math.
 */
const SMALL_LIMIT = 1n << 52n;
function smallZigzag(value: bigint): number | null {
  if (value <= -SMALL_LIMIT || value >= SMALL_LIMIT) return null;
  const n = Number(value);
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Bytes needed to write `value` (an int64) as a zigzag varlong. */
export function sizeOfVarlong(value: bigint): number {
  const small = smallZigzag(value);
  if (small !== null) {
    let size = 1;
    for (let rest = small; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
    return size;
  }
  let unsigned = zigzagEncode64(value);
  let size = 1;
  while (unsigned >= 0x80n) {
    unsigned >>= 7n;
    size++;
  }
  return size;
}

export function writeVarint(buffer: Buffer, offset: number, value: number): number {
  let unsigned = zigzagEncode32(value);
  while (unsigned >= 0x80) {
    buffer[offset++] = (unsigned & 0x7f) | 0x80;
    unsigned >>>= 7;
  }
  buffer[offset++] = unsigned;
  return offset;
}

export function writeVarlong(buffer: Buffer, offset: number, value: bigint): number {
  let small = smallZigzag(value);
  if (small !== null) {
    while (small >= 0x80) {
      buffer[offset++] = (small % 0x80) | 0x80;
      small = Math.floor(small / 0x80);
    }
    buffer[offset++] = small;
    return offset;
  }
  let unsigned = zigzagEncode64(value);
  while (unsigned >= 0x80n) {
    buffer[offset++] = Number(unsigned & 0x7fn) | 0x80;
    unsigned >>= 7n;
  }
  buffer[offset++] = Number(unsigned);
  return offset;
}
