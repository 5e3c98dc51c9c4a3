/**
 * A header-only walk over Zstandard frames (RFC 8878 §3.1), bounding the decompressed
 * size without decompressing. Kafka's Java client streams zstd (ZstdOutputStream), so
 * frames usually omit Frame_Content_Size and the bound has to come from the blocks:
 * raw and RLE blocks state their regenerated size; a compressed block regenerates at
 * most Block_Maximum_Size = min(Window_Size, 128 KiB).
 *
 *   frame = magic 0xFD2FB528 (LE) | FHD | [Window_Descriptor] | [Dictionary_ID]
 *           | [Frame_Content_Size] | blocks... | [Content_Checksum u32]
 *   block = 3-byte LE header (bit 0 last, bits 1-2 type, bits 3-23 size) | content
 * Skippable frames (magic 0x184D2A50-5F, u32 size, payload) are allowed between frames.
 */
import { corrupt } from '../errors.js';

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50;
const SKIPPABLE_MASK = 0xfffffff0;
const MAX_BLOCK_SIZE = 128 * 1024;

const BlockType = { RAW: 0, RLE: 1, COMPRESSED: 2 } as const;
const DICTIONARY_ID_BYTES = [0, 1, 2, 4];

/** An upper bound of the decompressed size of all frames in `data`. */
export function zstdOutputBound(data: Buffer): number {
  if (data.length === 0) throw corrupt('empty zstd data');
  let bound = 0;
  let position = 0;
  while (position < data.length) {
    need(data, position, 4);
    const magic = data.readUInt32LE(position);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(data, position, 8);
      position = advance(data, position + 8, data.readUInt32LE(position + 4));
      continue;
    }
    if (magic !== FRAME_MAGIC) throw corrupt(`bad zstd frame magic 0x${magic.toString(16)}`);
    const header = readFrameHeader(data, position + 4);
    const blocks = walkBlocks(data, header.end, header.blockMaxSize);
    bound += blocks.maxOutputBytes;
    position = advance(data, blocks.end, header.contentChecksum ? 4 : 0);
  }
  return bound;
}

interface FrameHeader {
  blockMaxSize: number;
  contentChecksum: boolean;
  /** Where the first block starts. */
  end: number;
}

function readFrameHeader(data: Buffer, position: number): FrameHeader {
  need(data, position, 1);
  const descriptor = data[position++];
  if (descriptor & 0x08) throw corrupt('zstd frame header reserved bit set');
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  let windowSize = 0;
  if (!singleSegment) {
    need(data, position, 1);
    const windowDescriptor = data[position++];
    const windowBase = 2 ** (10 + (windowDescriptor >> 3));
    windowSize = windowBase + (windowBase / 8) * (windowDescriptor & 0x07);
  }
  position = advance(data, position, DICTIONARY_ID_BYTES[descriptor & 0x03]);
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag];
  need(data, position, contentSizeBytes);
  // With Single_Segment the window is the whole content.
  if (singleSegment) windowSize = readContentSize(data, position, contentSizeBytes);
  return {
    blockMaxSize: Math.min(windowSize, MAX_BLOCK_SIZE),
    contentChecksum: (descriptor & 0x04) !== 0,
    end: position + contentSizeBytes,
  };
}

function readContentSize(data: Buffer, position: number, bytes: number): number {
  switch (bytes) {
    case 1:
      return data[position];
    case 2:
      return data.readUInt16LE(position) + 256;
    case 4:
      return data.readUInt32LE(position);
    default:
      return Number(data.readBigUInt64LE(position));
  }
}

function walkBlocks(
  data: Buffer,
  position: number,
  blockMaxSize: number,
): { end: number; maxOutputBytes: number } {
  let maxOutputBytes = 0;
  for (;;) {
    need(data, position, 3);
    const header = data[position] | (data[position + 1] << 8) | (data[position + 2] << 16);
    position += 3;
    const type = (header >> 1) & 0x03;
    const size = header >>> 3;
    if (type === BlockType.RAW || type === BlockType.RLE) {
      if (size > MAX_BLOCK_SIZE) throw corrupt(`zstd block of ${size} bytes exceeds 128 KiB`);
      maxOutputBytes += size;
      position = advance(data, position, type === BlockType.RLE ? 1 : size);
    } else if (type === BlockType.COMPRESSED) {
      maxOutputBytes += blockMaxSize;
      position = advance(data, position, size);
    } else {
      throw corrupt('zstd block of the reserved type');
    }
    if (header & 0x01) return { end: position, maxOutputBytes };
  }
}

function need(data: Buffer, position: number, bytes: number): void {
  if (data.length - position < bytes) throw corrupt('truncated zstd frame');
}

function advance(data: Buffer, position: number, bytes: number): number {
  need(data, position, bytes);
  return position + bytes;
}
