import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/common/logger.js';
import { ClusterError } from '../../src/cluster/cluster-error.js';
import { LocalCluster } from '../../src/cluster/local-cluster.js';
import { BrokerConfig } from '../../src/cluster/metadata/configs.js';
import { FileMetadataStore } from '../../src/cluster/metadata/file-metadata-store.js';
import { buildUncompressedRecordBatch, RecordBatchView } from '../../src/records/index.js';
import { FaultInjectingFileSystem } from '../../src/storage/index.js';

const DATA = '/data';

function open(
  fs: FaultInjectingFileSystem,
  config: Record<string, string> = {},
): Promise<LocalCluster> {
  return LocalCluster.open({
    fs,
    dataDir: DATA,
    config: new BrokerConfig(config),
    metadataStore: new FileMetadataStore(fs, DATA),
    endpoint: { nodeId: 0, host: '127.0.0.1', port: 9092, rack: null },
    logger: silentLogger,
  });
}

function batch(value: string): RecordBatchView {
  return new RecordBatchView(buildUncompressedRecordBatch([{ value: Buffer.from(value) }]));
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(
    promise,
    (error: unknown) => error instanceof ClusterError && error.code === code,
  );
}

describe('LocalCluster', () => {
  it('creates topics, rejects bad ones, and brings everything back after a restart', async () => {
    const fs = new FaultInjectingFileSystem();
    const cluster = await open(fs, { 'num.partitions': '3' });
    const orders = await cluster.createTopic({
      name: 'orders',
      partitions: -1,
      replicationFactor: -1,
      configs: { 'retention.ms': '1000' },
    });
    assert.equal(orders.partitions, 3);
    await rejectsWith(
      cluster.createTopic({ name: 'orders', partitions: 1, replicationFactor: 1, configs: {} }),
      'TOPIC_ALREADY_EXISTS',
    );
    await rejectsWith(
      cluster.createTopic({ name: 'bad/name', partitions: 1, replicationFactor: 1, configs: {} }),
      'INVALID_TOPIC_EXCEPTION',
    );
    await rejectsWith(
      cluster.createTopic({ name: 'x', partitions: 0, replicationFactor: 1, configs: {} }),
      'INVALID_PARTITIONS',
    );
    await rejectsWith(
      cluster.createTopic({ name: 'x', partitions: 1, replicationFactor: 3, configs: {} }),
      'INVALID_REPLICATION_FACTOR',
    );
    await rejectsWith(
      cluster.createTopic({
        name: 'x',
        partitions: 1,
        replicationFactor: 1,
        configs: { 'retention.ms': 'soon' },
      }),
      'INVALID_CONFIG',
    );
    const appended = await cluster.partition('orders', 2)!.append(batch('a'));
    assert.deepEqual(appended.ok && appended.baseOffset, 0);
    await cluster.close();

    const reopened = await open(fs);
    const topic = reopened.topic('orders')!;
    assert.equal(topic.topicId, orders.topicId);
    assert.deepEqual(topic.configs, { 'retention.ms': '1000' });
    assert.equal(reopened.partition('orders', 2)!.highWatermark, 1);
    assert.equal(reopened.clusterId, cluster.clusterId);
    await reopened.close();
  });

  it('auto-creates only when auto.create.topics.enable is on', async () => {
    const off = await open(new FaultInjectingFileSystem(), {
      'auto.create.topics.enable': 'false',
    });
    assert.equal(await off.autoCreateTopic('events'), null);
    await off.close();
    const on = await open(new FaultInjectingFileSystem());
    assert.equal((await on.autoCreateTopic('events'))?.partitions, 1);
    await on.close();
  });

  it('grows partitions, never shrinks them, and deletes topics with their data', async () => {
    const fs = new FaultInjectingFileSystem();
    const cluster = await open(fs);
    await cluster.createTopic({ name: 't', partitions: 1, replicationFactor: 1, configs: {} });
    await rejectsWith(cluster.createPartitions('t', 1), 'INVALID_PARTITIONS');
    await cluster.createPartitions('t', 4, true);
    assert.equal(cluster.topic('t')!.partitions, 1, 'validateOnly changes nothing');
    await cluster.createPartitions('t', 4);
    assert.equal(cluster.partitionsOf('t').length, 4);
    await cluster.deleteTopic('t');
    assert.equal(cluster.topic('t'), undefined);
    assert.equal(await fs.stat(`${DATA}/t-0`), null);
    await rejectsWith(cluster.deleteTopic('t'), 'UNKNOWN_TOPIC_OR_PARTITION');
    await cluster.close();
  });

  it('applies altered configs to the open logs', async () => {
    const cluster = await open(new FaultInjectingFileSystem());
    await cluster.createTopic({
      name: 'rolling',
      partitions: 1,
      replicationFactor: 1,
      configs: {},
    });
    const partition = cluster.partition('rolling', 0)!;
    await partition.append(batch('first'));
    await cluster.alterTopicConfigs('rolling', { set: { 'segment.bytes': '200' }, remove: [] });
    for (let i = 0; i < 3; i++) await partition.append(batch(`record ${i} ${'x'.repeat(60)}`));
    assert.ok(partition.log.segments().length >= 3, 'the smaller segment.bytes rolled segments');
    await rejectsWith(
      cluster.alterTopicConfigs('rolling', { set: { 'segment.bytes': '1' }, remove: [] }),
      'INVALID_CONFIG',
    );
    await cluster.close();
  });
});
