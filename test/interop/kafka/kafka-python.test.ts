/**
 * Interop with kafka-python 2.0.2 (Debian's python3-kafka, pure Python) (issue 4), run by
 * python/kafka_python_client.py under /usr/bin/python3.
 *
 * kafka-python 2.0.2 probes the broker with ApiVersions v0 and infers a version tuple
 * ((2, 4, 0) for Weir: Produce v8 listed), which allows zstd. It compresses gzip with
 * zlib, snappy/lz4/zstd with Debian's python3-snappy, python3-lz4 and python3-zstandard
 * (installed by .ci/run). It has no idempotent producer (batches carry producer id -1).
 *
 * 100,000 records, 20,000 per codec (none, gzip, snappy, lz4, zstd), each with a key,
 * three headers and an explicit CreateTime, acks=all; every send's RecordMetadata gives
 * its partition/offset. A KafkaConsumer(group_id=None) with assign() + seek(0) reads them
 * back. Checked as for the other clients: each record exactly where it was acknowledged,
 * content, key stickiness, per-partition order, contiguous offsets, timestamps, and the
 * codec of every stored batch.
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

const TOPIC = 'interop-kafka-python';
const PARTITIONS = 6;
const COUNT = 100_000;
const SCRIPT = pythonScript('kafka_python_client.py');

describe('kafka-python 2.0.2', () => {
  let test: TestBroker;
  let files: { dir: string; remove(): Promise<void> };
  const records = makeRecords('kafka-python', COUNT, CODEC_NAMES);
  let acks: Ack[] = [];

  before(async () => {
    test = await startTestBroker('kafka-python');
    files = await makeTempDir('kafka-python-files');
    await test.broker.createTopic(TOPIC, { partitions: PARTITIONS });
  });
  after(async () => {
    await test?.stop();
    await files?.remove();
  });

  it('produces 100,000 records with every codec (no idempotent producer in 2.0.2)', async () => {
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
      ]),
      { timeoutMs: 90_000 },
    );
    acks = await readJsonLines<Ack>(output);
    assert.equal(acks.length, COUNT, 'delivery reports');

    const stored = await readStoredTopic(test.broker.port, TOPIC);
    assertStoredCodecs(stored, CODEC_NAMES);
    assertProducerIds(stored, false);
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
