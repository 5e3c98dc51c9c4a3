/**
 * Walking a segment file batch by batch, checking each one: the length is plausible and
 * fits in the file, magic is 2, the CRC-32C matches (optionally), and offsets only grow.
 * Recovery uses it to find where valid data ends; index rebuilding uses it to see every
 * batch. It reads the file in large chunks and never decodes records.
 */
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  crc32c,
} from '../../records/index.js';
import { readFully, type FileHandle } from '../fs/file-system.js';
import { baseOffsetAt, lastOffsetDeltaAt, magicAt } from './batch-header.js';

const CHUNK_BYTES = 1024 * 1024;

export interface ScanOptions {
  /** File position to start at (a batch boundary). */
  from: number;
  /** File position to stop at (usually the file size). */
  to: number;
  /** Every batch's baseOffset must be >= this (the segment base, or the last offset + 1). */
  minOffset: number;
  verifyCrc: boolean;
}

export interface ScanResult {
  /** Position after the last valid batch. */
  end: number;
  /** Offset after the last valid batch, or null when no batch was valid. */
  nextOffset: number | null;
  /** Why the scan stopped before `to`; null when it reached `to`. */
  problem: string | null;
}

/**
 * Called per valid batch: the batch sits at `buffer[at, at + size)`, which is file
 * position `position`. The buffer is reused: copy what must outlive the call.
 */
export type BatchVisitor = (buffer: Buffer, at: number, size: number, position: number) => void;

export async function scanBatches(
  handle: FileHandle,
  options: ScanOptions,
  visit: BatchVisitor,
): Promise<ScanResult> {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = options.from;
  let position = options.from;
  let minOffset = options.minOffset;
  let nextOffset: number | null = null;
  const stop = (problem: string | null): ScanResult => ({ end: position, nextOffset, problem });

  while (position < options.to) {
    if (options.to - position < LOG_OVERHEAD) return stop('torn batch header at the end');
    let at = position - chunkStart;
    if (at + LOG_OVERHEAD > chunk.length) {
      chunk = await readFully(handle, position, Math.min(CHUNK_BYTES, options.to - position));
      chunkStart = position;
      at = 0;
    }
    const size = LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH_OFFSET);
    if (size < LOG_OVERHEAD + MIN_BATCH_LENGTH) return stop(`invalid batch length ${size}`);
    if (position + size > options.to) return stop(`batch of ${size} bytes runs past the end`);
    if (at + size > chunk.length) {
      chunk = await readFully(
        handle,
        position,
        Math.min(Math.max(CHUNK_BYTES, size), options.to - position),
      );
      chunkStart = position;
      at = 0;
      if (chunk.length < size) return stop('file shorter than expected');
    }
    const problem = checkBatch(chunk, at, size, minOffset, options.verifyCrc);
    if (problem) return stop(problem);
    visit(chunk, at, size, position);
    nextOffset = baseOffsetAt(chunk, at) + lastOffsetDeltaAt(chunk, at) + 1;
    minOffset = nextOffset;
    position += size;
  }
  return stop(null);
}

function checkBatch(
  buffer: Buffer,
  at: number,
  size: number,
  minOffset: number,
  verifyCrc: boolean,
): string | null {
  const magic = magicAt(buffer, at);
  if (magic !== CURRENT_MAGIC) return `magic ${magic}`;
  if (verifyCrc) {
    const stored = buffer.readUInt32BE(at + CRC_OFFSET);
    if (crc32c(buffer.subarray(at + ATTRIBUTES_OFFSET, at + size)) !== stored)
      return 'CRC mismatch';
  }
  const baseOffset = baseOffsetAt(buffer, at);
  if (baseOffset < minOffset) return `offset ${baseOffset} below ${minOffset}`;
  if (lastOffsetDeltaAt(buffer, at) < 0) return 'negative lastOffsetDelta';
  return null;
}
