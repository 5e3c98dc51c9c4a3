/**
 * The client cross-check's KafkaJS side (issue 7, suite part 7): the produce and consume
 * workloads of `weir perf`, driven by KafkaJS 2.2.4 instead, printing one JSON line shaped
 * like `weir perf --json`.
 *
 *   produce BOOTSTRAP TOPIC COUNT SIZE ACKS BATCH_BYTES IN_FLIGHT
 *       KafkaJS has no linger/batch.size: each send() is one request, so records go in
 *       sends of BATCH_BYTES / SIZE records, with at most IN_FLIGHT sends outstanding.
 *   consume BOOTSTRAP TOPIC COUNT
 *       a consumer group reading from the beginning (KafkaJS has no group-less consumer);
 *       timed from the first batch to the COUNT-th record, so the join is not counted.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const [mode, bootstrap, topic, ...rest] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: 'weir-bench-kafkajs',
  brokers: [bootstrap!],
  logLevel: logLevel.NOTHING,
});

async function produce(
  count: number,
  size: number,
  acks: number,
  batchBytes: number,
  inFlight: number,
): Promise<object> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: true,
  });
  await producer.connect();
  const value = Buffer.alloc(size, 0x41);
  const perSend = Math.max(1, Math.floor(batchBytes / size));
  const messages = Array.from({ length: perSend }, () => ({ value }));
  // Metadata (and topic creation) before the clock starts.
  await producer.send({ topic: topic!, acks, messages: [{ value }] });
  const pending = new Set<Promise<unknown>>();
  const start = process.hrtime.bigint();
  let sent = 0;
  while (sent < count) {
    const n = Math.min(perSend, count - sent);
    sent += n;
    const p: Promise<unknown> = producer
      .send({ topic: topic!, acks, messages: n === perSend ? messages : messages.slice(0, n) })
      .then(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await producer.disconnect();
  return {
    records: count,
    bytes: count * size,
    seconds,
    recordsPerSec: count / seconds,
    mbPerSec: (count * size) / 1e6 / seconds,
  };
}

async function consume(count: number): Promise<object> {
  const consumer = kafka.consumer({
    groupId: `weir-bench-${process.pid}`,
    maxBytes: 64 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: topic!, fromBeginning: true });
  let records = 0;
  let bytes = 0;
  let start = 0n;
  let end = 0n;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (start === 0n) start = process.hrtime.bigint();
        for (const message of batch.messages) bytes += message.value?.length ?? 0;
        records += batch.messages.length;
        if (records >= count && end === 0n) {
          end = process.hrtime.bigint();
          resolve();
        }
      },
    });
  });
  const seconds = Number(end - start) / 1e9;
  await consumer.disconnect();
  return {
    records,
    bytes,
    seconds,
    recordsPerSec: records / seconds,
    mbPerSec: bytes / 1e6 / seconds,
  };
}

const n = rest.map(Number);
const result =
  mode === 'produce' ? await produce(n[0]!, n[1]!, n[2]!, n[3]!, n[4]!) : await consume(n[0]!);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
