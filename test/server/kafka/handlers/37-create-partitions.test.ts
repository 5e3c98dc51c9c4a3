import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsRequestCreatePartitionsTopic,
} from '../../../../src/protocol/kafka/generated/messages/create-partitions.js';
import { createPartitionsHandler } from '../../../../src/server/kafka/handlers/37-create-partitions.js';
import { call, openCluster, produce, servedVersions, type Fixture } from './admin-fixture.js';

function request(
  topics: CreatePartitionsRequestCreatePartitionsTopic[],
  validateOnly = false,
): CreatePartitionsRequest {
  return { topics, timeoutMs: 30_000, validateOnly };
}

const grow = (name: string, count: number, assignments: number[][] | null = null) => ({
  name,
  count,
  assignments: assignments === null ? null : assignments.map((brokerIds) => ({ brokerIds })),
});

describe('CreatePartitions handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof createPartitionsHandler>;

  before(async () => {
    fixture = await openCluster();
    handler = createPartitionsHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'growing',
      partitions: 1,
      replicationFactor: 1,
      configs: {},
    });
    await produce(fixture.cluster, 'growing', 0, [[1]]);
  });
  after(() => fixture.close());

  it('grows a topic at every version; the new partitions are writable', async () => {
    let count = 1;
    for (const version of servedVersions(0, 3)) {
      count += 1;
      const response = await call(
        handler,
        ApiKey.CreatePartitions,
        version,
        request([grow('growing', count)]),
      );
      assert.deepEqual(
        response.results.map((r) => [r.name, r.errorCode, r.errorMessage]),
        [['growing', ErrorCode.NONE, null]],
        `v${version}`,
      );
      assert.equal(fixture.cluster.topic('growing')?.partitions, count);
    }
    await produce(fixture.cluster, 'growing', count - 1, [[2]]);
    assert.equal(fixture.cluster.partition('growing', count - 1)!.highWatermark, 1);
    assert.equal(fixture.cluster.partition('growing', 0)!.highWatermark, 1);
  });

  it('validateOnly checks and changes nothing', async () => {
    const before = fixture.cluster.topic('growing')!.partitions;
    const response = await call(
      handler,
      ApiKey.CreatePartitions,
      3,
      request([grow('growing', before + 3)], true),
    );
    assert.equal(response.results[0]!.errorCode, ErrorCode.NONE);
    assert.equal(fixture.cluster.topic('growing')!.partitions, before);
    assert.equal(fixture.cluster.partition('growing', before), undefined);
    const invalid = await call(
      handler,
      ApiKey.CreatePartitions,
      3,
      request([grow('growing', 1)], true),
    );
    assert.equal(invalid.results[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);
  });

  it('accepts assignments on this broker and rejects others', async () => {
    const current = fixture.cluster.topic('growing')!.partitions;
    const ok = await call(
      handler,
      ApiKey.CreatePartitions,
      2,
      request([grow('growing', current + 2, [[0], [0]])]),
    );
    assert.equal(ok.results[0]!.errorCode, ErrorCode.NONE);
    const now = current + 2;
    const response = await call(
      handler,
      ApiKey.CreatePartitions,
      2,
      request([grow('growing', now + 1, [[1]])]),
    );
    assert.equal(response.results[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    assert.ok(response.results[0]!.errorMessage);
    const tooFew = await call(
      handler,
      ApiKey.CreatePartitions,
      2,
      request([grow('growing', now + 2, [[0]])]),
    );
    assert.equal(tooFew.results[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const replicas = await call(
      handler,
      ApiKey.CreatePartitions,
      2,
      request([grow('growing', now + 1, [[0, 0]])]),
    );
    assert.equal(replicas.results[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    assert.equal(fixture.cluster.topic('growing')!.partitions, now);
  });

  it('reports per-topic errors with messages', async () => {
    const response = await call(
      handler,
      ApiKey.CreatePartitions,
      3,
      request([grow('missing', 2), grow('growing', 1), grow('twice', 2), grow('twice', 3)]),
    );
    assert.deepEqual(
      response.results.map((r) => [r.name, r.errorCode]),
      [
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['growing', ErrorCode.INVALID_PARTITIONS],
        ['twice', ErrorCode.INVALID_REQUEST],
        ['twice', ErrorCode.INVALID_REQUEST],
      ],
    );
    for (const result of response.results) assert.ok(result.errorMessage);
  });
});
