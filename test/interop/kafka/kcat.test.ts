/**
 * Interop with kcat 1.7 on Debian's librdkafka 2.0.2 (issue 4).
 *
 * kcat produces 100,000 keyed records, 20,000 per codec (none, gzip, snappy, lz4, zstd),
 * with the idempotent producer (enable.idempotence=true, so acks=all) and two headers per
 * run (-H; kcat cannot vary headers or set timestamps per record). `kcat -C -o beginning
 * -e -J` then reads everything back without a consumer group (OFFSET_BEGINNING makes
 * librdkafka ask ListOffsets for the earliest offset).
 *
 * Checked: count and content (value, key, headers), key → partition stickiness over all
 * six partitions, per-partition order and contiguous offsets, CreateTime timestamps inside
 * the produce window, each stored batch compressed with its run's codec (librdkafka 2.0.2
 * stops compressing if Produce is not advertised from v0, and needs Produce 7 + Fetch 10
 * for zstd), and producer ids on every batch (idempotence needs InitProducerId v0 listed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CODEC_NAMES,
  assertProducerIds,
  assertStoredCodecs,
  groupByCodec,
  makeRecords,
  readStoredTopic,
  run,
  startTestBroker,
  verifyConsumed,
  type ConsumedRecord,
  type TestBroker,
} from './helpers.js';

const TOPIC = 'interop-kcat';
const PARTITIONS = 6;
const COUNT = 100_000;

interface KcatJson {
  topic: string;
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  headers?: string[] | null;
  key: string | null;
  payload: string | null;
}

describe('kcat (librdkafka 2.0.2)', () => {
  let test: TestBroker;
  const records = makeRecords('kcat', COUNT, CODEC_NAMES);
  let window = { from: 0, to: 0 };

  before(async () => {
    test = await startTestBroker('kcat');
    await test.broker.createTopic(TOPIC, { partitions: PARTITIONS });
  });
  after(() => test?.stop());

  it('produces 100,000 keyed records with headers, every codec, idempotent', async () => {
    window = { from: Date.now(), to: 0 };
    for (const [codec, group] of groupByCodec(records)) {
      const input = group.map((r) => `${r.key}\t${r.value}\n`).join('');
      const result = await run(
        'kcat',
        [
          '-P',
          '-b',
          test.bootstrap,
          '-t',
          TOPIC,
          '-K',
          '\t',
          '-H',
          `codec=${codec}`,
          '-H',
          'client=kcat',
          '-X',
          `compression.codec=${codec}`,
          '-X',
          'enable.idempotence=true',
          '-X',
          'linger.ms=5',
        ],
        { input, timeoutMs: 60_000 },
      );
      assert.doesNotMatch(result.stderr, /delivery failed|error/i, `kcat -P (${codec}) reported`);
    }
    window.to = Date.now();

    const stored = await readStoredTopic(test.broker.port, TOPIC);
    assert.equal(stored.records.length, COUNT, 'records stored');
    // librdkafka sends a batch uncompressed when compressing it would not shrink it (a
    // batch of one or two records, depending on how the linger cut the stream).
    assertStoredCodecs(stored, CODEC_NAMES, { uncompressedFallback: true });
    assertProducerIds(stored, true);
  });

  it('consumes them all back with kcat -C -o beginning -e, without a group', async () => {
    const result = await run(
      'kcat',
      ['-C', '-b', test.bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', '-J', '-q'],
      { timeoutMs: 60_000 },
    );
    const consumed: ConsumedRecord[] = result.stdout
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const m = JSON.parse(line) as KcatJson;
        const flat = m.headers ?? [];
        const headers: [string, string][] = [];
        for (let i = 0; i < flat.length; i += 2) headers.push([flat[i]!, flat[i + 1]!]);
        return {
          partition: m.partition,
          offset: m.offset,
          timestamp: m.ts,
          timestampType: m.tstype === 'create' ? 'create' : 'append',
          key: m.key,
          value: m.payload,
          headers,
        } satisfies ConsumedRecord;
      });
    verifyConsumed(records, consumed, {
      partitions: PARTITIONS,
      exactTimestamps: false,
      exactHeaders: false,
      timestampWindow: window,
      headersOf: (r) => [
        ['codec', r.codec],
        ['client', 'kcat'],
      ],
    });
  });
});
