/**
 * Frame and header handling (frames.ts): request header v0/v1/v2, response header v0/v1,
 * the ApiVersions response-header exception, and the errors bad frames produce.
 * Expected bytes are written out by hand from RequestHeader.json / ResponseHeader.json.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiKey,
  KafkaDecodeError,
  UnsupportedRequestError,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  peekRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  type AnyRequest,
  type AnyResponse,
} from '../../../src/protocol/kafka/index.js';
import type { ApiVersionsResponse } from '../../../src/protocol/kafka/generated/messages/api-versions.js';
import type { MetadataRequest } from '../../../src/protocol/kafka/generated/messages/metadata.js';
import type { HeartbeatResponse } from '../../../src/protocol/kafka/generated/messages/heartbeat.js';

const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const join = (chunks: Buffer[]): Buffer => Buffer.concat(chunks);

/** Metadata request for topic "t": non-flexible v4 and flexible v9 bodies. */
const METADATA: MetadataRequest = {
  topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 't' }],
  allowAutoTopicCreation: true,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
};
const METADATA_V4_BODY = h('00000001 0001 74 01');
const METADATA_V9_BODY = h('02 02 74 00 01 00 00 00');

describe('request headers', () => {
  it('v1 (non-flexible): key, version, correlation id, int16-length ClientId', () => {
    assert.equal(requestHeaderVersion(ApiKey.Metadata, 4), 1);
    const frame = join(encodeRequestFrame(ApiKey.Metadata, 4, 0x01020304, 'cli', METADATA));
    const header = h('0003 0004 01020304 0003 636c69');
    assert.deepEqual(frame, Buffer.concat([h('00000015'), header, METADATA_V4_BODY]));
    const decoded = decodeRequestFrame(frame.subarray(4));
    assert.equal(decoded.headerVersion, 1);
    assert.deepEqual(decoded.header, {
      requestApiKey: 3,
      requestApiVersion: 4,
      correlationId: 0x01020304,
      clientId: 'cli',
    });
    assert.deepEqual(decoded.body, METADATA);
  });

  it('v2 (flexible): ClientId keeps its int16 length, then an empty tagged-field section', () => {
    assert.equal(requestHeaderVersion(ApiKey.Metadata, 9), 2);
    const frame = join(encodeRequestFrame(ApiKey.Metadata, 9, 7, 'cli', METADATA));
    const header = h('0003 0009 00000007 0003 636c69 00');
    assert.deepEqual(frame.subarray(4), Buffer.concat([header, METADATA_V9_BODY]));
    assert.equal(frame.readInt32BE(0), frame.length - 4);
    const decoded = decodeRequestFrame(frame.subarray(4));
    assert.equal(decoded.headerVersion, 2);
    assert.equal(decoded.header.clientId, 'cli');
    assert.equal(decoded.header.unknownTaggedFields, undefined);
  });

  it('v2 keeps unknown header tagged fields', () => {
    const frame = Buffer.concat([
      h('0003 0009 00000007 0003 636c69 01 05 02 abcd'),
      METADATA_V9_BODY,
    ]);
    const decoded = decodeRequestFrame(frame);
    assert.deepEqual(decoded.header.unknownTaggedFields, [{ tag: 5, data: h('abcd') }]);
    assert.deepEqual(decoded.body, METADATA);
  });

  it('null ClientId is int16 -1 in v1 and v2', () => {
    for (const version of [4, 9]) {
      const frame = join(encodeRequestFrame(ApiKey.Metadata, version, 1, null, METADATA));
      assert.deepEqual(frame.subarray(12, 14), h('ffff'));
      assert.equal(decodeRequestFrame(frame.subarray(4)).header.clientId, null);
    }
  });

  it('a non-ASCII ClientId is measured in UTF-8 bytes', () => {
    const frame = join(encodeRequestFrame(ApiKey.Metadata, 4, 1, 'ü✓', METADATA));
    assert.deepEqual(frame.subarray(12, 19), h('0005 c3bc e29c93'));
    assert.equal(decodeRequestFrame(frame.subarray(4)).header.clientId, 'ü✓');
  });

  it('v0 (ControlledShutdown v0 only) has no ClientId', () => {
    assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
    assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1);
    const frame = h('0007 0000 00000009 0000002a'); // brokerId 42
    const decoded = decodeRequestFrame(frame);
    assert.equal(decoded.headerVersion, 0);
    assert.equal(decoded.header.correlationId, 9);
    assert.equal((decoded.body as { brokerId: number }).brokerId, 42);
    const encoded = join(encodeRequestFrame(ApiKey.ControlledShutdown, 0, 9, null, decoded.body));
    assert.deepEqual(encoded, Buffer.concat([h('0000000c'), frame]));
  });

  it('ApiVersions v3 requests use header v2; v0-2 use v1', () => {
    assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 0), 1);
    assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 2), 1);
    assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
    const frame = h('0012 0003 00000001 0001 63 00 02 61 02 62 00'); // name "a", version "b"
    const decoded = decodeRequestFrame(frame);
    assert.deepEqual(decoded.body, { clientSoftwareName: 'a', clientSoftwareVersion: 'b' });
  });

  it('peekRequestHeader reads key, version and correlation id only', () => {
    assert.deepEqual(peekRequestHeader(h('0000 0009 ffffffff')), {
      apiKey: 0,
      apiVersion: 9,
      correlationId: -1,
    });
    assert.throws(() => peekRequestHeader(h('0000 0009 ffff')), KafkaDecodeError);
  });
});

