/**
 * Compression for record batches: all five Kafka codecs behind one async API.
 *
 * Everything after recordsCount is compressed as one unit. Native codecs run on the
 * libuv thread pool (their Promise APIs), so the event loop is not blocked while a large
 * batch is (de)compressed.
 */
import { RecordsError } from '../errors.js';
import { COMPRESSION_NAMES, CompressionType, isCompressionType } from '../layout.js';
import type { Codec } from './codec.js';
import { gzipCodec } from './gzip.js';
import { lz4Codec } from './lz4.js';
import { snappyCodec } from './snappy.js';
import { zstdCodec } from './zstd.js';

/**
 * Default cap on one batch's decompressed records. Kafka's max.message.bytes defaults to
 * about 1 MiB compressed; 64 MiB leaves room for very compressible data while keeping a
 * hostile batch from exhausting memory.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface DecompressOptions {
  /** Fail with MESSAGE_TOO_LARGE rather than produce more bytes than this. */
  maxOutputBytes?: number;
}

const CODECS: Readonly<Record<Exclude<CompressionType, 0>, Codec>> = {
  [CompressionType.GZIP]: gzipCodec,
  [CompressionType.SNAPPY]: snappyCodec,
  [CompressionType.LZ4]: lz4Codec,
  [CompressionType.ZSTD]: zstdCodec,
};

function codecFor(type: number): Codec | null {
  if (!isCompressionType(type)) {
    throw new RecordsError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression codec ${type}`);
  }
  return type === CompressionType.NONE ? null : CODECS[type];
}

/** Compresses `data` with codec `type`; NONE returns `data` itself. */
export async function compress(type: CompressionType, data: Buffer): Promise<Buffer> {
  const codec = codecFor(type);
  return codec ? codec.compress(data) : data;
}

/**
 * Decompresses `data` written with codec `type` (a batch's attribute bits 0-2); NONE
 * returns `data` itself. Rejects with RecordsError: UNSUPPORTED_COMPRESSION_TYPE,
 * CORRUPT_MESSAGE, or MESSAGE_TOO_LARGE past `maxOutputBytes`.
 */
export async function decompress(
  type: number,
  data: Buffer,
  options: DecompressOptions = {},
): Promise<Buffer> {
  const codec = codecFor(type);
  if (!codec) return data;
  return codec.decompress(data, options.maxOutputBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
}

export function compressionName(type: CompressionType): string {
  return COMPRESSION_NAMES[type];
}
