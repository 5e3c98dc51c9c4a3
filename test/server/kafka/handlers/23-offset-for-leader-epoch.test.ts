import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { OffsetForLeaderEpochRequest } from '../../../../src/protocol/kafka/generated/messages/offset-for-leader-epoch.js';
import { offsetForLeaderEpochHandler } from '../../../../src/server/kafka/handlers/23-offset-for-leader-epoch.js';
import { call, openCluster, produce, servedVersions, type Fixture } from './admin-fixture.js';

function request(
  topic: string,
  partitions: { partition: number; leaderEpoch: number; currentLeaderEpoch?: number }[],
): OffsetForLeaderEpochRequest {
  return {
    replicaId: -1,
    topics: [
      {
        topic,
        partitions: partitions.map((p) => ({ currentLeaderEpoch: -1, ...p })),
      },
    ],
  };
}

describe('OffsetForLeaderEpoch handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof offsetForLeaderEpochHandler>;

  before(async () => {
    fixture = await openCluster();
    handler = offsetForLeaderEpochHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'epochs',
      partitions: 2,
      replicationFactor: 1,
      configs: {},
    });
    await produce(fixture.cluster, 'epochs', 0, [[1], [2], [3]]);
  });
  after(() => fixture.close());

  it('answers epoch 0 ending at the log end offset, at every version', async () => {
    for (const version of servedVersions(2, 4)) {
      const response = await call(
        handler,
        ApiKey.OffsetForLeaderEpoch,
        version,
        request('epochs', [
          { partition: 0, leaderEpoch: 0, currentLeaderEpoch: 0 },
          { partition: 1, leaderEpoch: 0 },
          { partition: 0, leaderEpoch: 3 },
        ]),
      );
      assert.deepEqual(
        response.topics[0]!.partitions.map((p) => [
          p.partition,
          p.errorCode,
          p.leaderEpoch,
          p.endOffset,
        ]),
        [
          [0, ErrorCode.NONE, 0, 3n],
          [1, ErrorCode.NONE, 0, 0n],
          [0, ErrorCode.NONE, 0, 3n],
        ],
        `v${version}`,
      );
    }
  });

  it('answers -1/-1 for the undefined epoch and errors per partition', async () => {
    const response = await call(
      handler,
      ApiKey.OffsetForLeaderEpoch,
      4,
      request('epochs', [
        { partition: 0, leaderEpoch: -1 },
        { partition: 0, leaderEpoch: 0, currentLeaderEpoch: 2 },
        { partition: 5, leaderEpoch: 0 },
      ]),
    );
    assert.deepEqual(
      response.topics[0]!.partitions.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset]),
      [
        [ErrorCode.NONE, -1, -1n],
        [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1n],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1n],
      ],
    );
    const missing = await call(
      handler,
      ApiKey.OffsetForLeaderEpoch,
      2,
      request('missing', [{ partition: 0, leaderEpoch: 0 }]),
    );
    assert.equal(missing.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
