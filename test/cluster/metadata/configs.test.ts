import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BrokerConfig,
  ConfigSource,
  InvalidConfigError,
  resolveTopicConfig,
  validateTopicConfigs,
} from '../../../src/cluster/metadata/configs.js';
import { topicNameProblem } from '../../../src/cluster/metadata/topic-name.js';

describe('broker and topic configs', () => {
  it('uses Kafka defaults and derives log.retention.ms from log.retention.hours', () => {
    const defaults = new BrokerConfig();
    assert.equal(defaults.number('num.partitions'), 1);
    assert.equal(defaults.bool('auto.create.topics.enable'), true);
    const config = new BrokerConfig({ 'log.retention.hours': '24', 'num.partitions': '6' });
    assert.equal(config.number('log.retention.ms'), 86_400_000);
    assert.equal(config.resolve('num.partitions')?.source, ConfigSource.STATIC_BROKER_CONFIG);
    assert.equal(config.resolve('message.max.bytes')?.source, ConfigSource.DEFAULT_CONFIG);
  });

  it('rejects malformed broker values', () => {
    assert.throws(() => new BrokerConfig({ 'num.partitions': 'many' }), InvalidConfigError);
    assert.throws(
      () => new BrokerConfig({ 'auto.create.topics.enable': 'yes' }),
      InvalidConfigError,
    );
  });

  it('resolves a topic value: override, then broker setting, then default', () => {
    const broker = new BrokerConfig({ 'log.retention.hours': '1' });
    const fromBroker = resolveTopicConfig(broker, {}, 'retention.ms')!;
    assert.deepEqual(
      [fromBroker.value, fromBroker.source],
      ['3600000', ConfigSource.STATIC_BROKER_CONFIG],
    );
    const override = resolveTopicConfig(broker, { 'retention.ms': '5' }, 'retention.ms')!;
    assert.deepEqual([override.value, override.source], ['5', ConfigSource.DYNAMIC_TOPIC_CONFIG]);
    const fallback = resolveTopicConfig(broker, {}, 'cleanup.policy')!;
    assert.deepEqual([fallback.value, fallback.source], ['delete', ConfigSource.DEFAULT_CONFIG]);
  });

  it('validates topic overrides', () => {
    validateTopicConfigs({ 'retention.ms': '-1', 'cleanup.policy': 'compact' });
    assert.throws(() => validateTopicConfigs({ 'no.such.config': '1' }), /unknown topic config/);
    assert.throws(() => validateTopicConfigs({ 'segment.bytes': '1' }), /minimum/);
    assert.throws(() => validateTopicConfigs({ 'message.timestamp.type': 'Now' }), /one of/);
  });

  it('applies Kafka topic name rules', () => {
    assert.equal(topicNameProblem('orders.v1_EU-2'), null);
    assert.match(topicNameProblem('')!, /empty/);
    assert.match(topicNameProblem('..')!, /cannot be/);
    assert.match(topicNameProblem('a/b')!, /characters/);
    assert.match(topicNameProblem('x'.repeat(250))!, /longer/);
  });
});
