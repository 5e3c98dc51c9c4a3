import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigSource } from '../../../../src/cluster/metadata/configs.js';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type {
  DescribeConfigsRequest,
  DescribeConfigsRequestDescribeConfigsResource,
} from '../../../../src/protocol/kafka/generated/messages/describe-configs.js';
import { describeConfigsHandler } from '../../../../src/server/kafka/handlers/32-describe-configs.js';
import { call, openCluster, servedVersions, type Fixture } from './admin-fixture.js';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;

function resource(
  resourceType: number,
  resourceName: string,
  configurationKeys: string[] | null = null,
): DescribeConfigsRequestDescribeConfigsResource {
  return { resourceType, resourceName, configurationKeys };
}

function request(
  resources: DescribeConfigsRequestDescribeConfigsResource[],
  options: { includeSynonyms?: boolean; includeDocumentation?: boolean } = {},
): DescribeConfigsRequest {
  return {
    resources,
    includeSynonyms: options.includeSynonyms ?? false,
    includeDocumentation: options.includeDocumentation ?? false,
  };
}

describe('DescribeConfigs handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof describeConfigsHandler>;
  const describeAt = (version: number, body: DescribeConfigsRequest) =>
    call(handler, ApiKey.DescribeConfigs, version, body);

  before(async () => {
    fixture = await openCluster({ 'log.retention.ms': '3600000', 'num.partitions': '2' });
    handler = describeConfigsHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'configured',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'cleanup.policy': 'compact', 'segment.ms': '1000' },
    });
  });
  after(() => fixture.close());

  it('describes every topic config with its value and source, at every version', async () => {
    for (const version of servedVersions(1, 4)) {
      const response = await describeAt(version, request([resource(TOPIC, 'configured')]));
      const [result] = response.results;
      assert.equal(result!.errorCode, ErrorCode.NONE, `v${version}`);
      assert.equal(result!.errorMessage, null);
      const byName = new Map(result!.configs.map((c) => [c.name, c]));
      assert.ok(byName.size >= 15);
      assert.deepEqual(
        [byName.get('cleanup.policy')!.value, byName.get('cleanup.policy')!.configSource],
        ['compact', ConfigSource.DYNAMIC_TOPIC_CONFIG],
      );
      assert.deepEqual(
        [byName.get('retention.ms')!.value, byName.get('retention.ms')!.configSource],
        ['3600000', ConfigSource.STATIC_BROKER_CONFIG],
      );
      assert.deepEqual(
        [byName.get('max.message.bytes')!.value, byName.get('max.message.bytes')!.configSource],
        ['1048588', ConfigSource.DEFAULT_CONFIG],
      );
      for (const config of result!.configs) {
        assert.equal(config.readOnly, false);
        assert.equal(config.isSensitive, false);
        assert.deepEqual(config.synonyms, []);
      }
      // v3+ ConfigType: Kafka's ids (LIST 7, LONG 5, INT 3, BOOLEAN 1, STRING 2).
      const types = [
        'cleanup.policy',
        'retention.ms',
        'max.message.bytes',
        'unclean.leader.election.enable',
        'message.timestamp.type',
      ].map((name) => byName.get(name)!.configType);
      assert.deepEqual(types, version >= 3 ? [7, 5, 3, 1, 2] : [0, 0, 0, 0, 0], `v${version}`);
    }
  });

  it('filters by configuration keys and lists synonyms in precedence order', async () => {
    const response = await describeAt(
      4,
      request([resource(TOPIC, 'configured', ['retention.ms', 'segment.ms', 'no.such.key'])], {
        includeSynonyms: true,
      }),
    );
    const configs = response.results[0]!.configs;
    assert.deepEqual(
      configs.map((c) => c.name),
      ['retention.ms', 'segment.ms'],
    );
    assert.deepEqual(
      configs[0]!.synonyms.map((s) => [s.name, s.value, s.source]),
      [
        ['log.retention.ms', '3600000', ConfigSource.STATIC_BROKER_CONFIG],
        ['log.retention.ms', '604800000', ConfigSource.DEFAULT_CONFIG],
      ],
    );
    assert.deepEqual(
      configs[1]!.synonyms.map((s) => [s.name, s.value, s.source]),
      [
        ['segment.ms', '1000', ConfigSource.DYNAMIC_TOPIC_CONFIG],
        ['log.roll.ms', '604800000', ConfigSource.DEFAULT_CONFIG],
      ],
    );
  });

  it('includes documentation only when asked (v3+)', async () => {
    const withDocs = await describeAt(
      3,
      request([resource(TOPIC, 'configured', ['retention.ms'])], { includeDocumentation: true }),
    );
    assert.ok(withDocs.results[0]!.configs[0]!.documentation);
    const withoutDocs = await describeAt(
      3,
      request([resource(TOPIC, 'configured', ['retention.ms'])]),
    );
    assert.equal(withoutDocs.results[0]!.configs[0]!.documentation, null);
  });

  it('describes this broker by id, and no dynamic defaults for ""', async () => {
    const response = await describeAt(
      4,
      request(
        [resource(BROKER, '0'), resource(BROKER, ''), resource(BROKER, '7'), resource(BROKER, 'x')],
        {
          includeSynonyms: true,
        },
      ),
    );
    const [byId, defaults, other, notANumber] = response.results;
    assert.equal(byId!.errorCode, ErrorCode.NONE);
    const byName = new Map(byId!.configs.map((c) => [c.name, c]));
    assert.deepEqual(
      [byName.get('num.partitions')!.value, byName.get('num.partitions')!.configSource],
      ['2', ConfigSource.STATIC_BROKER_CONFIG],
    );
    assert.deepEqual(
      [
        byName.get('auto.create.topics.enable')!.value,
        byName.get('auto.create.topics.enable')!.configSource,
      ],
      ['true', ConfigSource.DEFAULT_CONFIG],
    );
    assert.ok(byId!.configs.every((c) => c.readOnly));
    assert.deepEqual(
      byName.get('num.partitions')!.synonyms.map((s) => [s.name, s.value, s.source]),
      [
        ['num.partitions', '2', ConfigSource.STATIC_BROKER_CONFIG],
        ['num.partitions', '1', ConfigSource.DEFAULT_CONFIG],
      ],
    );
    assert.deepEqual([defaults!.errorCode, defaults!.configs], [ErrorCode.NONE, []]);
    assert.equal(other!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(notANumber!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.ok(other!.errorMessage);
  });

  it('reports per-resource errors without failing the others', async () => {
    const response = await describeAt(
      1,
      request([
        resource(TOPIC, 'missing'),
        resource(TOPIC, 'bad/name'),
        resource(BROKER_LOGGER, '0'),
        resource(TOPIC, 'configured', ['cleanup.policy']),
      ]),
    );
    assert.deepEqual(
      response.results.map((r) => [r.resourceType, r.resourceName, r.errorCode, r.configs.length]),
      [
        [TOPIC, 'missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
        [TOPIC, 'bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION, 0],
        [BROKER_LOGGER, '0', ErrorCode.INVALID_REQUEST, 0],
        [TOPIC, 'configured', ErrorCode.NONE, 1],
      ],
    );
    for (const failed of response.results.slice(0, 3)) assert.ok(failed.errorMessage);
  });
});
