import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import fc from 'fast-check';
import { lazyBinding } from '../../src/records/compression/codec.js';
import {
  COMPRESSION_NAMES,
  CompressionType,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  RecordsError,
  compress,
  decompress,
} from '../../src/records/index.js';
import {
  assertRejectsCode,
  assertThrowsCode,
  compressibleBytes,
  pseudoRandomBytes,
} from './helpers.js';

const CODECS = [
  CompressionType.GZIP,
  CompressionType.SNAPPY,
  CompressionType.LZ4,
  CompressionType.ZSTD,
] as const;

const MiB = 1024 * 1024;

describe('compression codecs', () => {
  for (const codec of CODECS) {
    const name = COMPRESSION_NAMES[codec];

    describe(name, () => {
      it('round-trips empty, small, random and large compressible data', async () => {
        for (const data of [
          Buffer.alloc(0),
          Buffer.from('x'),
          pseudoRandomBytes(100_000, codec),
          compressibleBytes(3 * MiB),
        ]) {
          const packed = await compress(codec, data);
          assert.deepEqual(await decompress(codec, packed), data);
        }
      });

      it('actually compresses compressible data', async () => {
        const data = compressibleBytes(MiB);
        assert.ok((await compress(codec, data)).length < data.length / 4);
      });

      it('refuses a decompression bomb before inflating it', async () => {
        const bomb = await compress(codec, Buffer.alloc(32 * MiB));
        assert.ok(bomb.length < 2 * MiB, `${bomb.length} bytes`); // snappy tops out near 21:1
        await assertRejectsCode(
          decompress(codec, bomb, { maxOutputBytes: MiB }),
          'MESSAGE_TOO_LARGE',
        );
        // Our encoders keep the header-derived bound tight: exactly at the limit still passes.
        const exact = await compress(codec, Buffer.alloc(MiB, 1));
        assert.equal((await decompress(codec, exact, { maxOutputBytes: MiB })).length, MiB);
      });

      it('rejects truncated data with CORRUPT_MESSAGE', async () => {
        const packed = await compress(codec, compressibleBytes(200_000));
        for (const length of [1, 5, Math.floor(packed.length / 2), packed.length - 1]) {
          await assertRejectsCode(decompress(codec, packed.subarray(0, length)), 'CORRUPT_MESSAGE');
        }
      });

      it('fails only with RecordsError on damaged data', async () => {
        const packed = await compress(codec, compressibleBytes(20_000));
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.tuple(fc.nat(packed.length - 1), fc.integer({ min: 1, max: 255 })), {
              minLength: 1,
              maxLength: 4,
            }),
            async (flips) => {
              const damaged = Buffer.from(packed);
              for (const [position, mask] of flips) damaged[position] ^= mask;
              try {
                const output = await decompress(codec, damaged, { maxOutputBytes: MiB });
                assert.ok(output.length <= MiB);
              } catch (error) {
                assert.ok(error instanceof RecordsError, String(error));
                assert.ok(['CORRUPT_MESSAGE', 'MESSAGE_TOO_LARGE'].includes(error.code));
              }
            },
          ),
          { numRuns: 150 },
        );
      });
    });
  }

  it('passes NONE through untouched', async () => {
    const data = Buffer.from('plain');
    assert.equal(await compress(CompressionType.NONE, data), data);
    assert.equal(await decompress(CompressionType.NONE, data), data);
  });

  it('rejects codecs 5-7 with UNSUPPORTED_COMPRESSION_TYPE', async () => {
    for (const codec of [5, 6, 7, -1]) {
      await assertRejectsCode(decompress(codec, Buffer.from('x')), 'UNSUPPORTED_COMPRESSION_TYPE');
    }
  });

  it('reports a codec whose native package cannot load as unsupported', () => {
    const missing = lazyBinding<unknown>('weir-package-that-does-not-exist', 'imaginary');
    assertThrowsCode(() => missing(), 'UNSUPPORTED_COMPRESSION_TYPE');
    assertThrowsCode(() => missing(), 'UNSUPPORTED_COMPRESSION_TYPE');
  });

  it('defaults the output limit to 64 MiB', () => {
    assert.equal(DEFAULT_MAX_DECOMPRESSED_BYTES, 64 * MiB);
  });
});

describe('gzip specifics', () => {
  it('reads concatenated gzip members, like Java GZIPInputStream', async () => {
    const gzipAsync = promisify(gzip);
    const joined = Buffer.concat([await gzipAsync('hello '), await gzipAsync('world')]);
    assert.equal((await decompress(CompressionType.GZIP, joined)).toString(), 'hello world');
  });
});

