/**
 * A @platformatic/kafka group consumer (Node >= 22) run as a child process by the group
 * interop tests; same arguments and JSON-lines output as kafkajs-consumer.ts. Commits
 * each record (message.commit()) before taking the next; SIGTERM leaves and exits.
 *
 * The stream may still hand out records it fetched for a partition the member has just
 * lost in a rebalance; committing those would race with the new owner (the classic
 * protocol does not tie commits to partition ownership, in Kafka either), so the program
 * skips records of partitions it no longer owns, as an application should.
 */
import type * as Platformatic from '@platformatic/kafka';

interface Args {
  bootstrap: string;
  topic: string;
  group: string;
  clientId: string;
  sessionTimeoutMs: number;
  instanceId?: string;
}

const args = JSON.parse(process.argv[2]!) as Args;
const print = (event: object): void => {
  process.stdout.write(JSON.stringify(event) + '\n');
};

const pk: typeof Platformatic = await import('@platformatic/kafka');
const consumer = new pk.Consumer({
  clientId: args.clientId,
  bootstrapBrokers: [args.bootstrap],
  groupId: args.group,
  sessionTimeout: args.sessionTimeoutMs,
  rebalanceTimeout: 15_000,
  heartbeatInterval: 500,
  maxWaitTime: 200,
  deserializers: pk.stringDeserializers,
  ...(args.instanceId ? { groupInstanceId: args.instanceId } : {}),
});
let owned = new Set<number>();
consumer.on(
  'consumer:group:join',
  (payload: { assignments?: Array<{ topic: string; partitions: number[] }> | null }) => {
    const mine = (payload.assignments ?? [])
      .filter((a) => a.topic === args.topic)
      .flatMap((a) => a.partitions);
    owned = new Set(mine);
    print({ e: 'assigned', partitions: [...mine].sort((a, b) => a - b) });
  },
);
process.on('SIGTERM', () => {
  void consumer.close(true).finally(() => process.exit(0));
});

const stream = await consumer.consume({
  topics: [args.topic],
  autocommit: false,
  mode: pk.MessagesStreamModes.COMMITTED,
  fallbackMode: pk.MessagesStreamFallbackModes.EARLIEST,
});
for await (const message of stream) {
  if (!owned.has(message.partition)) continue;
  const offset = Number(message.offset);
  print({ e: 'r', p: message.partition, o: offset, v: message.value });
  try {
    await message.commit();
    print({ e: 'c', p: message.partition, o: offset + 1 });
  } catch (error) {
    print({ e: 'commit-error', p: message.partition, o: offset + 1, error: String(error) });
  }
}
