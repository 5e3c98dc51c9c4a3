/**
 * Fuzzing decodeRequestFrame with mutated frames.
 *
 * Contract under test (frames.ts, wire/reader.ts): for any bytes, decodeRequestFrame
 * returns a value or throws KafkaDecodeError / UnsupportedRequestError, never another
 * exception, never hangs, and never allocates in proportion to a length field it has not
 * checked against the bytes present. Whatever it returns must re-encode, and decode again
 * to the same value.
 *
 * The corpus is the golden frames from real clients plus random requests of every API
 * key and version (fixtures/random-messages.ts). Everything is driven by one seeded PRNG:
 * set FUZZ_SEED to replay a run and FUZZ_ITERATIONS to run longer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import {
  API_MESSAGE_TYPES,
  KafkaDecodeError,
  UnsupportedRequestError,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  type AnyRequest,
  type AnyResponse,
  type DecodedRequest,
} from '../../../src/protocol/kafka/index.js';
import { goldenFrames } from './fixtures/golden-fixtures.js';
import { mulberry32, randomInt, randomMessage, type Rng } from './fixtures/random-messages.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_2026);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 20_000);
/** One decode of a frame of a few KB should take microseconds; this only catches hangs. */
const MAX_DECODE_MS = 250;

const hex = (b: Buffer): string => b.toString('hex');

/** Frames without their size prefix, as the connection hands them to decodeRequestFrame. */
function corpus(rng: Rng): { name: string; frame: Buffer }[] {
  const frames = goldenFrames().map((f) => ({ name: f.file, frame: f.bytes.subarray(4) }));
  for (const [apiKey, api] of API_MESSAGE_TYPES) {
    for (let v = api.lowestVersion; v <= api.highestVersion; v++) {
      const body = randomMessage('request', apiKey, v, rng) as unknown as AnyRequest;
      const clientId = rng() < 0.1 ? null : `fuzz-${apiKey}`;
      const frame = Buffer.concat(
        encodeRequestFrame(apiKey, v, randomInt(rng, 0, 1e6), clientId, body),
      );
      frames.push({ name: `${api.name} v${v}`, frame: frame.subarray(4) });
    }
  }
  return frames;
}

/** Values a forged length field takes: huge, negative, just past the end, "null". */
const FORGED_INT32 = [0x7fffffff, -0x80000000, -2, -1, 0x10000, 0x7fff, 0xffff];
const FORGED_INT16 = [0x7fff, -0x8000, -2, -1, 0x4000];
/** Unsigned varints: 2^32-1, 2^31, a 6-byte (too long) varint, a lone continuation byte. */
const FORGED_UVARINT = [
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0x80, 0x80, 0x80, 0x80, 0x08],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80],
  [0x00],
];

type Mutation = (frame: Buffer, rng: Rng) => Buffer;

