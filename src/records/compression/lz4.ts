/**
 * lz4 (codec 3) through `lz4-napi` (napi-rs over lz4_flex, prebuilt binaries). Magic-2
 * batches carry the standard LZ4 *frame* format; the encoder writes one frame with
 * independent 64 KiB blocks and no checksums, which Kafka's KafkaLZ4BlockInputStream
 * (it requires block independence) and librdkafka both read.
 */
import { checkOutputSize, decodeNative, lazyBinding, type Codec } from './codec.js';
import { walkLz4Frames } from './lz4-frame.js';

interface Lz4Binding {
  compressFrame(data: Uint8Array): Promise<Buffer>;
  decompressFrame(data: Uint8Array): Promise<Buffer>;
}

const lz4 = lazyBinding<Lz4Binding>('lz4-napi', 'lz4');

export const lz4Codec: Codec = {
  name: 'lz4',

  compress(data: Buffer): Promise<Buffer> {
    return lz4().compressFrame(data);
  },

  async decompress(data: Buffer, maxOutputBytes: number): Promise<Buffer> {
    const binding = lz4();
    const layout = walkLz4Frames(data);
    checkOutputSize('lz4', layout.maxOutputBytes, maxOutputBytes);
    // One native call per frame: the walk already found the boundaries, and this does not
    // depend on how the native decoder treats concatenated or skippable frames.
    const outputs: Buffer[] = [];
    for (const { start, end } of layout.frames) {
      outputs.push(await decodeNative('lz4', () => binding.decompressFrame(data.subarray(start, end))));
    }
    const output = outputs.length === 1 ? outputs[0] : Buffer.concat(outputs);
    checkOutputSize('lz4', output.length, maxOutputBytes);
    return output;
  },
};
