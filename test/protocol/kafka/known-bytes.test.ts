/**
 * Hand-assembled frames checked field by field against Kafka's documented encodings, so a
 * mistake made symmetrically by encoder and decoder (which a round trip cannot see) fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeRequestFrame,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../../src/protocol/kafka/frames.js';
import { ApiKey } from '../../../src/protocol/kafka/generated/api-messages.js';
import type { FetchRequest } from '../../../src/protocol/kafka/generated/messages/fetch.js';
import type { ApiVersionsResponse } from '../../../src/protocol/kafka/generated/messages/api-versions.js';
import type { MetadataRequest } from '../../../src/protocol/kafka/generated/messages/metadata.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('known request bytes', () => {
  it('ApiVersions v3: header v2 keeps an int16 ClientId, body uses compact strings', () => {
    const frame = hex(`
      0012 0003 00000007 0002 6b63 00
      04 6c6962 02 32 00`);
    const { header, headerVersion, body } = decodeRequestFrame(frame);
    assert.equal(headerVersion, 2);
    assert.deepEqual(header, {
      requestApiKey: 18,
      requestApiVersion: 3,
      correlationId: 7,
      clientId: 'kc',
    });
    assert.deepEqual(body, { clientSoftwareName: 'lib', clientSoftwareVersion: '2' });
    const encoded = Buffer.concat(encodeRequestFrame(18, 3, 7, 'kc', body));
    assert.equal(encoded.readInt32BE(0), frame.length);
    assert.ok(encoded.subarray(4).equals(frame));
  });

  it('Metadata v0 (kafka-python 2.0.2 probe): int32 array of int16 strings, no tags', () => {
    const frame = hex('0003 0000 00000001 ffff 00000001 0003 666f6f');
    const { headerVersion, body } = decodeRequestFrame(frame);
    assert.equal(headerVersion, 1);
    const metadata = body as MetadataRequest;
    assert.equal(metadata.topics?.length, 1);
    assert.equal(metadata.topics?.[0]?.name, 'foo');
    assert.equal(metadata.allowAutoTopicCreation, true, 'v0 default: auto-create allowed');
  });

  it('Fetch v12 carries ClusterId as tagged field 0 of the request body', () => {
    // replica id, max wait 500, min bytes 1, max bytes 1 MiB, isolation 0, session 0,
    // epoch -1, topics [], forgotten [], rack "", then tags: 1 field, tag 0, 3 bytes, "ab"
    const body = hex(`
      ffffffff 000001f4 00000001 00100000 00 00000000 ffffffff
      01 01 01
      01 00 03 03 6162`);
    // header: Fetch v12, correlation 1, client id null, no header tags
    const frame = Buffer.concat([hex('0001 000c 00000001 ffff 00'), body]);
    const { body: fetch } = decodeRequestFrame(frame);
    const request = fetch as FetchRequest;
    assert.equal(request.clusterId, 'ab');
    assert.equal(request.maxWaitMs, 500);
    assert.equal(request.isolationLevel, 0);
    assert.deepEqual(request.topics, []);
    assert.equal(request.unknownTaggedFields, undefined);
  });

  it('keeps unknown tagged fields and writes them back in tag order', () => {
    const frame = hex('0012 0003 00000001 ffff 00 02 61 02 31 02 05 01 ff 09 00');
    const { body } = decodeRequestFrame(frame);
    assert.deepEqual((body as { unknownTaggedFields?: unknown }).unknownTaggedFields, [
      { tag: 5, data: hex('ff') },
      { tag: 9, data: Buffer.alloc(0) },
    ]);
    assert.ok(
      Buffer.concat(encodeRequestFrame(18, 3, 1, null, body))
        .subarray(4)
        .equals(frame),
    );
  });
});

describe('known response bytes', () => {
  it('ApiVersions responses use header v0 even when the body is flexible', () => {
    const response: ApiVersionsResponse = {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
    const bytes = Buffer.concat(encodeResponseFrame(ApiKey.ApiVersions, 3, 9, response));
    // size, correlation id (no header tag byte), error, compact array of 1, key, min, max, tags,
    // throttle, body tags (none: the tagged fields equal their defaults)
    assert.equal(
      bytes.toString('hex'),
      '00000013' + '00000009' + '0000' + '02' + '0012' + '0000' + '0004' + '00' + '00000000' + '00',
    );
  });

  it('flexible responses other than ApiVersions carry a header tag section', () => {
    const bytes = Buffer.concat(
      encodeResponseFrame(ApiKey.Heartbeat, 4, 3, { throttleTimeMs: 0, errorCode: 27 }),
    );
    assert.equal(
      bytes.toString('hex'),
      '0000000c' + '00000003' + '00' + '00000000' + '001b' + '00',
    );
  });
});