const MUTATIONS: [string, Mutation][] = [
  [
    'bit flips',
    (frame, rng) => {
      const out = Buffer.from(frame);
      const flips = randomInt(rng, 1, 8);
      for (let i = 0; i < flips && out.length > 0; i++) {
        out[randomInt(rng, 0, out.length - 1)]! ^= 1 << randomInt(rng, 0, 7);
      }
      return out;
    },
  ],
  [
    'truncation',
    (frame, rng) => frame.subarray(0, randomInt(rng, 0, Math.max(frame.length - 1, 0))),
  ],
  [
    'forged int32 length',
    (frame, rng) => {
      const out = Buffer.from(frame);
      if (out.length >= 4) {
        out.writeInt32BE(
          FORGED_INT32[randomInt(rng, 0, FORGED_INT32.length - 1)]!,
          randomInt(rng, 0, out.length - 4),
        );
      }
      return out;
    },
  ],
  [
    'forged int16 length',
    (frame, rng) => {
      const out = Buffer.from(frame);
      if (out.length >= 2) {
        out.writeInt16BE(
          FORGED_INT16[randomInt(rng, 0, FORGED_INT16.length - 1)]!,
          randomInt(rng, 0, out.length - 2),
        );
      }
      return out;
    },
  ],
  [
    'forged varint',
    (frame, rng) => {
      const varint = Buffer.from(FORGED_UVARINT[randomInt(rng, 0, FORGED_UVARINT.length - 1)]!);
      const at = randomInt(rng, 8, Math.max(frame.length, 8));
      const replace = rng() < 0.5 ? varint.length : 1;
      return Buffer.concat([frame.subarray(0, at), varint, frame.subarray(at + replace)]);
    },
  ],
  [
    'appended bytes',
    (frame, rng) => {
      const extra = Buffer.alloc(randomInt(rng, 1, 64));
      for (let i = 0; i < extra.length; i++) extra[i] = randomInt(rng, 0, 255);
      return Buffer.concat([frame, extra]);
    },
  ],
  [
    'API key/version swap',
    (frame, rng) => {
      const out = Buffer.from(frame);
      if (out.length < 4) return out;
      const keys = [...API_MESSAGE_TYPES.keys()];
      const r = rng();
      const key =
        r < 0.9 ? keys[randomInt(rng, 0, keys.length - 1)]! : randomInt(rng, -32768, 32767);
      const api = API_MESSAGE_TYPES.get(key);
      const version =
        api && rng() < 0.9
          ? randomInt(rng, api.lowestVersion, api.highestVersion)
          : randomInt(rng, -2, 40);
      if (rng() < 0.7) out.writeInt16BE(key, 0);
      out.writeInt16BE(version, 2);
      return out;
    },
  ],
  [
    'byte insertion/deletion',
    (frame, rng) => {
      const at = randomInt(rng, 0, frame.length);
      if (rng() < 0.5)
        return Buffer.concat([
          frame.subarray(0, at),
          Buffer.from([randomInt(rng, 0, 255)]),
          frame.subarray(at),
        ]);
      return Buffer.concat([frame.subarray(0, at), frame.subarray(at + randomInt(rng, 1, 8))]);
    },
  ],
];

/**
 * Sorts every unknownTaggedFields list by tag (stably). The decoder accepts a tagged-field
 * section in any order, as Kafka's generated Java readers do, and the encoder writes tags
 * ascending as the spec requires, so only the order may change on a round trip.
 */
function sortTags(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortTags);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = sortTags(field);
  if (Array.isArray(out.unknownTaggedFields)) {
    out.unknownTaggedFields = [...(out.unknownTaggedFields as { tag: number }[])].sort(
      (a, b) => a.tag - b.tag,
    );
  }
  return out;
}

interface Outcome {
  ok: DecodedRequest | null;
  ms: number;
}

/** Decodes, failing the test (with everything needed to replay) on a contract breach. */
function decodeChecked(frame: Buffer, context: string): Outcome {
  const started = performance.now();
  let ok: DecodedRequest | null = null;
  try {
    ok = decodeRequestFrame(frame);
  } catch (error) {
    if (!(error instanceof KafkaDecodeError) && !(error instanceof UnsupportedRequestError)) {
      assert.fail(`${context}: threw ${String(error)}\n  frame ${hex(frame)}`);
    }
  }
  const ms = performance.now() - started;
  assert.ok(
    ms < MAX_DECODE_MS,
    `${context}: decode took ${ms.toFixed(1)} ms\n  frame ${hex(frame)}`,
  );
  if (ok !== null) {
    // Anything accepted must encode again, and that encoding must decode to the same value.
    const { header, body } = ok;
    let again: Buffer;
    try {
      again = Buffer.concat(
        encodeRequestFrame(
          header.requestApiKey,
          header.requestApiVersion,
          header.correlationId,
          header.clientId,
          body,
        ),
      );
    } catch (error) {
      assert.fail(
        `${context}: decoded value does not re-encode: ${String(error)}\n  frame ${hex(frame)}`,
      );
    }
    const second = decodeRequestFrame(again.subarray(4));
    assert.ok(
      isDeepStrictEqual(sortTags(second.body), sortTags(body)),
      `${context}: decode(encode(decode(frame))) differs\n  frame ${hex(frame)}`,
    );
  }
  return { ok, ms };
}

