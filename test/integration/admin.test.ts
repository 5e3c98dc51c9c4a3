/**
 * The admin APIs over a real socket, driven by KafkaJS 2.2.4's admin client: CreateTopics
 * v3, Metadata v6, DescribeConfigs v2, AlterConfigs v1, CreatePartitions v1, DeleteTopics
 * v1, ListOffsets v3 and DeleteRecords v1 — the versions KafkaJS picks against Weir.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs, { type Admin, type Producer } from 'kafkajs';
import { startBroker, type Broker } from '../../src/index.js';

// KafkaJS is CommonJS: its enums are not visible to ESM as named exports.
const { ConfigResourceTypes, ConfigSource, Kafka, logLevel } = kafkajs;

interface KafkaJSError extends Error {
  type?: string;
  cause?: KafkaJSError;
  errors?: KafkaJSError[];
  partitions?: { error: KafkaJSError }[];
}

/**
 * The Kafka error name behind a KafkaJS failure. KafkaJS wraps broker errors: retried ones
 * in KafkaJSNumberOfRetriesExceeded, others in KafkaJSNonRetriableError, per-partition
 * ones in `partitions`, per-topic CreateTopics ones in `errors`.
 */
function errorType(error: KafkaJSError | undefined): string | undefined {
  if (error === undefined) return undefined;
  return (
    error.type ??
    errorType(error.errors?.[0]) ??
    errorType(error.partitions?.[0]?.error) ??
    errorType(error.cause)
  );
}

function rejectsWith(type: string) {
  return (error: KafkaJSError) => {
    assert.equal(errorType(error), type, error.message);
    return true;
  };
}

/** Topic names without Kafka's internal topics (__consumer_offsets is listed, as in Kafka). */
async function userTopics(admin: { listTopics(): Promise<string[]> }): Promise<string[]> {
  return (await admin.listTopics()).filter((name) => !name.startsWith('__')).sort();
}

