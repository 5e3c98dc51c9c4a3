/**
 * A header-only walk over LZ4 frames (the LZ4 Frame Format spec, v1.6.x), which is what
 * Kafka stores for codec 3 in magic-2 batches (KafkaLZ4BlockOutputStream, librdkafka's
 * LZ4F). It decompresses nothing: it checks the framing and bounds the output size, so a
 * bomb is refused before any native decoder allocates.
 *
 *   frame = magic 0x184D2204 (LE) | FLG | BD | [contentSize u64] | [dictId u32] | HC
 *           | blocks... | endMark 0x00000000 | [contentChecksum u32]
 *   block = size u32 LE (high bit: stored uncompressed) | data | [blockChecksum u32]
 * Skippable frames (magic 0x184D2A50-5F, u32 size, payload) are allowed between frames.
 *
 * The bound: a stored block yields its size; a compressed block of n bytes yields at most
 * min(blockMaxSize, 255 * n), since every LZ4 byte that is not a literal adds at most 255
 * bytes of match length. Encoders fill every block but the last, so the bound exceeds
 * the true size by less than one block (64 KiB for Kafka's and librdkafka's encoders).
 */
import { corrupt } from '../errors.js';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC = 0x184d2a50;
const SKIPPABLE_MASK = 0xfffffff0;
const UNCOMPRESSED_BIT = 0x80000000;
const MAX_LZ4_RATIO = 255;

/** Block maximum size by the BD byte's 3-bit id; ids 0-3 are reserved. */
const BLOCK_MAX_SIZE: Readonly<Record<number, number>> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
};

export interface Lz4FrameLayout {
  /** [start, end) of each LZ4 frame, skippable frames excluded. */
  frames: Array<{ start: number; end: number }>;
  /** An upper bound of the decompressed size of all frames together. */
  maxOutputBytes: number;
}

export function walkLz4Frames(data: Buffer): Lz4FrameLayout {
  if (data.length === 0) throw corrupt('empty lz4 data');
  const layout: Lz4FrameLayout = { frames: [], maxOutputBytes: 0 };
  let position = 0;
  while (position < data.length) {
    need(data, position, 4);
    const magic = data.readUInt32LE(position);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(data, position, 8);
      position = advance(data, position + 8, data.readUInt32LE(position + 4));
      continue;
    }
    if (magic !== FRAME_MAGIC) throw corrupt(`bad lz4 frame magic 0x${magic.toString(16)}`);
    const frame = walkFrame(data, position + 4);
    layout.frames.push({ start: position, end: frame.end });
    layout.maxOutputBytes += frame.maxOutputBytes;
    position = frame.end;
  }
  return layout;
}

interface FrameDescriptor {
  blockMaxSize: number;
  blockChecksum: boolean;
  contentChecksum: boolean;
  /** Where the first block starts. */
  end: number;
}

function readDescriptor(data: Buffer, position: number): FrameDescriptor {
  need(data, position, 2);
  const flg = data[position];
  const bd = data[position + 1];
  if (flg >> 6 !== 1) throw corrupt(`unsupported lz4 frame version ${flg >> 6}`);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw corrupt('lz4 frame reserved bits set');
  const blockMaxSize = BLOCK_MAX_SIZE[(bd >> 4) & 0x07];
  if (blockMaxSize === undefined) throw corrupt(`bad lz4 block maximum size id ${(bd >> 4) & 7}`);
  const optionalBytes = (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
  return {
    blockMaxSize,
    blockChecksum: (flg & 0x10) !== 0,
    contentChecksum: (flg & 0x04) !== 0,
    end: advance(data, position, 2 + optionalBytes + 1), // + header checksum byte
  };
}

function walkFrame(data: Buffer, position: number): { end: number; maxOutputBytes: number } {
  const descriptor = readDescriptor(data, position);
  let maxOutputBytes = 0;
  position = descriptor.end;
  for (;;) {
    need(data, position, 4);
    const word = data.readUInt32LE(position);
    position += 4;
    if (word === 0) break; // EndMark
    const size = (word & ~UNCOMPRESSED_BIT) >>> 0;
    if (size > descriptor.blockMaxSize)
      throw corrupt(`lz4 block of ${size} bytes exceeds its maximum`);
    maxOutputBytes +=
      word & UNCOMPRESSED_BIT ? size : Math.min(descriptor.blockMaxSize, MAX_LZ4_RATIO * size);
    position = advance(data, position, size + (descriptor.blockChecksum ? 4 : 0));
  }
  const end = advance(data, position, descriptor.contentChecksum ? 4 : 0);
  return { end, maxOutputBytes };
}

function need(data: Buffer, position: number, bytes: number): void {
  if (data.length - position < bytes) throw corrupt('truncated lz4 frame');
}

function advance(data: Buffer, position: number, bytes: number): number {
  need(data, position, bytes);
  return position + bytes;
}
