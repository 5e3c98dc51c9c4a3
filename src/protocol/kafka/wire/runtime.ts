/**
 * The small runtime the generated codecs (../generated) call into. Hand-written code
 * should use Reader and Writer directly.
 */
import type { Reader } from './reader.js';

export { ZERO_UUID } from './uuid.js';
export {
  readTaggedFields,
  writeTaggedFields,
  type TaggedFieldWrite,
  type UnknownTaggedField,
} from './tagged-fields.js';

/** Shared empty byte field; decoders return slices, so nobody writes into it. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/**
 * Reads a non-nullable array. `minElementSize` bounds the length by the bytes left, so a
 * forged length fails before any element is allocated.
 */
export function readArray<T>(
  r: Reader,
  compact: boolean,
  minElementSize: number,
  readElement: (r: Reader) => T,
): T[] {
  const length = r.arrayLength(compact, minElementSize);
  if (length < 0) r.nullArray();
  const items = new Array<T>(length);
  for (let i = 0; i < length; i++) items[i] = readElement(r);
  return items;
}

export function readNullableArray<T>(
  r: Reader,
  compact: boolean,
  minElementSize: number,
  readElement: (r: Reader) => T,
): T[] | null {
  const length = r.arrayLength(compact, minElementSize);
  if (length < 0) return null;
  const items = new Array<T>(length);
  for (let i = 0; i < length; i++) items[i] = readElement(r);
  return items;
}

/**
 * Structural equality for decoded values (used to omit tagged fields equal to their
 * default). Buffers compare by content, bigints by value.
 */
export function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  return aKeys.every((key) => isDeepEqual(aRecord[key], bRecord[key]));
}
