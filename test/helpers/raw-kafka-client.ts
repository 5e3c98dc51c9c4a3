/**
 * A minimal Kafka client for tests: sends requests encoded with Weir's codecs over a real
 * socket and pairs responses with requests by correlation id. It checks that responses
 * arrive in request order, which the broker promises.
 */
import { connect, type Socket } from 'node:net';
import type { FetchRequest } from '../../src/protocol/kafka/generated/messages/fetch.js';
import {
  ZERO_UUID,
  decodeResponseFrame,
  encodeRequestFrame,
  type AnyRequest,
  type AnyResponse,
} from '../../src/protocol/kafka/index.js';

interface Pending {
  apiKey: number;
  version: number;
  correlationId: number;
  resolve: (body: AnyResponse) => void;
  reject: (error: Error) => void;
}

export class RawKafkaClient {
  private readonly pending: Pending[] = [];
  private buffered = Buffer.alloc(0);
  private nextCorrelationId = 1;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        for (const p of this.pending.splice(0)) p.reject(new Error('connection closed'));
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawKafkaClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawKafkaClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request; resolves with the decoded response body. */
  send<T extends AnyResponse>(
    apiKey: number,
    version: number,
    body: AnyRequest,
    clientId = 'weir-test',
  ): Promise<T> {
    const correlationId = this.nextCorrelationId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        apiKey,
        version,
        correlationId,
        resolve: resolve as (b: AnyResponse) => void,
        reject,
      });
      for (const chunk of encodeRequestFrame(apiKey, version, correlationId, clientId, body))
        this.socket.write(chunk);
    });
  }

  /** Sends a request that gets no response (Produce acks=0). */
  sendWithoutResponse(apiKey: number, version: number, body: AnyRequest): void {
    const correlationId = this.nextCorrelationId++;
    for (const chunk of encodeRequestFrame(apiKey, version, correlationId, 'weir-test', body))
      this.socket.write(chunk);
  }

  /** Writes raw bytes (for malformed-input tests). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const next = this.pending.shift();
      if (!next) throw new Error('response without a request');
      try {
        const { correlationId, body } = decodeResponseFrame(next.apiKey, next.version, frame);
        if (correlationId !== next.correlationId) {
          next.reject(
            new Error(`out of order: got ${correlationId}, expected ${next.correlationId}`),
          );
        } else next.resolve(body);
      } catch (error) {
        next.reject(error as Error);
      }
    }
  }
}

/** A Fetch request (v12 shape, addressed by name) for one partition from `offset`. */
export function fetchRequest(
  topic: string,
  partition: number,
  offset: bigint,
  options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {},
): FetchRequest {
  const maxBytes = options.maxBytes ?? 1 << 20;
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId: ZERO_UUID,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: maxBytes,
            replicaDirectoryId: ZERO_UUID,
            highWatermark: -1n,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}