describe('decodeRequestFrame fuzzing', () => {
  it(`random requests of every API key and version round-trip (seed ${SEED})`, () => {
    const rng = mulberry32(SEED);
    for (const [apiKey, api] of API_MESSAGE_TYPES) {
      for (let v = api.lowestVersion; v <= api.highestVersion; v++) {
        for (let i = 0; i < 4; i++) {
          const body = randomMessage('request', apiKey, v, rng) as unknown as AnyRequest;
          const bytes = Buffer.concat(encodeRequestFrame(apiKey, v, 7, 'rt', body));
          assert.equal(bytes.readInt32BE(0), bytes.length - 4);
          const decoded = decodeRequestFrame(bytes.subarray(4));
          const again = Buffer.concat(encodeRequestFrame(apiKey, v, 7, 'rt', decoded.body));
          assert.ok(again.equals(bytes), `${api.name} v${v} request re-encodes identically`);

          const response = randomMessage('response', apiKey, v, rng) as unknown as AnyResponse;
          const rbytes = Buffer.concat(encodeResponseFrame(apiKey, v, 9, response));
          const rdecoded = decodeResponseFrame(apiKey, v, rbytes.subarray(4));
          assert.equal(rdecoded.correlationId, 9);
          const ragain = Buffer.concat(encodeResponseFrame(apiKey, v, 9, rdecoded.body));
          assert.ok(ragain.equals(rbytes), `${api.name} v${v} response re-encodes identically`);
        }
      }
    }
  });

  it(
    `${ITERATIONS} mutated frames only decode or throw KafkaDecodeError/UnsupportedRequestError (seed ${SEED})`,
    { timeout: 60_000 },
    (t) => {
      t.diagnostic(`seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
      const rng = mulberry32(SEED);
      const frames = corpus(rng);
      const started = performance.now();
      const counts = new Map<string, { decoded: number; rejected: number }>();
      let slowest = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const base = frames[randomInt(rng, 0, frames.length - 1)]!;
        let frame = base.frame;
        const names: string[] = [];
        const rounds = rng() < 0.8 ? 1 : randomInt(rng, 2, 3);
        for (let r = 0; r < rounds; r++) {
          const [name, mutate] = MUTATIONS[randomInt(rng, 0, MUTATIONS.length - 1)]!;
          frame = mutate(frame, rng);
          names.push(name);
        }
        const label = names.join(' + ');
        const { ok, ms } = decodeChecked(
          frame,
          `seed ${SEED} iteration ${i} (${base.name}; ${label})`,
        );
        slowest = Math.max(slowest, ms);
        const count = counts.get(label) ?? { decoded: 0, rejected: 0 };
        if (ok) count.decoded++;
        else count.rejected++;
        counts.set(label, count);
      }
      const elapsed = performance.now() - started;
      t.diagnostic(
        `${ITERATIONS} mutations in ${elapsed.toFixed(0)} ms, slowest decode ${slowest.toFixed(2)} ms`,
      );
      for (const [label, c] of [...counts].filter(([l]) => !l.includes('+'))) {
        t.diagnostic(`${label}: ${c.decoded} decoded, ${c.rejected} rejected`);
      }
      assert.ok(elapsed < 30_000, `fuzzing took ${elapsed} ms`);
    },
  );

  it('frames of random bytes never escape the contract', () => {
    const rng = mulberry32(SEED ^ 0xabcdef);
    const keys = [...API_MESSAGE_TYPES.keys()];
    for (let i = 0; i < 5000; i++) {
      const frame = Buffer.alloc(randomInt(rng, 0, 80));
      for (let j = 0; j < frame.length; j++) frame[j] = randomInt(rng, 0, 255);
      if (frame.length >= 4 && rng() < 0.8) {
        // Mostly valid keys/versions, so decoding gets past the header.
        const key = keys[randomInt(rng, 0, keys.length - 1)]!;
        const api = API_MESSAGE_TYPES.get(key)!;
        frame.writeInt16BE(key, 0);
        frame.writeInt16BE(randomInt(rng, api.lowestVersion, api.highestVersion), 2);
      }
      decodeChecked(frame, `seed ${SEED} random frame ${i}`);
    }
  });
});

describe('forged lengths fail fast, without allocating what they claim', () => {
  /** A frame header (v1 or v2 per the version) followed by `body`. */
  function frameWith(apiKey: number, version: number, body: Buffer): Buffer {
    const api = API_MESSAGE_TYPES.get(apiKey)!;
    const flexible = api.firstFlexibleVersion !== null && version >= api.firstFlexibleVersion;
    const header = Buffer.alloc(flexible ? 11 : 10);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(version, 2);
    header.writeInt32BE(1, 4);
    header.writeInt16BE(0, 8); // ClientId ""
    return Buffer.concat([header, body]);
  }

  const HUGE_BODIES: [string, Buffer][] = [
    ['int32 0x7fffffff x4', Buffer.from('7fffffff'.repeat(4), 'hex')],
    ['int16 0x7fff x8', Buffer.from('7fff'.repeat(8), 'hex')],
    ['uvarint 2^32-1 x3', Buffer.from('ffffffff0f'.repeat(3), 'hex')],
    ['uvarint 2^31 then int32 max', Buffer.from('8080808008' + '7fffffff'.repeat(3), 'hex')],
    ['0xff x20', Buffer.alloc(20, 0xff)],
  ];

  it('for every API key and version, a 20-byte body claiming ~2 GB is rejected in microseconds', () => {
    const before = process.memoryUsage();
    let decodes = 0;
    let totalMs = 0;
    for (const [apiKey, api] of API_MESSAGE_TYPES) {
      for (let v = api.lowestVersion; v <= api.highestVersion; v++) {
        for (const [name, body] of HUGE_BODIES) {
          // Every prefix too: the forged length lands on each field in turn.
          for (let skip = 0; skip < 8; skip++) {
            const frame = frameWith(apiKey, v, Buffer.concat([Buffer.alloc(skip), body]));
            const { ms } = decodeChecked(
              frame,
              `${api.name} v${v} ${name} after ${skip} zero bytes`,
            );
            totalMs += ms;
            decodes++;
          }
        }
      }
    }
    const after = process.memoryUsage();
    const grownMb =
      (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
    // Each decode is bounded by MAX_DECODE_MS (a scheduling pause on a shared CI machine
    // can cost one decode tens of ms); on average a forged length must cost nothing.
    const meanMs = totalMs / decodes;
    assert.ok(meanMs < 1, `${decodes} decodes took ${meanMs.toFixed(3)} ms on average`);
    // Thousands of decodes, each claiming up to 2 GB: the heap must not notice.
    assert.ok(grownMb < 64, `heap grew ${grownMb.toFixed(1)} MB over ${decodes} decodes`);
  });

  it('Produce records claiming 2 GB in a tiny frame fail with KafkaDecodeError at once', () => {
    // Produce v7: transactionalId null, acks -1, timeout, 1 topic "t", 1 partition 0, records.
    const v7 = Buffer.from(
      'ffff' +
        'ffff' +
        '00007530' +
        '00000001' +
        '000174' +
        '00000001' +
        '00000000' +
        '7fffffff' +
        '00',
      'hex',
    );
    // Produce v9 (flexible): compact records length 2^32-1 (uvarint N+1).
    const v9 = Buffer.from(
      '00' + 'ffff' + '00007530' + '02' + '0274' + '02' + '00000000' + 'ffffffff0f' + '00',
      'hex',
    );
    for (const [version, body] of [
      [7, v7],
      [9, v9],
    ] as const) {
      const frame = frameWith(0, version, body);
      assert.ok(frame.length < 40);
      const started = performance.now();
      assert.throws(
        () => decodeRequestFrame(frame),
        (error: unknown) =>
          error instanceof KafkaDecodeError && /need \d+ bytes/.test(error.message),
      );
      assert.ok(performance.now() - started < 20);
    }
  });

  it('an array claiming 2^31-1 elements fails before allocating them', () => {
    // Metadata v1: topics array of 0x7fffffff entries, frame of 14 bytes.
    const frame = frameWith(3, 1, Buffer.from('7fffffff', 'hex'));
    assert.throws(
      () => decodeRequestFrame(frame),
      (error: unknown) => error instanceof KafkaDecodeError && /does not fit/.test(error.message),
    );
    // Flexible Metadata v12: compact array of 2^32-2 entries.
    const flexible = frameWith(3, 12, Buffer.from('ffffffff0f0000', 'hex'));
    assert.throws(() => decodeRequestFrame(flexible), KafkaDecodeError);
  });
});