describe('snappy specifics', () => {
  /** Java's framing (snappy-java SnappyOutputStream) around raw snappy chunks. */
  async function xerial(chunks: Buffer[]): Promise<Buffer> {
    const header = Buffer.from([
      0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1,
    ]);
    const parts: Buffer[] = [header];
    for (const chunk of chunks) {
      const block = await compress(CompressionType.SNAPPY, chunk);
      const length = Buffer.alloc(4);
      length.writeInt32BE(block.length);
      parts.push(length, block);
    }
    return Buffer.concat(parts);
  }

  it('writes raw snappy (a uvarint length, no framing), as librdkafka does', async () => {
    const packed = await compress(CompressionType.SNAPPY, Buffer.alloc(300, 7));
    assert.deepEqual([...packed.subarray(0, 2)], [0xac, 0x02]); // 300 as a uvarint
  });

  it('reads xerial-framed snappy, as the Java client writes it', async () => {
    const chunks = [compressibleBytes(40_000), pseudoRandomBytes(1000), Buffer.from('tail')];
    const framed = await xerial(chunks);
    assert.deepEqual(await decompress(CompressionType.SNAPPY, framed), Buffer.concat(chunks));
    assert.deepEqual(await decompress(CompressionType.SNAPPY, await xerial([])), Buffer.alloc(0));
  });

  it('bounds xerial output by the sum of the chunks, not each chunk', async () => {
    const framed = await xerial([Buffer.alloc(600_000), Buffer.alloc(600_000)]);
    await assertRejectsCode(
      decompress(CompressionType.SNAPPY, framed, { maxOutputBytes: MiB }),
      'MESSAGE_TOO_LARGE',
    );
  });

  it('rejects a xerial chunk length that overruns the data', async () => {
    const framed = await xerial([Buffer.from('abc')]);
    framed.writeInt32BE(1000, 16);
    await assertRejectsCode(decompress(CompressionType.SNAPPY, framed), 'CORRUPT_MESSAGE');
  });
});

describe('lz4 specifics', () => {
  interface Lz4Frames {
    compressFrame(
      data: Uint8Array,
      options?: { blockChecksums?: boolean; contentChecksum?: boolean },
    ): Promise<Buffer>;
  }
  const lz4 = lazyBinding<Lz4Frames>('lz4-napi', 'lz4');

  it('writes an LZ4 frame with independent 64 KiB blocks, like Kafka and librdkafka', async () => {
    const packed = await compress(CompressionType.LZ4, Buffer.from('abc'));
    assert.equal(packed.readUInt32LE(0), 0x184d2204);
    assert.equal(packed[4], 0x60, 'FLG: version 01, independent blocks, no checksums');
    assert.equal(packed[5], 0x40, 'BD: 64 KiB maximum block size');
    const damagedHeaderChecksum = Buffer.from(packed);
    damagedHeaderChecksum[6] ^= 0x01;
    await assertRejectsCode(
      decompress(CompressionType.LZ4, damagedHeaderChecksum),
      'CORRUPT_MESSAGE',
    );
  });

  it('stores incompressible blocks uncompressed', async () => {
    const data = pseudoRandomBytes(100_000, 5);
    const packed = await compress(CompressionType.LZ4, data);
    assert.ok(packed.readUInt32LE(7) & 0x80000000, 'first block stored as is');
    assert.deepEqual(await decompress(CompressionType.LZ4, packed), data);
  });

  it('reads frames with 4 MiB blocks from other encoders', async () => {
    const data = compressibleBytes(5 * MiB);
    const framed = await lz4().compressFrame(data);
    assert.equal(framed[5], 0x70, 'BD: 4 MiB blocks');
    assert.deepEqual(await decompress(CompressionType.LZ4, framed), data);
  });

  it('reads frames with block and content checksums, and detects damage', async () => {
    const data = compressibleBytes(300_000);
    const framed = await lz4().compressFrame(data, { blockChecksums: true, contentChecksum: true });
    assert.deepEqual(await decompress(CompressionType.LZ4, framed), data);
    framed[framed.length >> 1] ^= 0x01;
    await assertRejectsCode(decompress(CompressionType.LZ4, framed), 'CORRUPT_MESSAGE');
  });

  it('reads concatenated frames with a skippable frame between them', async () => {
    const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    const joined = Buffer.concat([
      await compress(CompressionType.LZ4, Buffer.from('hello ')),
      skippable,
      await compress(CompressionType.LZ4, Buffer.from('world')),
    ]);
    assert.equal((await decompress(CompressionType.LZ4, joined)).toString(), 'hello world');
  });

  it('rejects a bad magic, a bad version and reserved bits', async () => {
    const good = await compress(CompressionType.LZ4, Buffer.from('abc'));
    for (const [position, value] of [
      [0, 0x00],
      [4, 0xa0],
      [4, 0x62],
      [5, 0x41],
      [5, 0x10],
    ]) {
      const bad = Buffer.from(good);
      bad[position] = value;
      await assertRejectsCode(decompress(CompressionType.LZ4, bad), 'CORRUPT_MESSAGE');
    }
  });
});

