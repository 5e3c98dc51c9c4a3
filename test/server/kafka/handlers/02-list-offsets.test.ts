import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type {
  ListOffsetsRequest,
  ListOffsetsRequestListOffsetsPartition,
} from '../../../../src/protocol/kafka/generated/messages/list-offsets.js';
import { listOffsetsHandler } from '../../../../src/server/kafka/handlers/02-list-offsets.js';
import { call, openCluster, produce, servedVersions, type Fixture } from './admin-fixture.js';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;

function partition(
  partitionIndex: number,
  timestamp: bigint,
  currentLeaderEpoch = -1,
): ListOffsetsRequestListOffsetsPartition {
  return { partitionIndex, timestamp, currentLeaderEpoch };
}

function request(
  topics: Record<string, ListOffsetsRequestListOffsetsPartition[]>,
  isolationLevel = 0,
): ListOffsetsRequest {
  return {
    replicaId: -1,
    isolationLevel,
    topics: Object.entries(topics).map(([name, partitions]) => ({ name, partitions })),
    timeoutMs: 0,
  };
}

describe('ListOffsets handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof listOffsetsHandler>;

  /** [offset, timestamp, errorCode, leaderEpoch] of one partition answer. */
  async function listOne(
    timestamp: bigint,
    options: { version?: number; topic?: string; index?: number; currentLeaderEpoch?: number } = {},
  ) {
    const response = await call(
      handler,
      ApiKey.ListOffsets,
      options.version ?? 7,
      request({
        [options.topic ?? 'events']: [
          partition(options.index ?? 0, timestamp, options.currentLeaderEpoch),
        ],
      }),
    );
    const answer = response.topics[0]!.partitions[0]!;
    return [Number(answer.offset), Number(answer.timestamp), answer.errorCode, answer.leaderEpoch];
  }

  before(async () => {
    fixture = await openCluster();
    handler = listOffsetsHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'events',
      partitions: 2,
      replicationFactor: 1,
      configs: {},
    });
    // Offsets 0..4: timestamps 1000, 2000, 5000 (the maximum), 3000, 4000.
    await produce(fixture.cluster, 'events', 0, [[1000], [2000], [5000], [3000], [4000]]);
  });
  after(() => fixture.close());

  it('answers latest (high watermark) and earliest (log start)', async () => {
    assert.deepEqual(await listOne(LATEST), [5, -1, ErrorCode.NONE, 0]);
    assert.deepEqual(await listOne(EARLIEST), [0, -1, ErrorCode.NONE, 0]);
    assert.deepEqual(await listOne(LATEST, { index: 1 }), [0, -1, ErrorCode.NONE, 0]);
    const committed = await call(
      handler,
      ApiKey.ListOffsets,
      5,
      request({ events: [partition(0, LATEST)] }, 1),
    );
    assert.equal(committed.topics[0]!.partitions[0]!.offset, 5n);
  });

  it('finds the first offset with a timestamp at or after the one asked for', async () => {
    assert.deepEqual(await listOne(0n), [0, 1000, ErrorCode.NONE, 0]);
    assert.deepEqual(await listOne(1000n), [0, 1000, ErrorCode.NONE, 0]);
    assert.deepEqual(await listOne(1500n), [1, 2000, ErrorCode.NONE, 0]);
    assert.deepEqual(await listOne(2500n), [2, 5000, ErrorCode.NONE, 0]);
    assert.deepEqual(await listOne(5000n), [2, 5000, ErrorCode.NONE, 0]);
  });

  it('answers offset -1 and timestamp -1 when no record is that recent', async () => {
    assert.deepEqual(await listOne(5001n), [-1, -1, ErrorCode.NONE, -1]);
    assert.deepEqual(await listOne(1000n, { index: 1 }), [-1, -1, ErrorCode.NONE, -1]);
  });

  it('answers the record with the largest timestamp for -3 (v7)', async () => {
    assert.deepEqual(await listOne(MAX_TIMESTAMP), [2, 5000, ErrorCode.NONE, 0]);
    assert.deepEqual(await listOne(MAX_TIMESTAMP, { index: 1 }), [-1, -1, ErrorCode.NONE, -1]);
  });

  it('answers every served version', async () => {
    for (const version of servedVersions(1, 7)) {
      const [offset, , errorCode, leaderEpoch] = await listOne(LATEST, { version });
      assert.equal(offset, 5, `v${version}`);
      assert.equal(errorCode, ErrorCode.NONE);
      assert.equal(leaderEpoch, version >= 4 ? 0 : -1, `v${version}`);
      const [byTime] = await listOne(1500n, { version });
      assert.equal(byTime, 1);
    }
  });

  it('reports per-partition errors without failing the others', async () => {
    assert.equal(
      (await listOne(LATEST, { topic: 'missing' }))[2],
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    assert.equal((await listOne(LATEST, { index: 7 }))[2], ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(
      (await listOne(LATEST, { currentLeaderEpoch: 1 }))[2],
      ErrorCode.UNKNOWN_LEADER_EPOCH,
    );
    assert.equal((await listOne(LATEST, { currentLeaderEpoch: 0 }))[2], ErrorCode.NONE);
    assert.equal((await listOne(-7n))[2], ErrorCode.INVALID_REQUEST);

    const mixed = await call(
      handler,
      ApiKey.ListOffsets,
      7,
      request({ events: [partition(0, EARLIEST), partition(1, LATEST), partition(0, LATEST)] }),
    );
    assert.deepEqual(
      mixed.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode]),
      [
        [0, ErrorCode.INVALID_REQUEST],
        [1, ErrorCode.NONE],
        [0, ErrorCode.INVALID_REQUEST],
      ],
    );
  });

  it('follows the log start offset after records are deleted', async () => {
    await fixture.cluster.partition('events', 0)!.deleteRecordsBefore(2);
    assert.deepEqual(await listOne(EARLIEST), [2, -1, ErrorCode.NONE, 0]);
    assert.deepEqual(await listOne(0n), [2, 5000, ErrorCode.NONE, 0]);
  });
});
