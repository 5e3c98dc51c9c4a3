/**
 * CRC-32C as Kafka uses it for RecordBatch v2 (over attributes..end of batch).
 *
 * Three implementations, the first that loads and passes a known-answer check at startup
 * wins, so a broken binary can never silently produce wrong CRCs:
 * - 'addon': Weir's own Node-API addon (native/crc32c.c, built at install by
 *   scripts/build-native.mjs where a C compiler and Node's headers are present): three
 *   SSE4.2 crc32 chains at once, ~10-18 GB/s on this project's machines;
 * - 'native': `@node-rs/crc32` (prebuilt binaries shipped inside npm packages), ~3-5 GB/s
 *   here;
 * - 'fallback': slicing-by-8 in TypeScript, roughly 1 GB/s.
 * Every produced batch is checksummed by its producer and checked by the broker, so at
 * hundreds of MB/s the difference is a sixth of a core on each side (bench/RESULTS.md).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { crc32cFallback } from './crc32c-fallback.js';

export { crc32cFallback };

/** `previous` continues a running CRC: crc32c(b, crc32c(a)) === crc32c(a ++ b). */
export type Crc32cFunction = (data: Uint8Array, previous?: number) => number;

/** RFC 3720 B.4 / the standard "check" value for CRC-32C. */
const CHECK_INPUT = Buffer.from('123456789', 'latin1');
const CHECK_VALUE = 0xe3069283;

interface Crc32Binding {
  crc32c(input: Uint8Array, initialState?: number): number;
}

/** The binding's crc32c if `specifier` loads, has it, and gives the check value. */
function load(specifier: string): Crc32cFunction | null {
  try {
    const binding = createRequire(import.meta.url)(specifier) as Partial<Crc32Binding>;
    if (typeof binding.crc32c !== 'function') return null;
    if (binding.crc32c(CHECK_INPUT) !== CHECK_VALUE) return null;
    return binding.crc32c;
  } catch {
    return null;
  }
}

/**
 * Where the install step puts Weir's addon, relative to this module as built
 * (dist/src/records): the repository's build/Release.
 */
const ADDON_PATH = fileURLToPath(
  new URL('../../../build/Release/weir_crc32c.node', import.meta.url),
);

/** Weir's addon, or null when it was not built here or the CPU lacks SSE4.2. */
export const crc32cAddon: Crc32cFunction | null = load(ADDON_PATH);

/** @node-rs/crc32, or null when it could not be loaded on this platform. */
export const crc32cNative: Crc32cFunction | null = load('@node-rs/crc32');

/** Which implementation `crc32c` uses, for logs and benchmarks. */
export const crc32cImplementation: 'addon' | 'native' | 'fallback' = crc32cAddon
  ? 'addon'
  : crc32cNative
    ? 'native'
    : 'fallback';

/** CRC-32C of `data`, unsigned 32-bit. */
export const crc32c: Crc32cFunction = crc32cAddon ?? crc32cNative ?? crc32cFallback;