describe('admin operations with KafkaJS', () => {
  let broker: Broker;
  let kafka: InstanceType<typeof Kafka>;
  let admin: Admin;
  let producer: Producer;

  before(async () => {
    broker = await startBroker({ port: 0, dataDir: 'memory' });
    kafka = new Kafka({
      clientId: 'weir-admin-test',
      brokers: [broker.bootstrapServers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 50 },
    });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  after(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  it('creates topics with configs, validates without creating, and lists metadata', async () => {
    const created = await admin.createTopics({
      topics: [
        {
          topic: 'admin-orders',
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: '3600000' }],
        },
      ],
    });
    assert.equal(created, true);
    const again = await admin.createTopics({
      topics: [{ topic: 'admin-orders', numPartitions: 3 }],
    });
    assert.equal(again, false, 'an existing topic is reported as not created');

    await admin.createTopics({
      validateOnly: true,
      waitForLeaders: false,
      topics: [{ topic: 'admin-dry-run', numPartitions: 2 }],
    });
    await assert.rejects(
      admin.createTopics({
        validateOnly: true,
        topics: [{ topic: 'admin-bad', configEntries: [{ name: 'retention.ms', value: 'never' }] }],
      }),
      rejectsWith('INVALID_CONFIG'),
    );
    assert.deepEqual(await userTopics(admin), ['admin-orders']);

    const { topics } = await admin.fetchTopicMetadata({ topics: ['admin-orders'] });
    assert.equal(topics.length, 1);
    assert.equal(topics[0]!.name, 'admin-orders');
    assert.deepEqual(
      topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort(),
      [
        [0, 0, [0], [0]],
        [1, 0, [0], [0]],
        [2, 0, [0], [0]],
      ],
    );
  });

  it('describes and alters topic configs, and describes the broker', async () => {
    const described = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-orders' }],
    });
    const entries = described.resources[0]!.configEntries;
    const retention = entries.find((e) => e.configName === 'retention.ms')!;
    assert.equal(retention.configValue, '3600000');
    assert.equal(retention.configSource, ConfigSource.TOPIC_CONFIG);
    assert.equal(retention.configSynonyms[0]!.configSource, ConfigSource.TOPIC_CONFIG);
    const policy = entries.find((e) => e.configName === 'cleanup.policy')!;
    assert.deepEqual(
      [policy.configValue, policy.configSource],
      ['delete', ConfigSource.DEFAULT_CONFIG],
    );

    await admin.alterConfigs({
      validateOnly: true,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'admin-orders',
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'admin-orders',
          configEntries: [{ name: 'max.message.bytes', value: '65536' }],
        },
      ],
    });
    const altered = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'admin-orders',
          configNames: ['max.message.bytes', 'retention.ms', 'cleanup.policy'],
        },
      ],
    });
    const values = Object.fromEntries(
      altered.resources[0]!.configEntries.map((e) => [
        e.configName,
        [e.configValue, e.configSource],
      ]),
    );
    // AlterConfigs replaces the whole set of overrides: retention.ms reverts to its default.
    assert.deepEqual(values, {
      'cleanup.policy': ['delete', ConfigSource.DEFAULT_CONFIG],
      'max.message.bytes': ['65536', ConfigSource.TOPIC_CONFIG],
      'retention.ms': ['604800000', ConfigSource.DEFAULT_CONFIG],
    });

    await assert.rejects(
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.BROKER,
            name: '0',
            configEntries: [{ name: 'num.partitions', value: '4' }],
          },
        ],
      }),
      rejectsWith('INVALID_REQUEST'),
    );

    const brokerConfigs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames: ['num.partitions'] }],
    });
    assert.deepEqual(
      brokerConfigs.resources[0]!.configEntries.map((e) => [
        e.configName,
        e.configValue,
        e.readOnly,
      ]),
      [['num.partitions', '1', true]],
    );
  });

  it('adds partitions', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: 'admin-orders', count: 5 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ['admin-orders'] });
    assert.equal(topics[0]!.partitions.length, 5);
    await assert.rejects(
      admin.createPartitions({ topicPartitions: [{ topic: 'admin-orders', count: 2 }] }),
      rejectsWith('INVALID_PARTITIONS'),
    );
  });

  it('lists offsets, by timestamp too, and deletes records', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin-log', numPartitions: 1 }] });
    await producer.send({
      topic: 'admin-log',
      messages: [1000, 2000, 3000, 4000, 5000].map((timestamp) => ({
        value: `at ${timestamp}`,
        timestamp: String(timestamp),
        partition: 0,
      })),
    });
    assert.deepEqual(await admin.fetchTopicOffsets('admin-log'), [
      { partition: 0, offset: '5', high: '5', low: '0' },
    ]);
    assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp('admin-log', 2500), [
      { partition: 0, offset: '2' },
    ]);
    assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp('admin-log', 1000), [
      { partition: 0, offset: '0' },
    ]);
    // Later than every record: KafkaJS substitutes the high watermark for -1.
    assert.deepEqual(await admin.fetchTopicOffsetsByTimestamp('admin-log', 9000), [
      { partition: 0, offset: '5' },
    ]);

    await admin.deleteTopicRecords({
      topic: 'admin-log',
      partitions: [{ partition: 0, offset: '3' }],
    });
    assert.deepEqual(await admin.fetchTopicOffsets('admin-log'), [
      { partition: 0, offset: '5', high: '5', low: '3' },
    ]);
    await admin.deleteTopicRecords({
      topic: 'admin-log',
      partitions: [{ partition: 0, offset: '-1' }],
    });
    assert.deepEqual(await admin.fetchTopicOffsets('admin-log'), [
      { partition: 0, offset: '5', high: '5', low: '5' },
    ]);
    await assert.rejects(
      admin.deleteTopicRecords({
        topic: 'admin-log',
        partitions: [{ partition: 0, offset: '99' }],
      }),
      rejectsWith('OFFSET_OUT_OF_RANGE'),
    );
  });

  it('serves an idempotent producer (InitProducerId v1)', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin-idempotent', numPartitions: 1 }] });
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idempotent.connect();
    try {
      const [first] = await idempotent.send({
        topic: 'admin-idempotent',
        messages: [{ value: 'a' }],
      });
      const [second] = await idempotent.send({
        topic: 'admin-idempotent',
        messages: [{ value: 'b' }],
      });
      assert.deepEqual([first!.errorCode, first!.baseOffset], [0, '0']);
      assert.deepEqual([second!.errorCode, second!.baseOffset], [0, '1']);
    } finally {
      await idempotent.disconnect();
    }
    await admin.deleteTopics({ topics: ['admin-idempotent'] });
  });

  it('deletes topics', async () => {
    await admin.deleteTopics({ topics: ['admin-orders', 'admin-log'] });
    assert.deepEqual(await userTopics(admin), []);
    await assert.rejects(
      admin.deleteTopics({ topics: ['admin-orders'] }),
      rejectsWith('UNKNOWN_TOPIC_OR_PARTITION'),
    );
  });
});
