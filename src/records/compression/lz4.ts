/**
 * lz4 (codec 3) through `lz4-napi` (napi-rs over lz4_flex, prebuilt binaries). Magic-2
 * batches carry the standard LZ4 *frame* format.
 *
 * The encoder frames the data itself, around lz4-napi's block compressor, so it can use
 * 64 KiB independent blocks like Kafka's KafkaLZ4BlockOutputStream and librdkafka's LZ4F
 * defaults (lz4_flex's own frame encoder picks up to 4 MiB blocks, which loosens the
 * header-derived output bound that guards decompression; see lz4-frame.ts). Kafka's
 * decoder requires independent blocks; no checksums are written, as in Kafka's default.
 * Decoding goes to lz4_flex's frame decoder, which checks any checksums present.
 */
import { checkOutputSize, decodeNative, lazyBinding, type Codec } from './codec.js';
import { walkLz4Frames } from './lz4-frame.js';

interface Lz4Binding {
  /** One LZ4 block, prefixed with its uncompressed size as a u32 LE. */
  compress(data: Uint8Array): Promise<Buffer>;
  decompressFrame(data: Uint8Array): Promise<Buffer>;
}

const lz4 = lazyBinding<Lz4Binding>('lz4-napi', 'lz4');

const BLOCK_SIZE = 64 * 1024;
const SIZE_PREFIX_BYTES = 4;
const UNCOMPRESSED_BIT = 0x80000000;

/**
 * Magic 0x184D2204 (LE); FLG 0x60 = version 01 + independent blocks, no checksums, no
 * content size; BD 0x40 = 64 KiB blocks; HC 0x82 = (xxh32(FLG BD) >> 8) & 0xff.
 */
const FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
const END_MARK = Buffer.alloc(4);

function blockHeader(size: number, stored: boolean): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32LE((stored ? UNCOMPRESSED_BIT | size : size) >>> 0);
  return header;
}

async function compressFrame(data: Buffer): Promise<Buffer> {
  const binding = lz4();
  const chunks: Buffer[] = [];
  for (let start = 0; start < data.length; start += BLOCK_SIZE) {
    chunks.push(data.subarray(start, start + BLOCK_SIZE));
  }
  // Blocks are independent, so they compress in parallel on the libuv pool.
  const blocks = await Promise.all(chunks.map((chunk) => binding.compress(chunk)));
  const parts: Buffer[] = [FRAME_HEADER];
  blocks.forEach((block, index) => {
    const body = block.subarray(SIZE_PREFIX_BYTES);
    const chunk = chunks[index];
    // Incompressible data is stored as is, which the format allows per block.
    const stored = body.length >= chunk.length;
    parts.push(blockHeader(stored ? chunk.length : body.length, stored), stored ? chunk : body);
  });
  parts.push(END_MARK);
  return Buffer.concat(parts);
}

export const lz4Codec: Codec = {
  name: 'lz4',

  compress: compressFrame,

  async decompress(data: Buffer, maxOutputBytes: number): Promise<Buffer> {
    const binding = lz4();
    const layout = walkLz4Frames(data);
    checkOutputSize('lz4', layout.maxOutputBytes, maxOutputBytes);
    // One native call per frame: the walk already found the boundaries, and this does not
    // depend on how the native decoder treats concatenated or skippable frames.
    const outputs: Buffer[] = [];
    for (const { start, end } of layout.frames) {
      outputs.push(
        await decodeNative('lz4', () => binding.decompressFrame(data.subarray(start, end))),
      );
    }
    const output = outputs.length === 1 ? outputs[0] : Buffer.concat(outputs);
    checkOutputSize('lz4', output.length, maxOutputBytes);
    return output;
  },
};
