/**
 * Committed offsets survive a broker crash: a broker child process (`weir start`) gets
 * offsets committed by a KafkaJS group consumer, by KafkaJS admin (a standalone commit)
 * and by librdkafka (python3-confluent-kafka); it is SIGKILLed, restarted on the same data
 * directory, and KafkaJS and librdkafka fetch exactly the offsets acknowledged before the
 * kill. The KafkaJS group then resumes from its committed offsets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { PYTHON, makeTempDir, run, spawnBroker, type BrokerProcess } from '../kafka/helpers.js';
import { GROUP_BROKER_CONFIG, PARTITIONS } from './group-scenario.js';

const TOPIC = 'restart-offsets';
const { Kafka, logLevel } = kafkajs;

const CONFLUENT_COMMIT = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
args = json.loads(sys.argv[1])
c = Consumer({"bootstrap.servers": args["bootstrap"], "group.id": args["group"], "enable.auto.commit": False})
if args["mode"] == "commit":
    c.commit(offsets=[TopicPartition(args["topic"], p, o) for p, o in args["offsets"]], asynchronous=False)
committed = c.committed([TopicPartition(args["topic"], p) for p in range(args["partitions"])], timeout=10)
print(json.dumps([[tp.partition, tp.offset] for tp in committed]))
c.close()
`;

async function confluent(
  bootstrap: string,
  mode: 'commit' | 'fetch',
  offsets: Array<[number, number]> = [],
) {
  const result = await run(
    PYTHON,
    [
      '-c',
      CONFLUENT_COMMIT,
      JSON.stringify({
        bootstrap,
        group: 'restart-librdkafka',
        topic: TOPIC,
        partitions: PARTITIONS,
        mode,
        offsets,
      }),
    ],
    { timeoutMs: 20_000 },
  );
  return JSON.parse(result.stdout.trim()) as Array<[number, number]>;
}

function brokerArgs(): string[] {
  return Object.entries(GROUP_BROKER_CONFIG).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

async function fetchAll(bootstrap: string): Promise<Record<string, Array<[number, string]>>> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const out: Record<string, Array<[number, string]>> = {};
    for (const groupId of ['restart-kafkajs', 'restart-standalone']) {
      const [topic] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
      out[groupId] = topic!.partitions
        .map((p): [number, string] => [p.partition, p.offset])
        .sort((x, y) => x[0] - y[0]);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

describe('committed offsets across a broker SIGKILL', () => {
  it('are all fetched back after the restart', { timeout: 55_000 }, async (t) => {
    const temp = await makeTempDir('groups-restart');
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker({ dataDir: temp.dir, port: 0, extraArgs: brokerArgs() });
      const kafka = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: TOPIC,
        messages: Array.from({ length: 120 }, (_, i) => ({
          partition: i % PARTITIONS,
          value: `v${i}`,
        })),
      });
      await producer.disconnect();

      // A KafkaJS group consumes 90 records, committing each.
      const consumer = kafka.consumer({
        groupId: 'restart-kafkajs',
        sessionTimeout: 6000,
        heartbeatInterval: 500,
      });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      let consumed = 0;
      await new Promise<void>((resolve) => {
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (consumed >= 90) return;
            consumed += 1;
            await consumer.commitOffsets([
              { topic: TOPIC, partition, offset: String(Number(message.offset) + 1) },
            ]);
            if (consumed === 90) resolve();
          },
        });
      });
      await consumer.disconnect();
      // A standalone commit (no group membership) through the admin API.
      await admin.setOffsets({
        groupId: 'restart-standalone',
        topic: TOPIC,
        partitions: Array.from({ length: PARTITIONS }, (_, p) => ({
          partition: p,
          offset: String(p * 3 + 1),
        })),
      });
      await admin.disconnect();
      // librdkafka commits for its own group.
      const librdkafkaOffsets: Array<[number, number]> = Array.from(
        { length: PARTITIONS },
        (_, p) => [p, 10 + p],
      );
      const committed = await confluent(broker.bootstrapServers, 'commit', librdkafkaOffsets);
      assert.deepEqual(committed, librdkafkaOffsets);

      const before = await fetchAll(broker.bootstrapServers);
      const total = before['restart-kafkajs']!.reduce(
        (sum, [, offset]) => sum + Math.max(0, Number(offset)),
        0,
      );
      assert.equal(total, 90, 'KafkaJS committed 90 records in all');
      t.diagnostic(`before the kill: ${JSON.stringify(before)}`);

      broker.child.kill('SIGKILL');
      await broker.exited;
      broker = await spawnBroker({ dataDir: temp.dir, port: 0, extraArgs: brokerArgs() });

      const afterRestart = await fetchAll(broker.bootstrapServers);
      assert.deepEqual(afterRestart, before, 'KafkaJS fetches the same offsets');
      assert.deepEqual(
        await confluent(broker.bootstrapServers, 'fetch'),
        librdkafkaOffsets,
        'librdkafka too',
      );

      // The group resumes where it committed: 30 records are left.
      const resumed = new Kafka({
        brokers: [broker.bootstrapServers],
        logLevel: logLevel.NOTHING,
      }).consumer({
        groupId: 'restart-kafkajs',
        sessionTimeout: 6000,
        heartbeatInterval: 500,
      });
      await resumed.connect();
      await resumed.subscribe({ topic: TOPIC, fromBeginning: true });
      const firstOffsets = new Map<number, number>();
      let rest = 0;
      await new Promise<void>((resolve) => {
        void resumed.run({
          eachMessage: async ({ partition, message }) => {
            if (!firstOffsets.has(partition)) firstOffsets.set(partition, Number(message.offset));
            if (++rest === 30) resolve();
          },
        });
      });
      await resumed.disconnect();
      for (const [partition, offset] of before['restart-kafkajs']!) {
        // -1: nothing committed, so the group starts at the beginning (fromBeginning).
        const start = Math.max(0, Number(offset));
        if (start < 20)
          assert.equal(
            firstOffsets.get(partition),
            start,
            `partition ${partition} resumed at its commit`,
          );
      }
    } finally {
      if (broker && broker.child.exitCode === null) {
        broker.child.kill('SIGTERM');
        await broker.exited;
      }
      await temp.remove();
    }
  });
});
