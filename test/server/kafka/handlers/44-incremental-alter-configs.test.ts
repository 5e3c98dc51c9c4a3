import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { IncrementalAlterConfigsRequest } from '../../../../src/protocol/kafka/generated/messages/incremental-alter-configs.js';
import { incrementalAlterConfigsHandler } from '../../../../src/server/kafka/handlers/44-incremental-alter-configs.js';
import { call, openCluster, type Fixture } from './admin-fixture.js';

const TOPIC = 2;
const BROKER = 4;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

type Op = [name: string, operation: number, value: string | null];

function request(
  resources: [type: number, name: string, ops: Op[]][],
  validateOnly = false,
): IncrementalAlterConfigsRequest {
  return {
    resources: resources.map(([resourceType, resourceName, ops]) => ({
      resourceType,
      resourceName,
      configs: ops.map(([name, configOperation, value]) => ({ name, configOperation, value })),
    })),
    validateOnly,
  };
}

describe('IncrementalAlterConfigs handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof incrementalAlterConfigsHandler>;
  const alter = (version: number, body: IncrementalAlterConfigsRequest) =>
    call(handler, ApiKey.IncrementalAlterConfigs, version, body);
  const configsOf = (name: string) => fixture.cluster.topic(name)!.configs;

  beforeEach(async () => {
    fixture = await openCluster();
    handler = incrementalAlterConfigsHandler(fixture.services);
    await fixture.cluster.createTopic({
      name: 'tuned',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'retention.ms': '1000', 'segment.ms': '2000' },
    });
  });
  afterEach(() => fixture.close());

  it('sets and deletes overrides, keeping the others (v0, v1)', async () => {
    const v0 = await alter(
      0,
      request([
        [
          TOPIC,
          'tuned',
          [
            ['retention.ms', SET, '5000'],
            ['segment.ms', DELETE, null],
          ],
        ],
      ]),
    );
    assert.deepEqual(
      v0.responses.map((r) => [r.resourceType, r.resourceName, r.errorCode, r.errorMessage]),
      [[TOPIC, 'tuned', ErrorCode.NONE, null]],
    );
    assert.deepEqual(configsOf('tuned'), { 'retention.ms': '5000' });
    const v1 = await alter(
      1,
      request([
        [
          TOPIC,
          'tuned',
          [
            ['max.message.bytes', SET, '2048'],
            ['flush.ms', DELETE, null],
          ],
        ],
      ]),
    );
    assert.equal(v1.responses[0]!.errorCode, ErrorCode.NONE);
    assert.deepEqual(configsOf('tuned'), { 'retention.ms': '5000', 'max.message.bytes': '2048' });
  });

  it('appends to and subtracts from list configs, starting from the default', async () => {
    await alter(1, request([[TOPIC, 'tuned', [['cleanup.policy', APPEND, 'compact']]]]));
    assert.equal(configsOf('tuned')['cleanup.policy'], 'delete,compact');
    await alter(1, request([[TOPIC, 'tuned', [['cleanup.policy', APPEND, 'compact']]]]));
    assert.equal(configsOf('tuned')['cleanup.policy'], 'delete,compact');
    await alter(1, request([[TOPIC, 'tuned', [['cleanup.policy', SUBTRACT, 'delete']]]]));
    assert.equal(configsOf('tuned')['cleanup.policy'], 'compact');
    const emptied = await alter(
      1,
      request([[TOPIC, 'tuned', [['cleanup.policy', SUBTRACT, 'compact']]]]),
    );
    assert.equal(emptied.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.equal(configsOf('tuned')['cleanup.policy'], 'compact');
  });

  it('validateOnly checks and changes nothing', async () => {
    const ok = await alter(1, request([[TOPIC, 'tuned', [['retention.ms', SET, '7']]]], true));
    assert.equal(ok.responses[0]!.errorCode, ErrorCode.NONE);
    const bad = await alter(1, request([[TOPIC, 'tuned', [['retention.ms', SET, 'x']]]], true));
    assert.equal(bad.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.deepEqual(configsOf('tuned'), { 'retention.ms': '1000', 'segment.ms': '2000' });
  });

  it('reports per-resource errors and applies nothing of a failed resource', async () => {
    const response = await alter(
      1,
      request([
        [
          TOPIC,
          'tuned',
          [
            ['segment.ms', SET, '9'],
            ['retention.ms', APPEND, '5'],
          ],
        ],
        [TOPIC, 'tuned', [['segment.ms', SET, '9']]],
        [TOPIC, 'missing', [['retention.ms', SET, '1']]],
        [BROKER, '0', [['num.partitions', SET, '4']]],
        [BROKER, '', []],
      ]),
    );
    assert.deepEqual(
      response.responses.map((r) => r.errorCode),
      [
        ErrorCode.INVALID_REQUEST,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.NONE,
      ],
    );
    const separate = await alter(
      1,
      request([
        [
          TOPIC,
          'tuned',
          [
            ['segment.ms', SET, '9'],
            ['retention.ms', APPEND, '5'],
          ],
        ],
      ]),
    );
    assert.equal(separate.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    const invalid = await alter(
      1,
      request([
        [
          TOPIC,
          'tuned',
          [
            ['segment.ms', SET, '9'],
            ['segment.bytes', SET, 'big'],
          ],
        ],
      ]),
    );
    assert.equal(invalid.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    const unknownOp = await alter(1, request([[TOPIC, 'tuned', [['segment.ms', 7, '9']]]]));
    assert.equal(unknownOp.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    const nullSet = await alter(1, request([[TOPIC, 'tuned', [['segment.ms', SET, null]]]]));
    assert.equal(nullSet.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    const duplicateKey = await alter(
      1,
      request([
        [
          TOPIC,
          'tuned',
          [
            ['segment.ms', SET, '1'],
            ['segment.ms', DELETE, null],
          ],
        ],
      ]),
    );
    assert.equal(duplicateKey.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.deepEqual(configsOf('tuned'), { 'retention.ms': '1000', 'segment.ms': '2000' });
  });
});
