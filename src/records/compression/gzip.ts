/**
 * gzip (codec 1) through node:zlib. Kafka's Java client writes a GZIPOutputStream;
 * zlib's gunzip also accepts concatenated members, as Java's GZIPInputStream does.
 * zlib caps the output itself (`maxOutputLength`), so no header walk is needed.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { corrupt } from '../errors.js';
import { tooLarge, type Codec } from './codec.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const gzipCodec: Codec = {
  name: 'gzip',

  compress(data: Buffer): Promise<Buffer> {
    return gzipAsync(data);
  },

  async decompress(data: Buffer, maxOutputBytes: number): Promise<Buffer> {
    try {
      return await gunzipAsync(data, { maxOutputLength: Math.max(1, maxOutputBytes) });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw tooLarge('gzip', maxOutputBytes);
      }
      throw corrupt(`gzip data is corrupt: ${(error as Error).message}`, error);
    }
  },
};