describe('response headers', () => {
  const heartbeat: HeartbeatResponse = { throttleTimeMs: 0, errorCode: 27 };

  it('v0 (non-flexible): correlation id, then the body', () => {
    assert.equal(responseHeaderVersion(ApiKey.Heartbeat, 3), 0);
    const frame = join(encodeResponseFrame(ApiKey.Heartbeat, 3, 5, heartbeat));
    assert.deepEqual(frame, h('0000000a 00000005 00000000 001b'));
    assert.deepEqual(decodeResponseFrame(ApiKey.Heartbeat, 3, frame.subarray(4)), {
      correlationId: 5,
      body: heartbeat,
    });
  });

  it('v1 (flexible): correlation id, empty tagged fields, then the body', () => {
    assert.equal(responseHeaderVersion(ApiKey.Heartbeat, 4), 1);
    const frame = join(encodeResponseFrame(ApiKey.Heartbeat, 4, 5, heartbeat));
    assert.deepEqual(frame, h('0000000c 00000005 00 00000000 001b 00'));
    assert.deepEqual(decodeResponseFrame(ApiKey.Heartbeat, 4, frame.subarray(4)).body, heartbeat);
  });

  it('ApiVersions responses always use header v0, even at flexible v3+', () => {
    const body: ApiVersionsResponse = {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
    for (const version of [0, 1, 2, 3, 4]) {
      assert.equal(responseHeaderVersion(ApiKey.ApiVersions, version), 0);
    }
    const v3 = join(encodeResponseFrame(ApiKey.ApiVersions, 3, 1, body));
    // correlation id, then straight into the body: errorCode 0, compact array of 1 entry.
    assert.deepEqual(v3, h('00000013 00000001 0000 02 0012 0000 0004 00 00000000 00'));
    assert.deepEqual(decodeResponseFrame(ApiKey.ApiVersions, 3, v3.subarray(4)).body, body);
    const v0 = join(encodeResponseFrame(ApiKey.ApiVersions, 0, 1, body));
    assert.deepEqual(v0, h('00000010 00000001 0000 00000001 0012 0000 0004'));
  });

  it('decodeResponseFrame rejects trailing bytes and truncation', () => {
    const frame = join(encodeResponseFrame(ApiKey.Heartbeat, 3, 5, heartbeat)).subarray(4);
    assert.throws(
      () => decodeResponseFrame(ApiKey.Heartbeat, 3, Buffer.concat([frame, h('00')])),
      KafkaDecodeError,
    );
    assert.throws(
      () => decodeResponseFrame(ApiKey.Heartbeat, 3, frame.subarray(0, 9)),
      KafkaDecodeError,
    );
  });

  it('a response body encodes the same at every non-flexible version header', () => {
    const body = { throttleTimeMs: 1, errorCode: 0 } as AnyResponse;
    for (const version of [1, 2, 3]) {
      const frame = join(encodeResponseFrame(ApiKey.Heartbeat, version, 2, body));
      assert.deepEqual(frame.subarray(4), h('00000002 00000001 0000'));
    }
  });
});

describe('unsupported and malformed request frames', () => {
  const v4Frame = join(encodeRequestFrame(ApiKey.Metadata, 4, 77, 'cli', METADATA)).subarray(4);

  function assertUnsupported(frame: Buffer, pattern: RegExp): void {
    assert.throws(
      () => decodeRequestFrame(frame),
      (error: unknown) => {
        assert.ok(error instanceof UnsupportedRequestError, String(error));
        assert.match(error.message, pattern);
        assert.equal(error.code, 'KAFKA_UNSUPPORTED_REQUEST');
        // The header is decoded so the connection can log it or answer ApiVersions.
        assert.equal(error.header.correlationId, 77);
        assert.equal(error.header.clientId, 'cli');
        return true;
      },
    );
  }

  it('an unknown API key throws UnsupportedRequestError carrying the header', () => {
    for (const key of [93, 999, 32767, -1]) {
      const frame = Buffer.from(v4Frame);
      frame.writeInt16BE(key, 0);
      assertUnsupported(frame, new RegExp(`unknown API key ${key}`));
    }
  });

  it('a version outside the schema range throws UnsupportedRequestError', () => {
    for (const version of [14, 100, -1, 32767]) {
      const frame = Buffer.from(v4Frame);
      frame.writeInt16BE(version, 2);
      assertUnsupported(frame, new RegExp(`Metadata v${version} is not defined`));
    }
    // ApiVersions v5+ from a newer client: the broker must still learn the correlation id.
    const apiVersions = h('0012 0005 0000004d 0003 636c69 00 02 61 02 62 00');
    assertUnsupported(apiVersions, /ApiVersions v5 is not defined/);
  });

  it('trailing bytes after the body throw KafkaDecodeError', () => {
    assert.throws(
      () => decodeRequestFrame(Buffer.concat([v4Frame, h('00')])),
      (error: unknown) =>
        error instanceof KafkaDecodeError && /1 bytes left after Metadata v4/.test(error.message),
    );
  });

  it('a truncated header throws KafkaDecodeError at every length', () => {
    const headerEnd = 8 + 2 + 3;
    for (let length = 0; length < headerEnd; length++) {
      assert.throws(
        () => decodeRequestFrame(v4Frame.subarray(0, length)),
        KafkaDecodeError,
        `${length}`,
      );
    }
    // Flexible: the tagged-field byte is part of the header.
    const v9 = join(encodeRequestFrame(ApiKey.Metadata, 9, 1, 'cli', METADATA)).subarray(4);
    assert.throws(() => decodeRequestFrame(v9.subarray(0, headerEnd)), KafkaDecodeError);
  });

  it('a truncated body throws KafkaDecodeError at every length', () => {
    for (let length = 13; length < v4Frame.length; length++) {
      assert.throws(
        () => decodeRequestFrame(v4Frame.subarray(0, length)),
        KafkaDecodeError,
        `${length}`,
      );
    }
  });

  it('a ClientId length past the end or below -1 throws KafkaDecodeError', () => {
    assert.throws(() => decodeRequestFrame(h('0003 0004 00000001 7fff 61')), KafkaDecodeError);
    assert.throws(
      () => decodeRequestFrame(h('0003 0004 00000001 fffe 00000000 01')),
      KafkaDecodeError,
    );
  });

  it('invalid UTF-8 in a string throws KafkaDecodeError', () => {
    const frame = Buffer.from(v4Frame);
    frame[frame.length - 2] = 0xff; // the topic name "t"
    assert.throws(() => decodeRequestFrame(frame), KafkaDecodeError);
  });

  it('encodeRequestFrame returns chunks whose size prefix counts everything after it', () => {
    const records = Buffer.alloc(64 * 1024, 7);
    const body = {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: 0, records }] },
      ],
    } as AnyRequest;
    const chunks = encodeRequestFrame(ApiKey.Produce, 9, 1, 'c', body);
    assert.ok(chunks.includes(records), 'large records are referenced, not copied');
    const frame = Buffer.concat(chunks);
    assert.equal(frame.readInt32BE(0), frame.length - 4);
    const decoded = decodeRequestFrame(frame.subarray(4));
    assert.deepEqual(decoded.body, body);
  });
});
