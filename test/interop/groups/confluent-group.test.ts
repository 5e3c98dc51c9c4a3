/**
 * Consumer groups with python3-confluent-kafka (librdkafka) consumers as child processes: three members split a
 * 6-partition topic 2/2/2, a fourth joins and the group rebalances, one member is
 * SIGKILLed and its partitions move to the others within the session timeout plus a
 * rebalance, and every record produced throughout is consumed (redelivered only after
 * the killed member's last commit, or a live client's failed commit). See
 * group-scenario.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runGroupScenario } from './group-scenario.js';

describe('consumer groups: python3-confluent-kafka (librdkafka)', () => {
  it(
    'splits, rebalances on join, fails over on SIGKILL, loses nothing',
    { timeout: 55_000 },
    async (t) => {
      const result = await runGroupScenario('confluent', (message) => t.diagnostic(message));
      assert.ok(result.produced > 0);
    },
  );
});
