import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  crc32c,
  crc32cAddon,
  crc32cFallback,
  crc32cImplementation,
  crc32cNative,
} from '../../src/records/index.js';
import { pseudoRandomBytes } from './helpers.js';

/** Published CRC-32C check values (RFC 3720 appendix B.4 and the standard check). */
const VECTORS: Array<[string, Buffer, number]> = [
  ['"123456789"', Buffer.from('123456789'), 0xe3069283],
  ['empty', Buffer.alloc(0), 0],
  ['32 zero bytes', Buffer.alloc(32, 0x00), 0x8a9136aa],
  ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['0..31 ascending', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['31..0 descending', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
];

const implementations = [
  ['fallback', crc32cFallback],
  ...(crc32cNative ? [['native', crc32cNative] as const] : []),
  ...(crc32cAddon ? [['addon', crc32cAddon] as const] : []),
] as const;

/** Where scripts/build-native.mjs leaves the addon (.ci/run fails when it is missing). */
const ADDON_BUILT = existsSync(new URL('../../../build/Release/weir_crc32c.node', import.meta.url));

describe('crc32c', () => {
  // @node-rs/crc32 ships prebuilt binaries for this platform; elsewhere the fallback may be in use.
  const hasPrebuilt = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];
  const skip = !hasPrebuilt.includes(`${process.platform}-${process.arch}`);
  it('uses the native implementation where a prebuilt binary exists', { skip }, () => {
    assert.ok(crc32cNative, '@node-rs/crc32 loads');
    if (!ADDON_BUILT) assert.equal(crc32c, crc32cNative);
  });

  it("uses Weir's addon wherever the install step built it", () => {
    assert.equal(crc32cAddon !== null, ADDON_BUILT, 'a built addon loads and passes its check');
    assert.equal(
      crc32cImplementation,
      ADDON_BUILT ? 'addon' : crc32cNative ? 'native' : 'fallback',
    );
  });

  for (const [name, crc] of implementations) {
    describe(name, () => {
      for (const [label, input, expected] of VECTORS) {
        it(`matches the known vector for ${label}`, () => {
          assert.equal(crc(input), expected);
        });
      }

      it('continues a running CRC across chunks', () => {
        const data = pseudoRandomBytes(1000, 7);
        const whole = crc(data);
        for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
          assert.equal(crc(data.subarray(cut), crc(data.subarray(0, cut))), whole, `cut ${cut}`);
        }
      });

      it('reads only the view it is given, not the whole backing buffer', () => {
        const backing = pseudoRandomBytes(64, 3);
        const view = backing.subarray(5, 42);
        assert.equal(crc(view), crc(Buffer.from(view)));
      });
    });
  }

  it('native and fallback agree on random buffers of every length and alignment', () => {
    const native = crc32cNative;
    if (!native) return;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat(7), fc.nat(), (bytes, skip, seed) => {
        const data = Buffer.from(bytes).subarray(Math.min(skip, bytes.length));
        assert.equal(crc32cFallback(data, seed >>> 0), native(data, seed >>> 0));
      }),
      { numRuns: 500 },
    );
  });

  it('the addon agrees with the fallback across its lane sizes (512 B and 8 KiB lanes)', () => {
    const addon = crc32cAddon;
    if (!addon) return;
    const data = pseudoRandomBytes(3 * 8192 * 3 + 4099, 13);
    // Lengths around one and several rounds of three lanes, each at every alignment.
    const lengths = [1535, 1536, 1537, 3 * 1536 + 5, 24575, 24576, 24577, 2 * 24576 + 1536 + 9];
    for (const length of lengths) {
      for (let skip = 0; skip < 8; skip++) {
        const view = data.subarray(skip, skip + length);
        const seed = (length * 2654435761 + skip) >>> 0;
        assert.equal(
          addon(view, seed),
          crc32cFallback(view, seed),
          `length ${length}, skip ${skip}`,
        );
      }
    }
  });

  it('the addon refuses what is not a Uint8Array', () => {
    const addon = crc32cAddon as unknown as ((data: unknown) => number) | null;
    if (!addon) return;
    assert.throws(() => addon('text'), TypeError);
    assert.throws(() => addon(new Uint16Array(4)), TypeError);
  });

  it('native and fallback agree on a large buffer', () => {
    const data = pseudoRandomBytes(1 << 20, 11);
    assert.equal(crc32cFallback(data), crc32c(data));
  });
});
