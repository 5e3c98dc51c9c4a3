import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEIR_API_SUPPORT, apiName } from '../../../src/protocol/kafka/index.js';
import { createHandlers } from '../../../src/server/kafka/handlers/index.js';
import type { KafkaServices } from '../../../src/server/kafka/services.js';

describe('handler table', () => {
  it('serves exactly the API keys ApiVersions advertises (rule 9: advertise only what is served)', () => {
    const handlers = createHandlers({} as KafkaServices);
    const served = [...handlers.keys()].sort((a, b) => a - b).map(apiName);
    const advertised = WEIR_API_SUPPORT.map((s) => s.apiKey)
      .sort((a, b) => a - b)
      .map(apiName);
    assert.deepEqual(served, advertised);
  });
});
