import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_VERSIONS, negotiate } from '../../src/cli/client/index.js';
import { ApiKey, WEIR_API_SUPPORT } from '../../src/protocol/kafka/index.js';

describe('API version negotiation', () => {
  it('picks the highest version both sides support, and leaves out what does not overlap', () => {
    const chosen = negotiate([
      { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 13 },
      { apiKey: ApiKey.Fetch, minVersion: 0, maxVersion: 11 },
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 0 },
      { apiKey: ApiKey.CreateTopics, minVersion: 8, maxVersion: 9 },
      { apiKey: 9999, minVersion: 0, maxVersion: 3 },
    ]);
    assert.equal(chosen.get(ApiKey.Produce), 12, 'v13 names topics by id only');
    assert.equal(chosen.get(ApiKey.Fetch), 11);
    assert.equal(chosen.has(ApiKey.Metadata), false, 'the client needs Metadata v1+');
    assert.equal(chosen.has(ApiKey.CreateTopics), false);
    assert.equal(chosen.has(9999), false);
  });

  it('finds a version of every API the CLI uses in what Weir advertises', () => {
    const chosen = negotiate(
      WEIR_API_SUPPORT.map((s) => ({
        apiKey: s.apiKey,
        minVersion: s.advertised.min,
        maxVersion: s.advertised.max,
      })),
    );
    for (const apiKey of CLIENT_VERSIONS.keys()) {
      if (apiKey === ApiKey.DescribeLogDirs) continue; // optional: sizes in topic describe
      assert.ok(chosen.has(apiKey), `API ${apiKey}`);
    }
  });
});
