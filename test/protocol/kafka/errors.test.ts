import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ErrorCode,
  KAFKA_ERRORS,
  isRetriable,
  kafkaError,
} from '../../../src/protocol/kafka/errors.js';

describe('Kafka error table', () => {
  it('has unique codes and names, sorted by code', () => {
    const codes = KAFKA_ERRORS.map((e) => e.code);
    assert.deepEqual(
      codes,
      [...codes].sort((a, b) => a - b),
    );
    assert.equal(new Set(codes).size, codes.length);
    assert.equal(new Set(KAFKA_ERRORS.map((e) => e.name)).size, codes.length);
  });

  it('knows the codes the broker answers with', () => {
    assert.equal(ErrorCode.NONE, 0);
    assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
    assert.equal(ErrorCode.CORRUPT_MESSAGE, 2);
    assert.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3);
    assert.equal(ErrorCode.MESSAGE_TOO_LARGE, 10);
    assert.equal(ErrorCode.INVALID_TOPIC_EXCEPTION, 17);
    assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
    assert.equal(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 45);
    assert.equal(ErrorCode.MEMBER_ID_REQUIRED, 79);
    assert.equal(ErrorCode.UNKNOWN_TOPIC_ID, 100);
  });

  it('marks retriable errors as Kafka does', () => {
    assert.equal(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER), true);
    assert.equal(isRetriable(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), true);
    assert.equal(isRetriable(ErrorCode.CORRUPT_MESSAGE), true);
    assert.equal(isRetriable(ErrorCode.MESSAGE_TOO_LARGE), false);
    assert.equal(isRetriable(ErrorCode.INVALID_PRODUCER_EPOCH), false);
  });

  it('maps unknown codes to UNKNOWN_SERVER_ERROR', () => {
    assert.equal(kafkaError(9999).name, 'UNKNOWN_SERVER_ERROR');
    assert.match(kafkaError(3).message, /topic-partition/);
  });
});
