import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFromEnvironment, parseProperties } from '../../src/cli/properties.js';

describe('server.properties and WEIR_* environment', () => {
  it('parses key=value and key: value lines, skipping comments', () => {
    const text =
      '# broker\nnum.partitions=3\n! old comment\nlog.retention.hours: 24\n\n  auto.create.topics.enable = false  \n';
    assert.deepEqual(parseProperties(text), {
      'num.partitions': '3',
      'log.retention.hours': '24',
      'auto.create.topics.enable': 'false',
    });
  });

  it('maps WEIR_NUM_PARTITIONS to num.partitions and ignores other variables', () => {
    assert.deepEqual(configFromEnvironment({ WEIR_NUM_PARTITIONS: '6', PATH: '/bin' }), {
      'num.partitions': '6',
    });
  });
});
