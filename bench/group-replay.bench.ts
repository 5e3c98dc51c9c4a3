/**
 * Group coordinator replay: how long a restarted broker takes to rebuild its groups and
 * committed offsets from __consumer_offsets.
 *
 * 100,000 OffsetCommit operations (one partition each, as consumers with auto-commit send
 * them; 200 groups × 10 partitions of one topic, so later commits overwrite earlier ones)
 * go through the real GroupCoordinator into a real __consumer_offsets on disk
 * (os.tmpdir()), one record batch per commit. The cluster is then closed and reopened and
 * a new coordinator loads every shard: the figure is the coordinator's load time, next to
 * the time storage alone needs to read the same bytes (partition reads, no decoding), so
 * the decode-and-apply cost is visible. Run with 1 partition (one shard holds every group,
 * the worst case for one shard) and with Kafka's default 50.
 *
 * Until compaction exists the load reads every record ever written: its time grows with
 * the number of commits, not with the number of live offsets.
 *
 * Run: npx tsc -p . && node dist/bench/group-replay.bench.js [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/common/logger.js';
import { LocalCluster } from '../src/cluster/local-cluster.js';
import { BrokerConfig } from '../src/cluster/metadata/configs.js';
import { FileMetadataStore } from '../src/cluster/metadata/file-metadata-store.js';
import {
  CONSUMER_OFFSETS_TOPIC,
  DEFAULT_GROUP_CONFIG,
  GroupCoordinator,
} from '../src/coordinator/index.js';
import { realFileSystem } from '../src/storage/index.js';

const quick = process.argv.includes('--quick');
const COMMITS = quick ? 20_000 : 100_000;
const GROUPS = 200;
const PARTITIONS_PER_GROUP = 10;
const IN_FLIGHT = 500;

async function openCluster(dataDir: string, offsetsPartitions: number): Promise<LocalCluster> {
  const fs = realFileSystem();
  const cluster = await LocalCluster.open({
    fs,
    dataDir,
    config: new BrokerConfig({ 'offsets.topic.num.partitions': String(offsetsPartitions) }),
    metadataStore: new FileMetadataStore(fs, dataDir),
    endpoint: { nodeId: 0, host: '127.0.0.1', port: 9092, rack: null },
    logger: silentLogger,
  });
  if (!cluster.topic(CONSUMER_OFFSETS_TOPIC)) {
    await cluster.createTopic({
      name: CONSUMER_OFFSETS_TOPIC,
      partitions: offsetsPartitions,
      replicationFactor: -1,
      configs: { 'cleanup.policy': 'compact', 'retention.ms': '-1', 'segment.bytes': '104857600' },
    });
  }
  return cluster;
}

function coordinatorFor(cluster: LocalCluster, partitions: number): GroupCoordinator {
  return new GroupCoordinator({
    config: { ...DEFAULT_GROUP_CONFIG, offsetsTopicPartitions: partitions },
    partitions: cluster.partitionsOf(CONSUMER_OFFSETS_TOPIC),
    logger: silentLogger,
  });
}

async function run(offsetsPartitions: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-bench-group-replay-'));
  try {
    let cluster = await openCluster(dataDir, offsetsPartitions);
    let coordinator = coordinatorFor(cluster, offsetsPartitions);
    await coordinator.start();
    const writeStart = performance.now();
    for (let base = 0; base < COMMITS; base += IN_FLIGHT) {
      const pending: Promise<unknown>[] = [];
      for (let i = base; i < Math.min(base + IN_FLIGHT, COMMITS); i++) {
        pending.push(
          coordinator.commitOffsets({
            groupId: `group-${i % GROUPS}`,
            generationIdOrMemberEpoch: -1,
            memberId: '',
            groupInstanceId: null,
            retentionTimeMs: -1n,
            topics: [
              {
                name: 'orders',
                topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
                partitions: [
                  {
                    partitionIndex: Math.floor(i / GROUPS) % PARTITIONS_PER_GROUP,
                    committedOffset: BigInt(i),
                    committedLeaderEpoch: 0,
                    committedMetadata: '',
                  },
                ],
              },
            ],
          }),
        );
      }
      await Promise.all(pending);
    }
    const writeMs = performance.now() - writeStart;
    await coordinator.close();
    await cluster.close();

    const reopenStart = performance.now();
    cluster = await openCluster(dataDir, offsetsPartitions);
    const reopenMs = performance.now() - reopenStart;

    // Storage alone: read every partition front to back, as the loader does.
    const readStart = performance.now();
    let readBytes = 0;
    for (const partition of cluster.partitionsOf(CONSUMER_OFFSETS_TOPIC)) {
      let offset = partition.logStartOffset;
      while (offset < partition.highWatermark) {
        const { records } = await partition.read(
          offset,
          DEFAULT_GROUP_CONFIG.offsetsLoadBufferBytes,
        );
        if (records.length === 0) break;
        readBytes += records.length;
        // The last batch's last offset + 1 (batches are whole).
        let position = 0;
        let next = offset;
        while (position + 61 <= records.length) {
          const size = 12 + records.readInt32BE(position + 8);
          next = Number(records.readBigInt64BE(position)) + records.readInt32BE(position + 23) + 1;
          position += size;
        }
        offset = next;
      }
    }
    const readMs = performance.now() - readStart;

    coordinator = coordinatorFor(cluster, offsetsPartitions);
    const stats = await coordinator.start();
    const check = await coordinator.fetchOffsets('group-7', null);
    const offsets = check.topics.flatMap((t) => t.partitions).length;
    await coordinator.close();
    await cluster.close();
    if (
      stats.records !== COMMITS ||
      offsets !== PARTITIONS_PER_GROUP ||
      stats.bytes !== readBytes
    ) {
      throw new Error(
        `replay mismatch: ${stats.records} records, ${offsets} offsets of group-7, ${readBytes} bytes`,
      );
    }
    const perSecond = Math.round(stats.records / (stats.millis / 1000));
    console.log(
      [
        `${String(offsetsPartitions).padEnd(10)}`,
        `${String(COMMITS).padEnd(8)}`,
        `${(stats.bytes / 1024 / 1024).toFixed(1).padStart(6)} MiB`,
        `${writeMs.toFixed(0).padStart(8)} ms`,
        `${reopenMs.toFixed(0).padStart(8)} ms`,
        `${readMs.toFixed(0).padStart(8)} ms`,
        `${stats.millis.toFixed(0).padStart(8)} ms`,
        `${perSecond.toLocaleString('en-US').padStart(12)}`,
        `${stats.groups}`,
      ].join('  '),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `__consumer_offsets replay, node ${process.version}, ${process.platform}-${process.arch}, ${cpus()[0]?.model ?? 'cpu'}`,
);
console.log(
  `${COMMITS} commits of 1 partition each; ${GROUPS} groups x ${PARTITIONS_PER_GROUP} partitions; on ${tmpdir()}`,
);
console.log(
  'partitions  commits   log size     write      reopen     read only  coordinator load  records/s  groups',
);
for (const partitions of [1, 50]) await run(partitions);
