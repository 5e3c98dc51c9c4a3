/**
 * A KafkaJS group consumer run as a child process by the group interop tests. Arguments:
 * one JSON object (see ConsumerArgs in ../group-scenario.ts). Prints JSON lines on stdout:
 *   {"e":"assigned","partitions":[...]}  the full assignment after every rebalance
 *   {"e":"r","p":P,"o":O,"v":VALUE}      a record, before its offset is committed
 *   {"e":"c","p":P,"o":NEXT}             a successful commit of NEXT for partition P
 *   {"e":"commit-error","p":P,"o":NEXT}  a failed one (the record may be redelivered)
 * Commits synchronously after every record (autoCommit off), so a record is consumed
 * twice only if its consumer died (or its commit failed) before committing past it.
 * SIGTERM: leave the group and exit.
 */
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

interface Args {
  bootstrap: string;
  topic: string;
  group: string;
  clientId: string;
  sessionTimeoutMs: number;
}

const args = JSON.parse(process.argv[2]!) as Args;
const print = (event: object): void => {
  process.stdout.write(JSON.stringify(event) + '\n');
};

const kafka = new Kafka({
  clientId: args.clientId,
  brokers: [args.bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
});
const consumer = kafka.consumer({
  groupId: args.group,
  sessionTimeout: args.sessionTimeoutMs,
  rebalanceTimeout: 15_000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 200,
});
consumer.on(consumer.events.GROUP_JOIN, (event) => {
  const assigned = event.payload.memberAssignment[args.topic] ?? [];
  print({ e: 'assigned', partitions: [...assigned].sort((a, b) => a - b) });
});
process.on('SIGTERM', () => {
  void consumer.disconnect().finally(() => process.exit(0));
});

await consumer.connect();
await consumer.subscribe({ topic: args.topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    const offset = Number(message.offset);
    print({ e: 'r', p: partition, o: offset, v: message.value?.toString() ?? null });
    try {
      await consumer.commitOffsets([{ topic: args.topic, partition, offset: String(offset + 1) }]);
    } catch (error) {
      // KafkaJS handles it (rejoins, redelivers); the test learns why a record may repeat.
      print({ e: 'commit-error', p: partition, o: offset + 1, error: String(error) });
      throw error;
    }
    print({ e: 'c', p: partition, o: offset + 1 });
  },
});
