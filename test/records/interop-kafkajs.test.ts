/**
 * Interop with a real third-party client: KafkaJS 2.2.4's own RecordBatch v2 encoder and
 * decoder (its internal protocol modules, the code its producer and consumer run).
 *
 * - KafkaJS encodes → Weir validates and decodes (CRC, header fields, keys, values,
 *   headers), for no compression and for gzip with KafkaJS's own zlib codec.
 * - Weir builds → KafkaJS decodes.
 * - KafkaJS ships no snappy/lz4/zstd; for those codecs its batch framing is exercised with
 *   Weir's codecs plugged into its codec table, the way applications plug in
 *   kafkajs-snappy and friends. Bytes from librdkafka belong in a separate fixture test.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  COMPRESSION_NAMES,
  CompressionType,
  buildRecordBatch,
  compress,
  crc32c,
  decompress,
  readRecords,
  validateProducedBatch,
} from '../../src/records/index.js';
import { pseudoRandomBytes } from './helpers.js';

const require = createRequire(import.meta.url);

interface KafkaJsEncoder {
  buffer: Buffer;
}
interface KafkaJsCodec {
  compress(encoder: KafkaJsEncoder): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
interface KafkaJsLong {
  value: bigint;
}
interface KafkaJsBatchArgs {
  compression: number;
  firstOffset: KafkaJsLong;
  firstTimestamp: number;
  maxTimestamp: number;
  partitionLeaderEpoch: number;
  lastOffsetDelta: number;
  transactional: boolean;
  producerId: KafkaJsLong;
  producerEpoch: number;
  firstSequence: number;
  records: KafkaJsEncoder[];
}
interface KafkaJsDecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}

const kafkajs = {
  RecordBatch: (
    require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
      RecordBatch: (args: KafkaJsBatchArgs) => Promise<KafkaJsEncoder>;
    }
  ).RecordBatch,
  Record: require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: {
    offsetDelta: number;
    timestampDelta: number;
    key: Buffer | null;
    value: Buffer | null;
    headers?: Record<string, Buffer | Buffer[]>;
  }) => KafkaJsEncoder,
  decodeBatch: require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
    decoder: unknown,
  ) => Promise<{ records: KafkaJsDecodedRecord[] }>,
  Decoder: require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown,
  Long: require('kafkajs/src/utils/long.js') as { fromValue(value: number | bigint): KafkaJsLong },
  compression: require('kafkajs/src/protocol/message/compression/index.js') as {
    Types: Record<'None' | 'GZIP' | 'Snappy' | 'LZ4' | 'ZSTD', number>;
    Codecs: Record<number, () => KafkaJsCodec>;
  },
  crc32C: require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (buffer: Buffer) => number,
};

// KafkaJS's codec table, with Weir's codecs where KafkaJS needs a plugin.
for (const codec of [CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD]) {
  const plugin: KafkaJsCodec = {
    compress: (encoder) => compress(codec, encoder.buffer),
    decompress: (buffer) => decompress(codec, buffer),
  };
  kafkajs.compression.Codecs[codec] = () => plugin;
}

const BASE_TIMESTAMP = 1_700_000_000_000;
interface Message {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

const messages: Message[] = [
  {
    key: Buffer.from('user-1'),
    value: Buffer.from('{"a":1}'),
    headers: { trace: Buffer.from('t1') },
  },
  { key: null, value: Buffer.from('no key'), headers: {} },
  {
    key: Buffer.from('tombstone'),
    value: null,
    headers: { a: Buffer.from('1'), b: Buffer.from('') },
  },
  {
    key: Buffer.from('big'),
    value: pseudoRandomBytes(20_000, 9),
    headers: { 'unicodé-ключ': Buffer.from('v') },
  },
];

async function kafkajsBatch(compression: number): Promise<Buffer> {
  const records = messages.map((message, index) =>
    kafkajs.Record({ offsetDelta: index, timestampDelta: index * 10, ...message }),
  );
  const encoder = await kafkajs.RecordBatch({
    compression,
    firstOffset: kafkajs.Long.fromValue(0),
    firstTimestamp: BASE_TIMESTAMP,
    maxTimestamp: BASE_TIMESTAMP + 30,
    partitionLeaderEpoch: 0,
    lastOffsetDelta: messages.length - 1,
    transactional: false,
    producerId: kafkajs.Long.fromValue(4000n),
    producerEpoch: 2,
    firstSequence: 17,
    records,
  });
  return encoder.buffer;
}

describe('interop: KafkaJS 2.2.4 encodes, Weir decodes', () => {
  for (const codec of [0, 1, 2, 3, 4] as const) {
    const origin = codec <= CompressionType.GZIP ? 'its own codec' : 'a plugged-in codec';
    it(`reads a ${COMPRESSION_NAMES[codec]} batch (${origin})`, async () => {
      const bytes = await kafkajsBatch(codec);
      const validation = validateProducedBatch(bytes);
      assert.ok(validation.ok, validation.ok ? '' : validation.message);
      const batch = validation.batch;
      assert.equal(batch.compression, codec);
      assert.equal(batch.recordCount, messages.length);
      assert.equal(batch.baseTimestamp, BigInt(BASE_TIMESTAMP));
      assert.equal(batch.maxTimestamp, BigInt(BASE_TIMESTAMP + 30));
      assert.equal(batch.producerId, 4000n);
      assert.equal(batch.producerEpoch, 2);
      assert.equal(batch.baseSequence, 17);
      const decoded = [...(await readRecords(batch))];
      assert.deepEqual(
        decoded.map((r) => ({
          key: r.key,
          value: r.value,
          headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value])),
        })),
        messages,
      );
      assert.deepEqual(
        decoded.map((r) => [r.offset, r.timestamp]),
        messages.map((_, i) => [BigInt(i), BigInt(BASE_TIMESTAMP + i * 10)]),
      );
    });
  }
});

describe('interop: Weir builds, KafkaJS decodes', () => {
  for (const codec of [0, 1, 2, 3, 4] as const) {
    it(`KafkaJS reads a Weir ${COMPRESSION_NAMES[codec]} batch`, async () => {
      const bytes = await buildRecordBatch(
        messages.map((message, index) => ({
          key: message.key,
          value: message.value,
          headers: Object.entries(message.headers).map(([key, value]) => ({ key, value })),
          timestamp: BASE_TIMESTAMP + index,
        })),
        { compression: codec, baseOffset: 500n },
      );
      const { records } = await kafkajs.decodeBatch(new kafkajs.Decoder(bytes));
      assert.deepEqual(
        records.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } })),
        messages,
      );
      assert.deepEqual(
        records.map((r) => [r.offset, r.timestamp]),
        messages.map((_, i) => [String(500 + i), String(BASE_TIMESTAMP + i)]),
      );
    });
  }
});

describe('interop: CRC-32C', () => {
  it('matches KafkaJS on random buffers', () => {
    for (let length = 0; length < 2000; length += 37) {
      const data = pseudoRandomBytes(length, length + 1);
      assert.equal(crc32c(data), kafkajs.crc32C(data), `length ${length}`);
    }
  });
});
