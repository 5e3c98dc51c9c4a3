/**
 * Interop with confluent-kafka-python 1.7 on Debian's librdkafka 2.0.2 (issue 4), run by
 * python/confluent_client.py under /usr/bin/python3.
 *
 * The idempotent producer (enable.idempotence=true, acks=all) sends 100,000 records,
 * 20,000 per codec (none, gzip, snappy, lz4, zstd), each with a key, three headers and an
 * explicit CreateTime, and reports the partition/offset of every delivery. A Consumer with
 * assign() from offset 0 (no group joined, no commits) reads them back.
 *
 * Checked: every record is consumed exactly where its delivery report put it, with the
 * same value, key, headers and timestamp; key → partition stickiness over all partitions;
 * per-partition order and contiguous offsets; each stored batch compressed with its codec;
 * a producer id on every batch.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CODEC_NAMES,
  PYTHON,
  assertProducerIds,
  assertStoredCodecs,
  makeRecords,
  makeTempDir,
  pythonScript,
  readJsonLines,
  readStoredTopic,
  run,
  startTestBroker,
  verifyConsumed,
  writeJsonLines,
  type Ack,
  type ConsumedRecord,
  type TestBroker,
} from './helpers.js';

const TOPIC = 'interop-confluent';
const PARTITIONS = 6;
const COUNT = 100_000;
const SCRIPT = pythonScript('confluent_client.py');

describe('confluent-kafka-python (librdkafka 2.0.2)', () => {
  let test: TestBroker;
  let files: { dir: string; remove(): Promise<void> };
  const records = makeRecords('confluent-kafka', COUNT, CODEC_NAMES);
  let acks: Ack[] = [];

  before(async () => {
    test = await startTestBroker('confluent');
    files = await makeTempDir('confluent-files');
    await test.broker.createTopic(TOPIC, { partitions: PARTITIONS });
  });
  after(async () => {
    await test?.stop();
    await files?.remove();
  });

  it('produces 100,000 records with the idempotent producer and every codec', async () => {
    const input = join(files.dir, 'records.jsonl');
    const output = join(files.dir, 'acks.jsonl');
    await writeJsonLines(input, records);
    await run(
      PYTHON,
      [SCRIPT, 'produce', '--bootstrap', test.bootstrap, '--topic', TOPIC].concat([
        '--records',
        input,
        '--acks',
        output,
        '--idempotent',
      ]),
      { timeoutMs: 90_000 },
    );
    acks = await readJsonLines<Ack>(output);
    assert.equal(acks.length, COUNT, 'delivery reports');

    const stored = await readStoredTopic(test.broker.port, TOPIC);
    assertStoredCodecs(stored, CODEC_NAMES);
    assertProducerIds(stored, true);
    // What the broker stored, read with Weir's own decoder, already matches the acks.
    verifyConsumed(records, stored.records, {
      partitions: PARTITIONS,
      acks,
      exactTimestamps: true,
      exactHeaders: true,
    });
  });

  it('consumes them back with assign() from offset 0, without a group', async () => {
    const output = join(files.dir, 'consumed.jsonl');
    await run(
      PYTHON,
      [SCRIPT, 'consume', '--bootstrap', test.bootstrap, '--topic', TOPIC].concat([
        '--partitions',
        String(PARTITIONS),
        '--expect',
        String(COUNT),
        '--out',
        output,
      ]),
      { timeoutMs: 90_000 },
    );
    const consumed = await readJsonLines<ConsumedRecord>(output);
    verifyConsumed(records, consumed, {
      partitions: PARTITIONS,
      acks,
      exactTimestamps: true,
      exactHeaders: true,
    });
  });
});
