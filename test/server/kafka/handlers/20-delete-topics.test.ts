import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../../src/protocol/kafka/index.js';
import type { DeleteTopicsRequest } from '../../../../src/protocol/kafka/generated/messages/delete-topics.js';
import { deleteTopicsHandler } from '../../../../src/server/kafka/handlers/20-delete-topics.js';
import { call, openCluster, produce, type Fixture } from './admin-fixture.js';

function byNames(topicNames: string[]): DeleteTopicsRequest {
  return { topics: [], topicNames, timeoutMs: 30_000 };
}

function byStates(topics: { name: string | null; topicId: string }[]): DeleteTopicsRequest {
  return { topics, topicNames: [], timeoutMs: 30_000 };
}

const newTopic = (name: string, partitions = 1) => ({
  name,
  partitions,
  replicationFactor: 1,
  configs: {},
});

describe('DeleteTopics handler', () => {
  let fixture: Fixture;

  beforeEach(async () => {
    fixture = await openCluster();
  });
  afterEach(() => fixture.close());

  it('deletes topics by name (v1-5) and reports unknown ones', async () => {
    const handler = deleteTopicsHandler(fixture.services);
    for (const version of [1, 4, 5]) {
      await fixture.cluster.createTopic(newTopic('doomed', 2));
      await produce(fixture.cluster, 'doomed', 1, [[1000]]);
      const response = await call(
        handler,
        ApiKey.DeleteTopics,
        version,
        byNames(['doomed', 'missing']),
      );
      assert.deepEqual(
        response.responses.map((r) => [r.name, r.errorCode]),
        [
          ['doomed', ErrorCode.NONE],
          ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ],
        `v${version}`,
      );
      assert.equal(response.responses[0]!.errorMessage, null);
      if (version >= 5) assert.ok(response.responses[1]!.errorMessage);
      assert.equal(fixture.cluster.topic('doomed'), undefined);
      assert.equal(fixture.cluster.partition('doomed', 0), undefined);
    }
  });

  it('deletes by name or topic id at v6 and answers with both (names resolved)', async () => {
    const handler = deleteTopicsHandler(fixture.services);
    const byId = await fixture.cluster.createTopic(newTopic('by-id'));
    const byName = await fixture.cluster.createTopic(newTopic('by-name'));
    const response = await call(
      handler,
      ApiKey.DeleteTopics,
      6,
      byStates([
        { name: null, topicId: byId.topicId },
        { name: 'by-name', topicId: ZERO_UUID },
        { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      ]),
    );
    assert.deepEqual(
      response.responses.map((r) => [r.name, r.topicId, r.errorCode]),
      [
        ['by-id', byId.topicId, ErrorCode.NONE],
        ['by-name', byName.topicId, ErrorCode.NONE],
        [null, 'AAAAAAAAAAAAAAAAAAAAAQ', ErrorCode.UNKNOWN_TOPIC_ID],
      ],
    );
    assert.deepEqual(fixture.cluster.topics(), []);
  });

  it('rejects ambiguous or duplicate entries', async () => {
    const handler = deleteTopicsHandler(fixture.services);
    const kept = await fixture.cluster.createTopic(newTopic('kept'));
    const response = await call(
      handler,
      ApiKey.DeleteTopics,
      6,
      byStates([
        { name: 'kept', topicId: kept.topicId },
        { name: null, topicId: ZERO_UUID },
      ]),
    );
    assert.deepEqual(
      response.responses.map((r) => r.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
    const twice = await call(handler, ApiKey.DeleteTopics, 5, byNames(['kept', 'kept']));
    assert.deepEqual(
      twice.responses.map((r) => r.errorCode),
      [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    );
    assert.ok(fixture.cluster.topic('kept'));
  });

  it('answers TOPIC_DELETION_DISABLED when delete.topic.enable is false', async () => {
    await fixture.close();
    fixture = await openCluster({ 'delete.topic.enable': 'false' });
    await fixture.cluster.createTopic(newTopic('kept'));
    const handler = deleteTopicsHandler(fixture.services);
    const response = await call(handler, ApiKey.DeleteTopics, 5, byNames(['kept']));
    assert.equal(response.responses[0]!.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
    assert.ok(fixture.cluster.topic('kept'));
  });
});
