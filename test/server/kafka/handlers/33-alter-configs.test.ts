import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { AlterConfigsRequest } from '../../../../src/protocol/kafka/generated/messages/alter-configs.js';
import { alterConfigsHandler } from '../../../../src/server/kafka/handlers/33-alter-configs.js';
import { call, openCluster, servedVersions, type Fixture } from './admin-fixture.js';

const TOPIC = 2;
const BROKER = 4;

type Resource = [type: number, name: string, configs: Record<string, string | null>];

function request(resources: Resource[], validateOnly = false): AlterConfigsRequest {
  return {
    resources: resources.map(([resourceType, resourceName, configs]) => ({
      resourceType,
      resourceName,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    })),
    validateOnly,
  };
}

describe('AlterConfigs handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof alterConfigsHandler>;
  const configsOf = (name: string) => fixture.cluster.topic(name)!.configs;

  beforeEach(async () => {
    fixture = await openCluster();
    handler = alterConfigsHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'tuned',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'retention.ms': '1000', 'segment.ms': '2000' },
    });
  });
  afterEach(() => fixture.close());

  it("replaces a topic's overrides with exactly the configs given, at every version", async () => {
    for (const version of servedVersions(0, 2)) {
      const response = await call(
        handler,
        ApiKey.AlterConfigs,
        version,
        request([
          [
            TOPIC,
            'tuned',
            { 'cleanup.policy': 'compact', 'max.message.bytes': String(5000 + version) },
          ],
        ]),
      );
      assert.deepEqual(
        response.responses.map((r) => [
          r.resourceType,
          r.resourceName,
          r.errorCode,
          r.errorMessage,
        ]),
        [[TOPIC, 'tuned', ErrorCode.NONE, null]],
      );
      assert.deepEqual(configsOf('tuned'), {
        'cleanup.policy': 'compact',
        'max.message.bytes': String(5000 + version),
      });
    }
  });

  it('validateOnly checks and changes nothing', async () => {
    const response = await call(
      handler,
      ApiKey.AlterConfigs,
      2,
      request([[TOPIC, 'tuned', { 'retention.ms': '5' }]], true),
    );
    assert.equal(response.responses[0]!.errorCode, ErrorCode.NONE);
    assert.deepEqual(configsOf('tuned'), { 'retention.ms': '1000', 'segment.ms': '2000' });
    const invalid = await call(
      handler,
      ApiKey.AlterConfigs,
      2,
      request([[TOPIC, 'tuned', { 'retention.ms': 'x' }]], true),
    );
    assert.equal(invalid.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
  });

  it('reports per-resource errors and leaves failed resources unchanged', async () => {
    const response = await call(
      handler,
      ApiKey.AlterConfigs,
      1,
      request([
        [TOPIC, 'tuned', { 'retention.ms': 'forever' }],
        [TOPIC, 'tuned-too', { 'no.such.config': '1' }],
        [TOPIC, 'missing', {}],
        [BROKER, '0', { 'num.partitions': '3' }],
        [BROKER, '3', {}],
        [8, '0', {}],
      ]),
    );
    assert.deepEqual(
      response.responses.map((r) => r.errorCode),
      [
        ErrorCode.INVALID_CONFIG,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.INVALID_REQUEST,
      ],
    );
    assert.match(response.responses[3]!.errorMessage!, /static/);
    assert.deepEqual(configsOf('tuned'), { 'retention.ms': '1000', 'segment.ms': '2000' });
  });

  it('rejects a resource listed twice', async () => {
    const response = await call(
      handler,
      ApiKey.AlterConfigs,
      2,
      request([
        [TOPIC, 'tuned', { 'retention.ms': '5' }],
        [TOPIC, 'tuned', { 'retention.ms': '6' }],
      ]),
    );
    assert.deepEqual(
      response.responses.map((r) => r.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
    assert.deepEqual(configsOf('tuned'), { 'retention.ms': '1000', 'segment.ms': '2000' });
  });

  it('accepts an empty broker change and rejects null values', async () => {
    const empty = await call(handler, ApiKey.AlterConfigs, 2, request([[BROKER, '', {}]]));
    assert.equal(empty.responses[0]!.errorCode, ErrorCode.NONE);
    const nullValue = await call(
      handler,
      ApiKey.AlterConfigs,
      2,
      request([[TOPIC, 'tuned', { 'retention.ms': null }]]),
    );
    assert.equal(nullValue.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.deepEqual(configsOf('tuned'), { 'retention.ms': '1000', 'segment.ms': '2000' });
  });
});
