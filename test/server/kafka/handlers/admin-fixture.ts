/**
 * Shared set-up for the admin/offset handler tests: a real LocalCluster over the in-memory
 * fault-injecting file system, and `call`, which runs a handler the way a connection does
 * at one API version: the request and the response both go through the generated codecs
 * at that version, so a test sees exactly what a client would decode.
 */
import assert from 'node:assert/strict';
import { LocalCluster } from '../../../../src/cluster/local-cluster.js';
import { BrokerConfig } from '../../../../src/cluster/metadata/configs.js';
import { MemoryMetadataStore } from '../../../../src/cluster/metadata/topic-registry.js';
import { silentLogger } from '../../../../src/common/logger.js';
import {
  API_MESSAGE_TYPES,
  isServed,
  Reader,
  Writer,
  type AnyResponse,
} from '../../../../src/protocol/kafka/index.js';
import { buildUncompressedRecordBatch, RecordBatchView } from '../../../../src/records/index.js';
import type { Handler } from '../../../../src/server/kafka/handlers/handler.js';
import type { RequestContext } from '../../../../src/server/kafka/request-context.js';
import type { KafkaServices } from '../../../../src/server/kafka/services.js';
import { FaultInjectingFileSystem } from '../../../../src/storage/index.js';

export interface Fixture {
  cluster: LocalCluster;
  services: KafkaServices;
  fs: FaultInjectingFileSystem;
  close(): Promise<void>;
}

export async function openCluster(config: Record<string, string> = {}): Promise<Fixture> {
  const fs = new FaultInjectingFileSystem();
  const cluster = await LocalCluster.open({
    fs,
    dataDir: '/data',
    config: new BrokerConfig(config),
    metadataStore: new MemoryMetadataStore(),
    endpoint: { nodeId: 0, host: '127.0.0.1', port: 9092, rack: null },
    logger: silentLogger,
  });
  return { cluster, fs, services: { cluster, now: Date.now }, close: () => cluster.close() };
}

/**
 * A context whose response counts as written when `written()` is called (`call` does so
 * once it has encoded the response, as a connection would after the socket took it).
 */
export function contextFor(
  apiKey: number,
  apiVersion: number,
): RequestContext & { written(): void } {
  let callbacks: (() => void)[] = [];
  let done = false;
  return {
    header: {
      requestApiKey: apiKey,
      requestApiVersion: apiVersion,
      correlationId: 1,
      clientId: 'test',
    },
    apiVersion,
    remote: '127.0.0.1:50000',
    logger: silentLogger,
    response: {
      onWritten: (callback) => (done ? callback() : callbacks.push(callback)),
    },
    written() {
      done = true;
      const pending = callbacks;
      callbacks = [];
      for (const callback of pending) callback();
    },
  };
}

/** Runs `handler` at `version`, passing request and response through the codecs. */
export async function call<Req, Res extends AnyResponse>(
  handler: Handler<Req, Res>,
  apiKey: number,
  version: number,
  request: Req,
): Promise<Res> {
  assert.ok(isServed(apiKey, version), `key ${apiKey} v${version} is not served`);
  const type = API_MESSAGE_TYPES.get(apiKey)!;
  const requestWriter = new Writer();
  type.encodeRequest(requestWriter, request as never, version);
  const decodedRequest = type.decodeRequest(new Reader(requestWriter.toBuffer()), version) as Req;
  const context = contextFor(apiKey, version);
  const response = await handler(context, decodedRequest);
  assert.ok(response !== null, 'handler sent no response');
  const responseWriter = new Writer();
  type.encodeResponse(responseWriter, response, version);
  const encoded = Buffer.concat(responseWriter.chunks()); // a copy: buffers may be reused
  context.written();
  return type.decodeResponse(new Reader(encoded), version) as Res;
}

/** Appends one batch per entry (each a list of record timestamps) to a partition. */
export async function produce(
  cluster: LocalCluster,
  topic: string,
  partitionIndex: number,
  batches: number[][],
): Promise<void> {
  const partition = cluster.partition(topic, partitionIndex);
  assert.ok(partition, `no partition ${topic}-${partitionIndex}`);
  for (const timestamps of batches) {
    const buffer = buildUncompressedRecordBatch(
      timestamps.map((timestamp, i) => ({ value: Buffer.from(`record-${i}`), timestamp })),
    );
    const outcome = await partition.append(new RecordBatchView(buffer));
    assert.ok(outcome.ok, 'append failed');
  }
}

/** Every version of `apiKey` Weir serves, for tests that loop over them. */
export function servedVersions(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}
