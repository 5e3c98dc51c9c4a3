import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { DescribeLogDirsResponse } from '../../../../src/protocol/kafka/generated/messages/describe-log-dirs.js';
import { describeLogDirsHandler } from '../../../../src/server/kafka/handlers/35-describe-log-dirs.js';
import { call, openCluster, produce, servedVersions, type Fixture } from './admin-fixture.js';

describe('DescribeLogDirs handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof describeLogDirsHandler>;

  beforeEach(async () => {
    fixture = await openCluster();
    handler = describeLogDirsHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'sized',
      partitions: 2,
      replicationFactor: 1,
      configs: {},
    });
    await produce(fixture.cluster, 'sized', 1, [[1], [2]]);
  });
  afterEach(() => fixture.close());

  it('reports each partition’s size in the one data directory, at every version', async () => {
    for (const version of servedVersions(1, 4)) {
      const response = await call<never, DescribeLogDirsResponse>(
        handler,
        ApiKey.DescribeLogDirs,
        version,
        {
          topics: [{ topic: 'sized', partitions: [0, 1, 7] }],
        } as never,
      );
      assert.equal(response.results.length, 1);
      const [dir] = response.results;
      assert.equal(dir!.errorCode, ErrorCode.NONE);
      assert.equal(dir!.logDir, '/data');
      const sizes = dir!.topics[0]!.partitions.map((p) => [p.partitionIndex, p.partitionSize > 0n]);
      assert.deepEqual(
        sizes,
        [
          [0, false],
          [1, true],
        ],
        'partition 7 does not exist and is left out',
      );
    }
  });

  it('lists every topic when Topics is null', async () => {
    const response = await call<never, DescribeLogDirsResponse>(
      handler,
      ApiKey.DescribeLogDirs,
      4,
      {
        topics: null,
      } as never,
    );
    assert.deepEqual(
      response.results[0]!.topics.map((t) => [t.name, t.partitions.length]),
      [['sized', 2]],
    );
  });
});
