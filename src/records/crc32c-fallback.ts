/**
 * Pure-TypeScript CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) using
 * slicing-by-8: eight 256-entry tables let the loop fold eight input bytes per step
 * instead of one. It is the fallback for platforms where the native package has no
 * prebuilt binary; results are bit-identical to the native implementation.
 */
const CASTAGNOLI_REFLECTED = 0x82f63b78;

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  const t0 = tables[0];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CASTAGNOLI_REFLECTED : c >>> 1;
    t0[n] = c;
  }
  // Table k maps a byte to its CRC contribution when followed by k zero bytes.
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1];
    const next = tables[k];
    for (let n = 0; n < 256; n++) next[n] = (prev[n] >>> 8) ^ t0[prev[n] & 0xff];
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = buildTables() as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
];

/**
 * CRC-32C of `data`. `previous` continues a running CRC: crc32c(b, crc32c(a)) equals
 * crc32c(a ++ b), the same contract as `@node-rs/crc32`. Returns an unsigned 32-bit value.
 */
export function crc32cFallback(data: Uint8Array, previous = 0): number {
  let crc = ~previous;
  let i = 0;
  const wholeWords = data.length - (data.length & 7);
  for (; i < wholeWords; i += 8) {
    const lo = crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    crc =
      T7[lo & 0xff] ^
      T6[(lo >>> 8) & 0xff] ^
      T5[(lo >>> 16) & 0xff] ^
      T4[lo >>> 24] ^
      T3[data[i + 4]] ^
      T2[data[i + 5]] ^
      T1[data[i + 6]] ^
      T0[data[i + 7]];
  }
  for (; i < data.length; i++) crc = T0[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