describe('zstd specifics', () => {
  const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

  /** A 3-byte block header: last flag, block type (0 raw, 1 RLE, 2 compressed), size. */
  function blockHeader(last: boolean, type: number, size: number): number[] {
    const header = (size << 3) | (type << 1) | (last ? 1 : 0);
    return [header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff];
  }

  it('reads a hand-made single-segment frame with a raw and an RLE block', async () => {
    const frame = Buffer.from([
      ...MAGIC,
      0x20, // FHD: Single_Segment, 1-byte Frame_Content_Size
      13, // Frame_Content_Size
      ...blockHeader(false, 0, 5),
      ...Buffer.from('hello'),
      ...blockHeader(true, 1, 8),
      0x21, // '!' repeated 8 times
    ]);
    assert.equal((await decompress(CompressionType.ZSTD, frame)).toString(), 'hello!!!!!!!!');
  });

  it('refuses an RLE bomb from its block headers alone', async () => {
    // 128 KiB window; 1000 RLE blocks of 128 KiB each: ~125 MiB from ~4 KB.
    const blocks: number[] = [];
    for (let i = 0; i < 1000; i++) blocks.push(...blockHeader(i === 999, 1, 128 * 1024), 0);
    const bomb = Buffer.from([...MAGIC, 0x00, 0x38, ...blocks]);
    await assertRejectsCode(decompress(CompressionType.ZSTD, bomb), 'MESSAGE_TOO_LARGE');
  });

  it('reads frames without Frame_Content_Size, as streaming encoders write them', async () => {
    const data = compressibleBytes(500_000);
    const packed = await compress(CompressionType.ZSTD, data);
    assert.equal(packed[4] >> 6, 0, 'no content size in this frame');
    assert.deepEqual(await decompress(CompressionType.ZSTD, packed), data);
  });

  it('reads concatenated frames and skips skippable frames', async () => {
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 1, 2]);
    const joined = Buffer.concat([
      await compress(CompressionType.ZSTD, Buffer.from('hello ')),
      skippable,
      await compress(CompressionType.ZSTD, Buffer.from('world')),
    ]);
    assert.equal((await decompress(CompressionType.ZSTD, joined)).toString(), 'hello world');
  });

  it('rejects a reserved block type and a reserved header bit', async () => {
    const reservedType = Buffer.from([...MAGIC, 0x20, 1, ...blockHeader(true, 3, 1), 0]);
    await assertRejectsCode(decompress(CompressionType.ZSTD, reservedType), 'CORRUPT_MESSAGE');
    const reservedBit = Buffer.from([...MAGIC, 0x28, 1, ...blockHeader(true, 0, 1), 0]);
    await assertRejectsCode(decompress(CompressionType.ZSTD, reservedBit), 'CORRUPT_MESSAGE');
  });
});

describe('frames from the reference lz4 and zstd command-line tools', () => {
  /** Runs a CLI with `input` on stdin; null when the tool is not installed. */
  function cli(command: string, args: string[], input: Buffer): Buffer | null {
    const result = spawnSync(command, args, { input, maxBuffer: 64 * MiB });
    if (result.error || result.status !== 0) return null;
    return result.stdout;
  }
  const data = Buffer.concat([compressibleBytes(700_000), pseudoRandomBytes(70_000, 3)]);
  const hasLz4 = cli('lz4', ['-c'], Buffer.from('x')) !== null;
  const hasZstd = cli('zstd', ['-c'], Buffer.from('x')) !== null;

  const lz4Variants = [
    ['defaults'],
    ['-B4', '-BD'], // linked (dependent) blocks
    ['-B5', '-BX', '--content-size'],
    ['-B6', '--no-frame-crc'],
    ['-B7', '-9'],
  ];
  for (const args of lz4Variants) {
    it(`reads lz4 ${args.join(' ')}`, { skip: !hasLz4 && 'lz4 CLI not installed' }, async () => {
      const framed = cli('lz4', ['-c', '-q', ...args.filter((a) => a !== 'defaults')], data);
      assert.ok(framed);
      assert.deepEqual(await decompress(CompressionType.LZ4, framed), data);
    });
  }

  const zstdVariants = [
    ['-1'],
    ['-19', '--no-check'],
    ['--long=27'],
    [`--stream-size=${data.length}`],
  ];
  for (const args of zstdVariants) {
    it(`reads zstd ${args.join(' ')}`, { skip: !hasZstd && 'zstd CLI not installed' }, async () => {
      // From stdin zstd omits Frame_Content_Size unless told the size with --stream-size.
      const framed = cli('zstd', ['-c', '-q', ...args], data);
      assert.ok(framed);
      assert.deepEqual(await decompress(CompressionType.ZSTD, framed), data);
    });
  }
});
