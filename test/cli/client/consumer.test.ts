/**
 * The CLI's Consumer with recycled response buffers (reuseBuffers): every polled record
 * is intact when poll returns it, even when one response's records span many polls, and
 * the buffers really are recycled (a record kept past its poll may change; without the
 * option it never does).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Consumer,
  EARLIEST_TIMESTAMP,
  KafkaClient,
  Producer,
  createTopics,
  type ConsumedRecord,
} from '../../../src/cli/client/index.js';
import type { Broker } from '../../../src/index.js';
import { startTestBroker } from '../helpers.js';

const COUNT = 3000;
const valueOf = (i: number): string => `value-${i}-`.padEnd(300, String(i % 10));

describe('Consumer with reuseBuffers', () => {
  let broker: Broker;
  let client: KafkaClient;

  before(async () => {
    broker = await startTestBroker();
    client = await KafkaClient.connect({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'consumer-test',
    });
    const [answer] = await createTopics(client, [
      { name: 'r', partitions: 1, replicationFactor: -1, configs: {} },
    ]);
    assert.equal(answer?.errorCode, 0);
    await client.topic('r', true);
    const producer = new Producer(client, { acks: 1, batchSize: 16 * 1024, lingerMs: 1 });
    for (let i = 0; i < COUNT; i++) producer.send({ topic: 'r', value: Buffer.from(valueOf(i)) });
    await producer.flush();
    await producer.close();
  });
  after(async () => {
    client.close();
    await broker.stop();
  });

  /**
   * Polls 7 records at a time from 8 KiB fetches, pausing between polls so later responses
   * arrive while earlier ones still have records waiting; checks each poll as it returns.
   */
  async function consumeAll(reuseBuffers: boolean): Promise<{ first: ConsumedRecord }> {
    const consumer = new Consumer(client, {
      offsetReset: 'earliest',
      maxWaitMs: 50,
      partitionMaxBytes: 8 * 1024,
      reuseBuffers,
    });
    await consumer.assign(new Map([['r', new Map([[0, { timestamp: EARLIEST_TIMESTAMP }]])]]));
    let next = 0;
    let first: ConsumedRecord | undefined;
    for (let polls = 0; next < COUNT && polls < 5000; polls++) {
      for (const record of await consumer.poll(7, 250)) {
        assert.equal(record.offset, BigInt(next));
        assert.equal(record.value?.toString(), valueOf(next), `record ${next}`);
        first ??= record;
        next++;
      }
      await sleep(1);
    }
    consumer.close();
    assert.equal(next, COUNT);
    return { first: first! };
  }

  it('hands out every record intact while recycling the buffers behind earlier polls', async () => {
    const { first } = await consumeAll(true);
    // The first response's buffer was reused for a later one: the kept record changed.
    assert.notEqual(first.value?.toString(), valueOf(0));
  });

  it('without reuseBuffers, a record kept past its poll stays intact', async () => {
    const { first } = await consumeAll(false);
    assert.equal(first.value?.toString(), valueOf(0));
  });
});
