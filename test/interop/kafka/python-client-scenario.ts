/**
 * The produce-then-consume scenario shared by the Python clients (confluent-kafka and
 * kafka-python): a script under python/ produces 100,000 records, 20,000 per codec, with
 * keys, three headers and explicit CreateTimes, and reports each delivery's partition and
 * offset; the same script then reads them back from offset 0 without a group. Both what the
 * broker stored and what the client consumed must match the acknowledgements exactly.
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

export interface PythonClientScenario {
  /** Suite title, e.g. 'kafka-python 2.0.2'. */
  title: string;
  /** Short name used for the topic, temp dirs and record contents. */
  name: string;
  /** Script under python/. */
  script: string;
  /** Produce with enable.idempotence (batches must then carry a producer id). */
  idempotent: boolean;
  /** The client sends a batch uncompressed when compression would not shrink it. */
  uncompressedFallback: boolean;
  produceTitle: string;
  consumeTitle: string;
}

const PARTITIONS = 6;
const COUNT = 100_000;
const CHECKS = { partitions: PARTITIONS, exactTimestamps: true, exactHeaders: true };

export function describePythonClient(scenario: PythonClientScenario): void {
  const topic = `interop-${scenario.name}`;
  const script = pythonScript(scenario.script);

  describe(scenario.title, () => {
    let test: TestBroker;
    let files: { dir: string; remove(): Promise<void> };
    const records = makeRecords(scenario.name, COUNT, CODEC_NAMES);
    let acks: Ack[] = [];

    before(async () => {
      test = await startTestBroker(scenario.name);
      files = await makeTempDir(`${scenario.name}-files`);
      await test.broker.createTopic(topic, { partitions: PARTITIONS });
    });
    after(async () => {
      await test?.stop();
      await files?.remove();
    });

    it(scenario.produceTitle, async () => {
      const input = join(files.dir, 'records.jsonl');
      const output = join(files.dir, 'acks.jsonl');
      await writeJsonLines(input, records);
      const args = [script, 'produce', '--bootstrap', test.bootstrap, '--topic', topic];
      args.push('--records', input, '--acks', output);
      if (scenario.idempotent) args.push('--idempotent');
      await run(PYTHON, args, { timeoutMs: 90_000 });
      acks = await readJsonLines<Ack>(output);
      assert.equal(acks.length, COUNT, 'delivery reports');

      const stored = await readStoredTopic(test.broker.port, topic);
      assertStoredCodecs(stored, CODEC_NAMES, {
        uncompressedFallback: scenario.uncompressedFallback,
      });
      assertProducerIds(stored, scenario.idempotent);
      // What the broker stored, read with Weir's own decoder, already matches the acks.
      verifyConsumed(records, stored.records, { ...CHECKS, acks });
    });

    it(scenario.consumeTitle, async () => {
      const output = join(files.dir, 'consumed.jsonl');
      const args = [script, 'consume', '--bootstrap', test.bootstrap, '--topic', topic];
      args.push('--partitions', String(PARTITIONS), '--expect', String(COUNT), '--out', output);
      await run(PYTHON, args, { timeoutMs: 90_000 });
      const consumed = await readJsonLines<ConsumedRecord>(output);
      verifyConsumed(records, consumed, { ...CHECKS, acks });
    });
  });
}
