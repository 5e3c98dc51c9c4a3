import type { Reader } from './reader.js';
import { Writer } from './writer.js';

/**
 * A tagged field this codec does not know (a newer client, or a tag not valid in this
 * version). Decoders keep its raw bytes so the message re-encodes to the same bytes.
 */
export interface UnknownTaggedField {
  tag: number;
  data: Buffer;
}

/** A known tagged field to encode: its tag and a function writing its value. */
export type TaggedFieldWrite = [tag: number, write: (w: Writer) => void];

/**
 * Writes a flexible struct's tagged-field section: count, then (tag, size, bytes) in
 * ascending tag order. Most structs carry none, so that case costs one byte.
 */
export function writeTaggedFields(
  w: Writer,
  known: TaggedFieldWrite[] | undefined,
  unknown: UnknownTaggedField[] | undefined,
): void {
  const knownCount = known?.length ?? 0;
  const unknownCount = unknown?.length ?? 0;
  if (knownCount + unknownCount === 0) {
    w.uvarint(0);
    return;
  }
  const entries: [number, Writer | Buffer][] = [];
  for (const [tag, write] of known ?? []) {
    const value = new Writer(64);
    write(value);
    entries.push([tag, value]);
  }
  for (const field of unknown ?? []) entries.push([field.tag, field.data]);
  entries.sort((a, b) => a[0] - b[0]);
  w.uvarint(entries.length);
  for (const [tag, value] of entries) {
    w.uvarint(tag);
    w.uvarint(value.length);
    if (value instanceof Writer) w.append(value);
    else w.raw(value);
  }
}

/**
 * Reads a tagged-field section, handing each field to `readKnown` (which decodes it from a
 * reader bounded to the field's size and returns true) or keeping it as unknown.
 */
export function readTaggedFields(
  r: Reader,
  readKnown: ((tag: number, field: Reader) => boolean) | undefined,
): UnknownTaggedField[] | undefined {
  const count = r.arrayLength(true, 2) + 1;
  let unknown: UnknownTaggedField[] | undefined;
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const field = r.slice(size);
    if (readKnown?.(tag, field)) continue;
    (unknown ??= []).push({ tag, data: field.buffer.subarray(field.offset, field.end) });
  }
  return unknown;
}
