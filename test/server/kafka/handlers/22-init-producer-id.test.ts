import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '../../../../src/protocol/kafka/index.js';
import type { InitProducerIdRequest } from '../../../../src/protocol/kafka/generated/messages/init-producer-id.js';
import { initProducerIdHandler } from '../../../../src/server/kafka/handlers/22-init-producer-id.js';
import { call, openCluster, servedVersions, type Fixture } from './admin-fixture.js';

function request(fields: Partial<InitProducerIdRequest> = {}): InitProducerIdRequest {
  return {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
    enable2Pc: false,
    keepPreparedTxn: false,
    ...fields,
  };
}

describe('InitProducerId handler', () => {
  let fixture: Fixture;
  let handler: ReturnType<typeof initProducerIdHandler>;
  const init = (version: number, fields: Partial<InitProducerIdRequest> = {}) =>
    call(handler, ApiKey.InitProducerId, version, request(fields));

  before(async () => {
    fixture = await openCluster();
    handler = initProducerIdHandler(fixture.services);
  });
  after(() => fixture.close());

  it('gives every idempotent producer a new id with epoch 0, at every version', async () => {
    const ids = new Set<bigint>();
    for (const version of servedVersions(0, 5)) {
      const response = await init(version);
      assert.equal(response.errorCode, ErrorCode.NONE, `v${version}`);
      assert.equal(response.producerEpoch, 0);
      assert.ok(response.producerId >= 0n);
      ids.add(response.producerId);
    }
    assert.equal(ids.size, 6);
  });

  it('bumps the epoch of the latest id+epoch it handed out (v3+)', async () => {
    const first = await init(4);
    const bumped = await init(4, { producerId: first.producerId, producerEpoch: 0 });
    assert.deepEqual(
      [bumped.errorCode, bumped.producerId, bumped.producerEpoch],
      [ErrorCode.NONE, first.producerId, 1],
    );
    const again = await init(5, { producerId: first.producerId, producerEpoch: 1 });
    assert.deepEqual([again.producerId, again.producerEpoch], [first.producerId, 2]);

    // A stale epoch or an id this broker does not know gets a fresh id instead.
    const stale = await init(5, { producerId: first.producerId, producerEpoch: 1 });
    assert.equal(stale.errorCode, ErrorCode.NONE);
    assert.notEqual(stale.producerId, first.producerId);
    assert.equal(stale.producerEpoch, 0);
    const unknown = await init(3, { producerId: 123_456n, producerEpoch: 7 });
    assert.notEqual(unknown.producerId, 123_456n);
    assert.equal(unknown.producerEpoch, 0);
  });

  it('starts a new id instead of letting the epoch run out', async () => {
    const first = await init(4);
    let epoch = 0;
    // Walk the epoch up to the last bumpable value quickly through the handler itself.
    while (epoch < 32765) {
      const next = await init(4, { producerId: first.producerId, producerEpoch: epoch });
      assert.equal(next.producerId, first.producerId);
      epoch = next.producerEpoch;
    }
    assert.equal(epoch, 32765);
    const last = await init(4, { producerId: first.producerId, producerEpoch: epoch });
    assert.deepEqual([last.producerId, last.producerEpoch], [first.producerId, 32766]);
    const renewed = await init(4, { producerId: first.producerId, producerEpoch: 32766 });
    assert.notEqual(renewed.producerId, first.producerId);
    assert.equal(renewed.producerEpoch, 0);
  });

  it('rejects half-given producer id/epoch', async () => {
    assert.equal((await init(3, { producerId: 5n })).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal((await init(3, { producerEpoch: 2 })).errorCode, ErrorCode.INVALID_REQUEST);
  });

  it('refuses transactional producers with a final error (no transaction coordinator yet)', async () => {
    for (const version of servedVersions(0, 5)) {
      const response = await init(version, { transactionalId: 'txn-1' });
      assert.equal(
        response.errorCode,
        ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        `v${version}`,
      );
      assert.equal(response.producerId, -1n);
      assert.equal(response.producerEpoch, -1);
    }
    assert.equal((await init(4, { transactionalId: '' })).errorCode, ErrorCode.INVALID_REQUEST);
  });
});
