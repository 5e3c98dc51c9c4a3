/**
 * snappy (codec 2) through the `snappy` package (napi-rs, prebuilt binaries).
 *
 * Kafka has two snappy encodings in the wild, and the decoder takes both:
 * - raw snappy: one block, as librdkafka (and franz-go) write it;
 * - xerial framing, as the Java client writes it (snappy-java's SnappyOutputStream):
 *   a 16-byte header "\x82SNAPPY\0" + int32 version + int32 compatible version, then
 *   chunks of int32 big-endian length + one raw snappy block each.
 * The encoder writes raw snappy, like librdkafka; every Kafka client reads it.
 *
 * Bomb guard: a raw snappy block starts with its uncompressed length as a uvarint, which
 * the native decoder allocates up front, so the sum of those lengths is checked first.
 */
import { corrupt } from '../errors.js';
import { checkOutputSize, decodeNative, lazyBinding, type Codec } from './codec.js';

interface SnappyBinding {
  compress(input: Uint8Array): Promise<Buffer>;
  uncompress(input: Uint8Array, options: { asBuffer: true }): Promise<Buffer | string>;
}

const snappy = lazyBinding<SnappyBinding>('snappy', 'snappy');

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;

export function isXerialFramed(data: Buffer): boolean {
  return (
    data.length >= XERIAL_HEADER_SIZE && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
  );
}

/** The raw snappy blocks inside xerial framing, zero-copy. */
export function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let position = XERIAL_HEADER_SIZE;
  while (position < data.length) {
    if (data.length - position < 4) throw corrupt('truncated xerial snappy chunk length');
    const length = data.readInt32BE(position);
    position += 4;
    if (length < 0 || length > data.length - position) {
      throw corrupt(`xerial snappy chunk of ${length} bytes overruns the data`);
    }
    blocks.push(data.subarray(position, position + length));
    position += length;
  }
  return blocks;
}

/** The uncompressed length a raw snappy block declares (uvarint, at most 32 bits). */
export function snappyUncompressedLength(block: Buffer): number {
  let length = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i];
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (length > 0xffffffff) break;
      return length;
    }
  }
  throw corrupt('snappy block has a malformed length preamble');
}

async function uncompressBlock(block: Buffer, declared: number): Promise<Buffer> {
  const output = await decodeNative(
    'snappy',
    () => snappy().uncompress(block, { asBuffer: true }) as Promise<Buffer>,
  );
  if (output.length !== declared) {
    throw corrupt(`snappy block decoded to ${output.length} bytes, declared ${declared}`);
  }
  return output;
}

export const snappyCodec: Codec = {
  name: 'snappy',

  compress(data: Buffer): Promise<Buffer> {
    return snappy().compress(data);
  },

  async decompress(data: Buffer, maxOutputBytes: number): Promise<Buffer> {
    snappy(); // an unloadable codec fails as UNSUPPORTED before the data is judged
    const blocks = isXerialFramed(data) ? xerialBlocks(data) : [data];
    const declared = blocks.map(snappyUncompressedLength);
    checkOutputSize(
      'snappy',
      declared.reduce((sum, length) => sum + length, 0),
      maxOutputBytes,
    );
    const outputs: Buffer[] = [];
    for (const [index, block] of blocks.entries()) {
      outputs.push(await uncompressBlock(block, declared[index]));
    }
    return outputs.length === 1 ? outputs[0] : Buffer.concat(outputs);
  },
};
