import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigSource } from '../../../../src/cluster/metadata/configs.js';
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../../src/protocol/kafka/index.js';
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
} from '../../../../src/protocol/kafka/generated/messages/create-topics.js';
import { createTopicsHandler } from '../../../../src/server/kafka/handlers/19-create-topics.js';
import { call, openCluster, servedVersions, type Fixture } from './admin-fixture.js';

function topic(
  name: string,
  fields: Partial<CreateTopicsRequestCreatableTopic> = {},
): CreateTopicsRequestCreatableTopic {
  return {
    name,
    numPartitions: -1,
    replicationFactor: -1,
    assignments: [],
    configs: [],
    ...fields,
  };
}

function request(
  topics: CreateTopicsRequestCreatableTopic[],
  validateOnly = false,
): CreateTopicsRequest {
  return { topics, timeoutMs: 30_000, validateOnly };
}

describe('CreateTopics handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof createTopicsHandler>;
  const create = (version: number, body: CreateTopicsRequest) =>
    call(handler, ApiKey.CreateTopics, version, body);

  before(async () => {
    fixture = await openCluster({ 'num.partitions': '3' });
    handler = createTopicsHandler(fixture.services);
  });
  after(() => fixture.close());

  it('creates a topic with configs and reports it (v7: id, counts, configs with sources)', async () => {
    const response = await create(
      7,
      request([
        topic('orders', {
          numPartitions: 4,
          replicationFactor: 1,
          configs: [{ name: 'retention.ms', value: '60000' }],
        }),
      ]),
    );
    const [result] = response.topics;
    assert.equal(result!.errorCode, ErrorCode.NONE);
    assert.equal(result!.errorMessage, null);
    const created = fixture.cluster.topic('orders');
    assert.ok(created);
    assert.equal(created.partitions, 4);
    assert.deepEqual(created.configs, { 'retention.ms': '60000' });
    assert.equal(result!.topicId, created.topicId);
    assert.equal(result!.numPartitions, 4);
    assert.equal(result!.replicationFactor, 1);
    const retention = result!.configs!.find((c) => c.name === 'retention.ms')!;
    assert.deepEqual(
      [retention.value, retention.configSource, retention.readOnly, retention.isSensitive],
      ['60000', ConfigSource.DYNAMIC_TOPIC_CONFIG, false, false],
    );
    const policy = result!.configs!.find((c) => c.name === 'cleanup.policy')!;
    assert.deepEqual([policy.value, policy.configSource], ['delete', ConfigSource.DEFAULT_CONFIG]);
    assert.equal(fixture.cluster.partitionsOf('orders').length, 4);
  });

  it('uses the broker defaults for -1 partitions and replication factor', async () => {
    const response = await create(4, request([topic('defaults')]));
    assert.equal(response.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(fixture.cluster.topic('defaults')?.partitions, 3);
    assert.equal(fixture.cluster.topic('defaults')?.replicationFactor, 1);
  });

  it('answers every served version, with the fields each version carries', async () => {
    for (const version of servedVersions(2, 7)) {
      const name = `versioned-${version}`;
      const response = await create(
        version,
        request([topic(name, { numPartitions: 1, replicationFactor: 1 })]),
      );
      const [result] = response.topics;
      assert.equal(result!.errorCode, ErrorCode.NONE, `v${version}`);
      assert.equal(
        result!.topicId,
        version >= 7 ? fixture.cluster.topic(name)!.topicId : ZERO_UUID,
      );
      assert.equal(result!.numPartitions, version >= 5 ? 1 : -1, `v${version}`);
    }
  });

  it('validateOnly checks and creates nothing', async () => {
    const response = await create(
      7,
      request(
        [
          topic('dry-run', {
            numPartitions: 2,
            configs: [{ name: 'cleanup.policy', value: 'compact' }],
          }),
        ],
        true,
      ),
    );
    const [result] = response.topics;
    assert.equal(result!.errorCode, ErrorCode.NONE);
    assert.equal(result!.topicId, ZERO_UUID);
    assert.equal(result!.numPartitions, 2);
    assert.equal(result!.configs!.find((c) => c.name === 'cleanup.policy')!.value, 'compact');
    assert.equal(fixture.cluster.topic('dry-run'), undefined);

    const invalid = await create(5, request([topic('dry-run', { numPartitions: 0 })], true));
    assert.equal(invalid.topics[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);
  });

  it('reports each topic error with a message, without failing the others', async () => {
    const response = await create(
      5,
      request([
        topic('orders'),
        topic('bad/name'),
        topic('zero', { numPartitions: 0 }),
        topic('replicated', { replicationFactor: 3 }),
        topic('bad-config', { configs: [{ name: 'retention.ms', value: 'soon' }] }),
        topic('unknown-config', { configs: [{ name: 'no.such.config', value: '1' }] }),
        topic('null-config', { configs: [{ name: 'retention.ms', value: null }] }),
        topic('fine'),
      ]),
    );
    const codes = response.topics.map((t) => [t.name, t.errorCode]);
    assert.deepEqual(codes, [
      ['orders', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['zero', ErrorCode.INVALID_PARTITIONS],
      ['replicated', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['bad-config', ErrorCode.INVALID_CONFIG],
      ['unknown-config', ErrorCode.INVALID_CONFIG],
      ['null-config', ErrorCode.INVALID_CONFIG],
      ['fine', ErrorCode.NONE],
    ]);
    for (const failed of response.topics.slice(0, -1)) {
      assert.ok(failed.errorMessage, `${failed.name} has a message`);
      assert.equal(failed.numPartitions, -1);
      assert.equal(failed.topicId, ZERO_UUID);
    }
    assert.equal(fixture.cluster.topic('bad-config'), undefined);
    assert.ok(fixture.cluster.topic('fine'));
  });

  it('rejects a topic named twice in one request', async () => {
    const response = await create(5, request([topic('twice'), topic('twice')]));
    assert.deepEqual(
      response.topics.map((t) => t.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
    assert.equal(fixture.cluster.topic('twice'), undefined);
  });

  it('accepts manual assignments that place every partition on this broker', async () => {
    const response = await create(
      5,
      request([
        topic('manual', {
          assignments: [
            { partitionIndex: 1, brokerIds: [0] },
            { partitionIndex: 0, brokerIds: [0] },
          ],
        }),
      ]),
    );
    assert.equal(response.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(response.topics[0]!.numPartitions, 2);
    assert.equal(fixture.cluster.topic('manual')?.partitions, 2);
  });

  it('rejects assignments it cannot honour', async () => {
    const response = await create(
      5,
      request([
        topic('elsewhere', { assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
        topic('replicas', { assignments: [{ partitionIndex: 0, brokerIds: [0, 0] }] }),
        topic('gap', { assignments: [{ partitionIndex: 1, brokerIds: [0] }] }),
        topic('both', { numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [0] }] }),
      ]),
    );
    assert.deepEqual(
      response.topics.map((t) => t.errorCode),
      [
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        ErrorCode.INVALID_REQUEST,
      ],
    );
    for (const name of ['elsewhere', 'replicas', 'gap', 'both']) {
      assert.equal(fixture.cluster.topic(name), undefined);
    }
  });
});
