/**
 * The broker over real sockets with Weir's own codecs: handshake, produce/fetch, the
 * protocol's answers to bad input, in-order responses and long polls.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startBroker, type Broker } from '../../src/main.js';
import { ApiKey, ErrorCode } from '../../src/protocol/kafka/index.js';
import type { ApiVersionsResponse } from '../../src/protocol/kafka/generated/messages/api-versions.js';
import type { FetchResponse } from '../../src/protocol/kafka/generated/messages/fetch.js';
import type { MetadataResponse } from '../../src/protocol/kafka/generated/messages/metadata.js';
import type {
  ProduceRequest,
  ProduceResponse,
} from '../../src/protocol/kafka/generated/messages/produce.js';
import { buildUncompressedRecordBatch, walkBatches, readRecords } from '../../src/records/index.js';
import { RawKafkaClient, fetchRequest } from '../helpers/raw-kafka-client.js';

function batchOf(values: string[]): Buffer {
  return buildUncompressedRecordBatch(
    values.map((value, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(value),
      headers: [],
      timestamp: 1_700_000_000_000 + i,
    })),
  );
}

function produceRequest(
  topic: string,
  partitions: { index: number; records: Buffer }[],
  acks = -1,
): ProduceRequest {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: partitions }],
  };
}

describe('broker over real sockets', () => {
  let broker: Broker;
  let client: RawKafkaClient;

  before(async () => {
    broker = await startBroker({ port: 0, dataDir: 'memory', config: { 'num.partitions': 2 } });
    client = await RawKafkaClient.connect(broker.port);
  });

  after(async () => {
    client.close();
    await broker.stop();
  });

  it('answers ApiVersions v0 and v3 with the advertised ranges', async () => {
    for (const version of [0, 3]) {
      const response = await client.send<ApiVersionsResponse>(ApiKey.ApiVersions, version, {
        clientSoftwareName: 'weir-test',
        clientSoftwareVersion: '1',
      });
      assert.equal(response.errorCode, ErrorCode.NONE);
      const produce = response.apiKeys.find((k) => k.apiKey === ApiKey.Produce)!;
      assert.deepEqual([produce.minVersion, produce.maxVersion], [0, 12]);
    }
  });

  it('answers an ApiVersions version above its own with error 35 in a v0 body', async () => {
    const socket = connect(broker.port, '127.0.0.1');
    // ApiVersions v9, correlation 5, client id "x", then bytes no schema defines.
    const body = Buffer.from('00120009000000050001780000', 'hex');
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    const reply = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(Buffer.concat([size, body]));
    const frame = await reply;
    assert.equal(frame.readInt32BE(4), 5, 'correlation id');
    assert.equal(frame.readInt16BE(8), ErrorCode.UNSUPPORTED_VERSION);
    const keys = frame.readInt32BE(10);
    const apiVersionsKey = [...Array(keys).keys()].find(
      (i) => frame.readInt16BE(14 + i * 6) === ApiKey.ApiVersions,
    );
    assert.notEqual(apiVersionsKey, undefined, 'the v0 body lists ApiVersions');
    socket.destroy();
  });

  it('auto-creates a topic through Metadata and produces and fetches a batch', async () => {
    const metadata = await client.send<MetadataResponse>(ApiKey.Metadata, 12, {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'orders' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(metadata.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(metadata.topics[0]!.partitions.length, 2);
    assert.equal(metadata.brokers[0]!.port, broker.port);

    const produced = await client.send<ProduceResponse>(
      ApiKey.Produce,
      9,
      produceRequest('orders', [{ index: 1, records: batchOf(['a', 'b', 'c']) }]),
    );
    assert.deepEqual(
      produced.responses[0]!.partitionResponses.map((p) => [p.errorCode, p.baseOffset]),
      [[0, 0n]],
    );
    const again = await client.send<ProduceResponse>(
      ApiKey.Produce,
      7,
      produceRequest('orders', [{ index: 1, records: batchOf(['d']) }]),
    );
    assert.equal(again.responses[0]!.partitionResponses[0]!.baseOffset, 3n);

    const fetched = await client.send<FetchResponse>(
      ApiKey.Fetch,
      12,
      fetchRequest('orders', 1, 0n),
    );
    const partition = fetched.responses[0]!.partitions[0]!;
    assert.equal(partition.errorCode, ErrorCode.NONE);
    assert.equal(partition.highWatermark, 4n);
    const batches = [...walkBatches(partition.records!)];
    assert.deepEqual(
      batches.map((b) => b.baseOffset),
      [0n, 3n],
    );
    const values = [];
    for (const batch of batches)
      for (const record of await readRecords(batch)) values.push(record.value!.toString());
    assert.deepEqual(values, ['a', 'b', 'c', 'd']);
  });

  it('answers a bad CRC with CORRUPT_MESSAGE for that partition only', async () => {
    const bad = batchOf(['x']);
    bad[bad.length - 1]! ^= 0xff;
    const response = await client.send<ProduceResponse>(
      ApiKey.Produce,
      9,
      produceRequest('orders', [
        { index: 0, records: bad },
        { index: 1, records: batchOf(['y']) },
      ]),
    );
    const [first, second] = response.responses[0]!.partitionResponses;
    assert.equal(first!.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(second!.errorCode, ErrorCode.NONE);
  });

  it('refuses client writes to the internal __consumer_offsets topic', async () => {
    const response = await client.send<ProduceResponse>(
      ApiKey.Produce,
      9,
      produceRequest('__consumer_offsets', [{ index: 0, records: batchOf(['forged']) }]),
    );
    assert.equal(
      response.responses[0]!.partitionResponses[0]!.errorCode,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
    );
  });

  it('sends nothing for acks=0 and keeps later responses in order', async () => {
    client.sendWithoutResponse(
      ApiKey.Produce,
      9,
      produceRequest('orders', [{ index: 0, records: batchOf(['z']) }], 0),
    );
    const versions = await client.send<ApiVersionsResponse>(ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'weir-test',
      clientSoftwareVersion: '1',
    });
    assert.equal(versions.errorCode, ErrorCode.NONE);
  });

  it('answers a long-polling fetch when data arrives, without holding up other requests', async () => {
    const poll = client.send<FetchResponse>(
      ApiKey.Fetch,
      12,
      fetchRequest('orders', 0, 1n, { maxWaitMs: 10_000, minBytes: 1 }),
    );
    const other = await RawKafkaClient.connect(broker.port);
    const started = Date.now();
    await other.send(
      ApiKey.Produce,
      9,
      produceRequest('orders', [{ index: 0, records: batchOf(['late']) }]),
    );
    const response = await poll;
    assert.ok(Date.now() - started < 5000, 'the fetch returned when the data arrived');
    assert.ok(response.responses[0]!.partitions[0]!.records!.length > 0);
    other.close();
  });

  it('closes the connection on an unknown API key and on an oversized frame', async () => {
    const unknown = await RawKafkaClient.connect(broker.port);
    unknown.writeRaw(Buffer.from('0000000a' + '03e7' + '0000' + '00000001' + 'ffff', 'hex'));
    await unknown.closed;
    const huge = await RawKafkaClient.connect(broker.port);
    huge.writeRaw(Buffer.from('7fffffff', 'hex'));
    await huge.closed;
    // The broker is still fine.
    const response = await client.send<ApiVersionsResponse>(ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'weir-test',
      clientSoftwareVersion: '1',
    });
    assert.equal(response.errorCode, ErrorCode.NONE);
  });

  it('closes the connection on Produce v2, which Kafka 4 no longer serves', async () => {
    const old = await RawKafkaClient.connect(broker.port);
    old.send(ApiKey.Produce, 2, produceRequest('orders', [])).catch(() => undefined);
    await old.closed;
  });
});
