/**
 * What every compression codec provides, and the helpers they share.
 *
 * Decompression contract: `decompress(data, maxOutputBytes)` never allocates much more
 * than `maxOutputBytes`. Codecs whose native library cannot be capped first derive an
 * upper bound of the output from the framing headers alone (per-block sizes and the
 * format's maximum block size) and refuse before decompressing; the real output is then
 * checked again. A decompression bomb therefore costs a header walk, not gigabytes.
 */
import { createRequire } from 'node:module';
import { RecordsError, corrupt } from '../errors.js';

export interface Codec {
  readonly name: string;
  compress(data: Buffer): Promise<Buffer>;
  /** Rejects with MESSAGE_TOO_LARGE past the limit, CORRUPT_MESSAGE on bad data. */
  decompress(data: Buffer, maxOutputBytes: number): Promise<Buffer>;
}

const requireNative = createRequire(import.meta.url);

/**
 * A loader for an optional native package, resolved on first use and cached. A package
 * that fails to load (no prebuilt binary for this platform) makes only its own codec
 * unavailable, reported as UNSUPPORTED_COMPRESSION_TYPE, instead of failing the import
 * of everything that handles records.
 */
export function lazyBinding<T>(packageName: string, codecName: string): () => T {
  let loaded: { binding: T } | { error: unknown } | undefined;
  return () => {
    loaded ??= tryRequire<T>(packageName);
    if ('binding' in loaded) return loaded.binding;
    throw new RecordsError(
      'UNSUPPORTED_COMPRESSION_TYPE',
      `${codecName} is unavailable: package ${packageName} failed to load`,
      { cause: loaded.error },
    );
  };
}

function tryRequire<T>(packageName: string): { binding: T } | { error: unknown } {
  try {
    return { binding: requireNative(packageName) as T };
  } catch (error) {
    return { error };
  }
}

/** `bytes` is the output size or its bound, when known. */
export function tooLarge(codecName: string, maxOutputBytes: number, bytes?: number): RecordsError {
  const size = bytes === undefined ? 'more than the' : `${bytes} bytes, over the`;
  return new RecordsError(
    'MESSAGE_TOO_LARGE',
    `${codecName} data may decompress to ${size} ${maxOutputBytes}-byte limit`,
  );
}

/** Throws MESSAGE_TOO_LARGE when a bound or a result exceeds the limit. */
export function checkOutputSize(codecName: string, bytes: number, maxOutputBytes: number): void {
  if (bytes > maxOutputBytes) throw tooLarge(codecName, maxOutputBytes, bytes);
}

/** Runs a native decoder, turning its untyped failures into CORRUPT_MESSAGE. */
export async function decodeNative(codecName: string, run: () => Promise<Buffer>): Promise<Buffer> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RecordsError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw corrupt(`${codecName} data is corrupt: ${reason}`, error);
  }
}
