import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import { describeClientQuotasHandler } from '../../../../src/server/kafka/handlers/48-describe-client-quotas.js';
import { describeClusterHandler } from '../../../../src/server/kafka/handlers/60-describe-cluster.js';
import { createHandlers } from '../../../../src/server/kafka/handlers/index.js';
import { call, openCluster, type Fixture } from './admin-fixture.js';

const NOT_PROVIDED = -2147483648;

describe('DescribeCluster handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof describeClusterHandler>;

  before(async () => {
    fixture = await openCluster();
    handler = describeClusterHandler(fixture.services);
  });
  after(() => fixture.close());

  it('describes this broker as the whole cluster (v0, v1)', async () => {
    for (const version of [0, 1]) {
      const response = await call(handler, ApiKey.DescribeCluster, version, {
        includeClusterAuthorizedOperations: true,
        endpointType: 1,
        includeFencedBrokers: false,
      });
      assert.equal(response.errorCode, ErrorCode.NONE);
      assert.equal(response.errorMessage, null);
      assert.equal(response.clusterId, fixture.cluster.clusterId);
      assert.equal(response.controllerId, 0);
      assert.equal(response.endpointType, 1);
      assert.deepEqual(
        response.brokers.map((b) => [b.brokerId, b.host, b.port, b.rack]),
        [[0, '127.0.0.1', 9092, null]],
      );
      assert.equal(response.clusterAuthorizedOperations, NOT_PROVIDED);
    }
  });

  it('refuses controller and unknown endpoint types (v1)', async () => {
    const controllers = await call(handler, ApiKey.DescribeCluster, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 2,
      includeFencedBrokers: false,
    });
    assert.equal(controllers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
    assert.ok(controllers.errorMessage);
    assert.deepEqual(controllers.brokers, []);
    const unknown = await call(handler, ApiKey.DescribeCluster, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 9,
      includeFencedBrokers: false,
    });
    assert.equal(unknown.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });
});

describe('DescribeClientQuotas handler', () => {
  it('answers no quotas and no error', async () => {
    const response = await call(describeClientQuotasHandler(), ApiKey.DescribeClientQuotas, 0, {
      components: [{ entityType: 'user', matchType: 2, match: null }],
      strict: false,
    });
    assert.deepEqual(
      [response.errorCode, response.errorMessage, response.entries],
      [ErrorCode.NONE, null, []],
    );
  });
});

describe('handler table', () => {
  it('registers the admin and offset APIs', async () => {
    const fixture = await openCluster();
    try {
      const handlers = createHandlers(fixture.services);
      for (const key of [
        ApiKey.ListOffsets,
        ApiKey.CreateTopics,
        ApiKey.DeleteTopics,
        ApiKey.DeleteRecords,
        ApiKey.InitProducerId,
        ApiKey.OffsetForLeaderEpoch,
        ApiKey.DescribeConfigs,
        ApiKey.AlterConfigs,
        ApiKey.CreatePartitions,
        ApiKey.IncrementalAlterConfigs,
        ApiKey.DescribeClientQuotas,
        ApiKey.DescribeCluster,
      ]) {
        assert.ok(handlers.has(key), `key ${key}`);
      }
    } finally {
      await fixture.close();
    }
  });
});
