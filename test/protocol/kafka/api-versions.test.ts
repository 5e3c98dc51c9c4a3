import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  WEIR_API_SUPPORT,
  apiName,
  apiSupport,
  isServed,
} from '../../../src/protocol/kafka/api-versions.js';
import { API_MESSAGE_TYPES, ApiKey } from '../../../src/protocol/kafka/generated/api-messages.js';

describe('API table', () => {
  it('lists every API key of both schema lines with its name and version range', () => {
    assert.equal(apiName(0), 'Produce');
    assert.equal(apiName(18), 'ApiVersions');
    const produce = API_MESSAGE_TYPES.get(ApiKey.Produce)!;
    assert.deepEqual([produce.lowestVersion, produce.highestVersion], [0, 13]);
    assert.equal(produce.firstFlexibleVersion, 9);
    const fetch = API_MESSAGE_TYPES.get(ApiKey.Fetch)!;
    assert.deepEqual([fetch.lowestVersion, fetch.highestVersion], [0, 18]);
    // Removed from 4.x, still defined by 3.9: LeaderAndIsr.
    assert.deepEqual(
      [API_MESSAGE_TYPES.get(4)!.lowestVersion, API_MESSAGE_TYPES.get(4)!.highestVersion],
      [0, 7],
    );
    // InitProducerId v6 is unstable in 4.3.
    assert.equal(API_MESSAGE_TYPES.get(ApiKey.InitProducerId)!.highestStableVersion, 5);
  });

  it('serves and advertises only versions the schemas define', () => {
    for (const support of WEIR_API_SUPPORT) {
      const api = API_MESSAGE_TYPES.get(support.apiKey);
      assert.ok(api, `key ${support.apiKey} exists`);
      for (const range of [support.served, support.advertised]) {
        assert.ok(
          range.min >= api.lowestVersion && range.max <= api.highestStableVersion,
          api.name,
        );
        assert.ok(range.min <= range.max, api.name);
      }
      assert.ok(
        support.advertised.min <= support.served.min,
        `${api.name} advertises what it serves`,
      );
      assert.equal(
        support.advertised.max,
        support.served.max,
        `${api.name} advertises nothing above what it serves`,
      );
    }
  });

  it('advertises Produce and JoinGroup from v0 for librdkafka <= 2.11 feature detection', () => {
    assert.equal(apiSupport(ApiKey.Produce)!.advertised.min, 0);
    assert.equal(apiSupport(ApiKey.Produce)!.served.min, 3, 'message formats 0/1 are not served');
    assert.equal(apiSupport(ApiKey.JoinGroup)!.advertised.min, 0);
    assert.equal(isServed(ApiKey.Produce, 2), false);
    assert.equal(isServed(ApiKey.Produce, 3), true);
  });

  it('does not advertise APIs that clients opt into just because they are listed', () => {
    for (const key of [68, 71, 72, 75]) assert.equal(apiSupport(key), undefined);
  });
});
