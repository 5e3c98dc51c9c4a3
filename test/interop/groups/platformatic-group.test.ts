/**
 * Consumer groups with @platformatic/kafka consumers as child processes (the scenario of
 * group-scenario.ts). The package needs Node >= 22, so on Node 20 this test is skipped
 * with that reason; CI runs it on its Node 22 and 24 passes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runGroupScenario } from './group-scenario.js';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const SKIP =
  NODE_MAJOR < 22
    ? `@platformatic/kafka needs Node >= 22; this is Node ${process.versions.node}: runs on the Node 22 and 24 CI passes`
    : false;

describe('consumer groups: @platformatic/kafka', () => {
  it(
    'splits, rebalances on join, fails over on SIGKILL, loses nothing',
    { skip: SKIP, timeout: 55_000 },
    async (t) => {
      const result = await runGroupScenario('platformatic', (message) => t.diagnostic(message));
      assert.ok(result.produced > 0);
    },
  );
});
