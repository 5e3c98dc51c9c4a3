/**
 * zstd (codec 4) through `@mongodb-js/zstd` 1.x (napi-rs over the zstd crate, prebuilt
 * binaries in per-platform npm packages). Its decoder handles frames with and without
 * Frame_Content_Size, concatenated and skippable frames. Later major versions of that
 * package (2.x, 7.x) and `zstd-napi` fetch binaries at install time or build with
 * node-gyp, which this project does not allow.
 */
import { checkOutputSize, decodeNative, lazyBinding, type Codec } from './codec.js';
import { zstdOutputBound } from './zstd-frame.js';

interface ZstdBinding {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

const zstd = lazyBinding<ZstdBinding>('@mongodb-js/zstd', 'zstd');

/** zstd's own default level, and Kafka's (compression.zstd.level = 3). */
const COMPRESSION_LEVEL = 3;

export const zstdCodec: Codec = {
  name: 'zstd',

  compress(data: Buffer): Promise<Buffer> {
    return zstd().compress(data, COMPRESSION_LEVEL);
  },

  async decompress(data: Buffer, maxOutputBytes: number): Promise<Buffer> {
    const binding = zstd();
    checkOutputSize('zstd', zstdOutputBound(data), maxOutputBytes);
    const output = await decodeNative('zstd', () => binding.decompress(data));
    checkOutputSize('zstd', output.length, maxOutputBytes);
    return output;
  },
};
