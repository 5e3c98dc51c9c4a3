import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { DeleteRecordsRequest } from '../../../../src/protocol/kafka/generated/messages/delete-records.js';
import { deleteRecordsHandler } from '../../../../src/server/kafka/handlers/21-delete-records.js';
import { call, openCluster, produce, type Fixture } from './admin-fixture.js';

function request(topics: Record<string, [number, bigint][]>): DeleteRecordsRequest {
  return {
    topics: Object.entries(topics).map(([name, partitions]) => ({
      name,
      partitions: partitions.map(([partitionIndex, offset]) => ({ partitionIndex, offset })),
    })),
    timeoutMs: 30_000,
  };
}

describe('DeleteRecords handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof deleteRecordsHandler>;

  beforeEach(async () => {
    fixture = await openCluster();
    handler = deleteRecordsHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'log',
      partitions: 2,
      replicationFactor: 1,
      configs: {},
    });
    await produce(fixture.cluster, 'log', 0, [[1], [2], [3], [4], [5]]);
    await produce(fixture.cluster, 'log', 1, [[1], [2]]);
  });
  afterEach(() => fixture.close());

  it('moves the log start offset and answers the low watermark, at every version', async () => {
    for (const [version, offset] of [
      [0, 1n],
      [1, 2n],
      [2, 3n],
    ] as const) {
      const response = await call(
        handler,
        ApiKey.DeleteRecords,
        version,
        request({ log: [[0, offset]] }),
      );
      const [result] = response.topics[0]!.partitions;
      assert.equal(result!.errorCode, ErrorCode.NONE, `v${version}`);
      assert.equal(result!.lowWatermark, offset);
      assert.equal(fixture.cluster.partition('log', 0)!.logStartOffset, Number(offset));
    }
  });

  it('treats -1 as the high watermark and never moves the start backwards', async () => {
    const response = await call(handler, ApiKey.DeleteRecords, 2, request({ log: [[1, -1n]] }));
    assert.equal(response.topics[0]!.partitions[0]!.lowWatermark, 2n);
    await call(handler, ApiKey.DeleteRecords, 2, request({ log: [[0, 4n]] }));
    const again = await call(handler, ApiKey.DeleteRecords, 2, request({ log: [[0, 1n]] }));
    assert.deepEqual(
      [again.topics[0]!.partitions[0]!.errorCode, again.topics[0]!.partitions[0]!.lowWatermark],
      [ErrorCode.NONE, 4n],
    );
    assert.equal(fixture.cluster.partition('log', 0)!.logStartOffset, 4);
  });

  it('reports per-partition errors without failing the others', async () => {
    const response = await call(
      handler,
      ApiKey.DeleteRecords,
      2,
      request({
        log: [
          [0, 6n],
          [1, -2n],
          [9, 0n],
          [1, 1n],
        ],
        missing: [[0, 0n]],
      }),
    );
    assert.deepEqual(
      response.topics.map((t) =>
        t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark]),
      ),
      [
        [
          [0, ErrorCode.OFFSET_OUT_OF_RANGE, -1n],
          [1, ErrorCode.OFFSET_OUT_OF_RANGE, -1n],
          [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n],
          [1, ErrorCode.NONE, 1n],
        ],
        [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]],
      ],
    );
    assert.equal(fixture.cluster.partition('log', 0)!.logStartOffset, 0);
  });

  it('refuses compacted topics (POLICY_VIOLATION), as Kafka does', async () => {
    await fixture.cluster.createTopic({
      name: 'compacted',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'cleanup.policy': 'compact' },
    });
    await produce(fixture.cluster, 'compacted', 0, [[1]]);
    const response = await call(
      handler,
      ApiKey.DeleteRecords,
      2,
      request({ compacted: [[0, 1n]] }),
    );
    assert.equal(response.topics[0]!.partitions[0]!.errorCode, ErrorCode.POLICY_VIOLATION);
  });
});
