/**
 * A small Kafka producer: records are grouped per partition into batches that close when
 * full (`batchSize` bytes) or after `lingerMs`; closed batches are sent to their leader,
 * one batch per partition per Produce request, with at most `maxInFlight` requests per
 * broker. Retriable errors (leader moved, timeouts) refresh the metadata and resend up to
 * `retries` times; ordering under retries is not guaranteed (the producer is not
 * idempotent), as with Kafka's max.in.flight > 1 without enable.idempotence.
 *
 * `send` never blocks: callers that produce in a loop await `waitForSpace()` so no more
 * than `bufferMemory` bytes wait in the producer (Kafka's buffer.memory).
 */
import { ApiKey, ErrorCode, ZERO_UUID, isRetriable } from '../../protocol/kafka/index.js';
import type { ProduceResponse } from '../../protocol/kafka/generated/messages/produce.js';
import {
  CompressionType,
  buildRecordBatch,
  type BatchRecord,
  type RecordHeader,
} from '../../records/index.js';
import type { BrokerConnection } from './connection.js';
import { BrokerError, ClientError, unknownTopic } from './errors.js';
import { sleep, type KafkaClient } from './kafka-client.js';
import { StickyPartitioner, partitionForKey } from './partitioner.js';

export interface ProducerOptions {
  /** 0 (no answer), 1 (leader) or -1 (all in-sync replicas). Default -1. */
  acks?: 0 | 1 | -1;
  compression?: CompressionType;
  /** Batch size in bytes. Default 16384. */
  batchSize?: number;
  /** How long a batch waits for more records. Default 5 ms (Kafka 4's default). */
  lingerMs?: number;
  /** Produce requests in flight per broker. Default 5. */
  maxInFlight?: number;
  /** Bytes of records a request carries at most. Default 1 MiB. */
  maxRequestSize?: number;
  /** Default 32 MiB. */
  bufferMemory?: number;
  /** Default 5. */
  retries?: number;
  /** Default 100 ms. */
  retryBackoffMs?: number;
  /** Broker-side timeout for acks=-1. Default 30 s. */
  timeoutMs?: number;
  /** Let the broker create unknown topics (auto.create.topics.enable), as Kafka's producer does. Default true. */
  allowAutoTopicCreation?: boolean;
}

export interface ProducerRecord {
  topic: string;
  /** Default: murmur2 of the key, or sticky for records without one. */
  partition?: number;
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Epoch ms; default when sent. */
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 for acks=0. */
  offset: bigint;
}

export type SendCallback = (error: Error | null, metadata: RecordMetadata | null) => void;

interface Batch {
  topic: string;
  partition: number;
  records: BatchRecord[];
  callbacks: SendCallback[];
  estimatedBytes: number;
  deadline: number;
  bytes: Buffer | null;
  attempts: number;
}

interface TopicState {
  partitionCount: number;
  leaders: number[];
}

/** Failures of a connection (not of the request itself): resend on a new one. */
const RETRIABLE_CLIENT_ERRORS: ReadonlySet<string> = new Set([
  'WEIR_CLIENT_UNREACHABLE',
  'WEIR_CLIENT_TIMEOUT',
  'WEIR_CLIENT_CONNECTION_CLOSED',
]);

/** Record overhead in a batch beyond key, value and headers (varints, attributes). */
const RECORD_OVERHEAD = 16;
const BATCH_OVERHEAD = 61;

export class Producer {
  readonly #client: KafkaClient;
  readonly #acks: 0 | 1 | -1;
  readonly #compression: CompressionType;
  readonly #batchSize: number;
  readonly #lingerMs: number;
  readonly #maxInFlight: number;
  readonly #maxRequestSize: number;
  readonly #bufferMemory: number;
  readonly #retries: number;
  readonly #retryBackoffMs: number;
  readonly #timeoutMs: number;
  readonly #allowAutoTopicCreation: boolean;
  readonly #sticky = new StickyPartitioner();

  readonly #topics = new Map<string, TopicState>();
  readonly #loading = new Map<string, { record: ProducerRecord; callback: SendCallback }[]>();
  /** topic → partition → the batch being filled. */
  readonly #open = new Map<string, Map<number, Batch>>();
  /** Closed batches per partition, in order; a batch is sendable once `bytes` is set. */
  readonly #ready = new Map<string, Batch[]>();
  readonly #inFlight = new Map<number, number>();
  readonly #connections = new Map<number, BrokerConnection>();
  readonly #connecting = new Set<number>();
  #lingerTimer: NodeJS.Timeout | null = null;
  #lingerDeadline = Infinity;
  #bufferedBytes = 0;
  #pendingBatches = 0;
  #spaceWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(client: KafkaClient, options: ProducerOptions = {}) {
    this.#client = client;
    this.#acks = options.acks ?? -1;
    this.#compression = options.compression ?? CompressionType.NONE;
    this.#batchSize = options.batchSize ?? 16_384;
    this.#lingerMs = options.lingerMs ?? 5;
    this.#maxInFlight = options.maxInFlight ?? 5;
    this.#maxRequestSize = options.maxRequestSize ?? 1_048_576;
    this.#bufferMemory = options.bufferMemory ?? 32 * 1024 * 1024;
    this.#retries = options.retries ?? 5;
    this.#retryBackoffMs = options.retryBackoffMs ?? 100;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
  }

  /** Bytes of records accepted but not yet acknowledged. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Queues a record; `callback` runs once it is acknowledged or has failed. */
  send(record: ProducerRecord, callback: SendCallback): void {
    if (this.#closed) {
      callback(new ClientError('WEIR_CLIENT_INVALID', 'producer is closed'), null);
      return;
    }
    const topic = this.#topics.get(record.topic);
    if (topic === undefined) {
      this.#bufferedBytes += sizeOf(record);
      this.#whenLoaded(record, callback);
      return;
    }
    this.#append(record, callback, topic);
  }

  /** `send`, as a promise. */
  sendAsync(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) =>
      this.send(record, (error, metadata) => (error ? reject(error) : resolve(metadata!))),
    );
  }

  /** Resolves when fewer than bufferMemory bytes wait in the producer. */
  waitForSpace(): Promise<void> {
    if (this.#bufferedBytes < this.#bufferMemory) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** Sends every queued record now and resolves when all are acknowledged or failed. */
  async flush(): Promise<void> {
    this.#closeBatches(() => true);
    if (this.#pendingBatches === 0 && this.#loading.size === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Flushes, then refuses further records. Connections belong to the client. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
    this.#lingerTimer = null;
  }

  #whenLoaded(record: ProducerRecord, callback: SendCallback): void {
    const waiting = this.#loading.get(record.topic);
    if (waiting) {
      waiting.push({ record, callback });
      return;
    }
    const queue = [{ record, callback }];
    this.#loading.set(record.topic, queue);
    this.#loadTopic(record.topic).then(
      (state) => {
        this.#loading.delete(record.topic);
        for (const { record: r, callback: cb } of queue) {
          this.#bufferedBytes -= sizeOf(r);
          this.#append(r, cb, state);
        }
        this.#maybeIdle();
      },
      (error: Error) => {
        this.#loading.delete(record.topic);
        for (const { record: r, callback: cb } of queue) {
          this.#bufferedBytes -= sizeOf(r);
          cb(error, null);
        }
        this.#releaseSpace();
        this.#maybeIdle();
      },
    );
  }

  /** Metadata for a topic, waiting out LEADER_NOT_AVAILABLE right after auto-creation. */
  async #loadTopic(name: string): Promise<TopicState> {
    for (let attempt = 0; ; attempt++) {
      const [answer] = await this.#client.refreshMetadata([name], this.#allowAutoTopicCreation);
      const code = answer?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      const leaderless = answer?.partitions.some((p) => p.leaderId < 0) ?? true;
      if (code === ErrorCode.NONE && !leaderless) {
        const info = await this.#client.topic(name);
        const state = {
          partitionCount: info.partitions.length,
          leaders: info.partitions.map((p) => p.leader),
        };
        this.#topics.set(name, state);
        return state;
      }
      const retriable =
        code === ErrorCode.LEADER_NOT_AVAILABLE ||
        code === ErrorCode.NONE ||
        (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION &&
          this.#allowAutoTopicCreation &&
          attempt < 3);
      if (!retriable || attempt >= 50) {
        if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw unknownTopic(name);
        throw new BrokerError(code, `metadata of topic '${name}'`);
      }
      await sleep(this.#retryBackoffMs);
    }
  }

  #append(record: ProducerRecord, callback: SendCallback, topic: TopicState): void {
    let partition = record.partition;
    if (partition === undefined) {
      partition =
        record.key != null
          ? partitionForKey(record.key, topic.partitionCount)
          : this.#sticky.partition(record.topic, topic.partitionCount);
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitionCount) {
      callback(
        new ClientError(
          'WEIR_CLIENT_UNKNOWN_TOPIC',
          `topic '${record.topic}' has no partition ${partition}`,
        ),
        null,
      );
      return;
    }
    const size = sizeOf(record);
    let partitions = this.#open.get(record.topic);
    if (!partitions) {
      partitions = new Map();
      this.#open.set(record.topic, partitions);
    }
    let batch = partitions.get(partition);
    if (batch && batch.estimatedBytes + size > this.#batchSize) {
      this.#closeBatch(batch);
      batch = undefined;
    }
    if (!batch) {
      batch = {
        topic: record.topic,
        partition,
        records: [],
        callbacks: [],
        estimatedBytes: BATCH_OVERHEAD,
        deadline: performance.now() + this.#lingerMs,
        bytes: null,
        attempts: 0,
      };
      partitions.set(partition, batch);
      this.#pendingBatches++;
      this.#scheduleLinger(batch.deadline);
    }
    batch.records.push({
      key: record.key ?? null,
      value: record.value,
      headers: record.headers ?? [],
      timestamp: record.timestamp ?? Date.now(),
    });
    batch.callbacks.push(callback);
    batch.estimatedBytes += size;
    this.#bufferedBytes += size;
    if (batch.estimatedBytes >= this.#batchSize) this.#closeBatch(batch);
  }

  #scheduleLinger(deadline: number): void {
    if (this.#lingerTimer && deadline >= this.#lingerDeadline) return;
    if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
    this.#lingerDeadline = deadline;
    this.#lingerTimer = setTimeout(
      () => {
        this.#lingerTimer = null;
        this.#lingerDeadline = Infinity;
        const now = performance.now();
        this.#closeBatches((batch) => batch.deadline <= now + 0.5);
        let next = Infinity;
        for (const partitions of this.#open.values()) {
          for (const batch of partitions.values()) next = Math.min(next, batch.deadline);
        }
        if (next < Infinity) this.#scheduleLinger(next);
      },
      Math.max(0, deadline - performance.now()),
    );
  }

  #closeBatches(which: (batch: Batch) => boolean): void {
    for (const partitions of this.#open.values()) {
      for (const batch of [...partitions.values()]) if (which(batch)) this.#closeBatch(batch);
    }
  }

  /** Moves a batch from filling to the partition's ready queue and encodes it. */
  #closeBatch(batch: Batch): void {
    this.#open.get(batch.topic)?.delete(batch.partition);
    const topic = this.#topics.get(batch.topic);
    if (topic) this.#sticky.batchClosed(batch.topic, batch.partition, topic.partitionCount);
    const key = `${batch.topic}\0${batch.partition}`;
    let queue = this.#ready.get(key);
    if (!queue) {
      queue = [];
      this.#ready.set(key, queue);
    }
    queue.push(batch);
    buildRecordBatch(batch.records, { compression: this.#compression }).then(
      (bytes) => {
        batch.bytes = bytes;
        this.#drain();
      },
      (error: Error) => {
        queue.splice(queue.indexOf(batch), 1);
        this.#complete(batch, error, -1n);
      },
    );
  }

  /** Sends what is ready, as far as the in-flight limits allow. */
  #drain(): void {
    const byLeader = new Map<number, Batch[]>();
    for (const [key, queue] of this.#ready) {
      const head = queue[0];
      if (!head || head.bytes === null) continue;
      const leader = this.#topics.get(head.topic)?.leaders[head.partition] ?? -1;
      if (leader < 0) {
        this.#ready.delete(key);
        for (const batch of queue)
          this.#retryOrFail(
            batch,
            new BrokerError(
              ErrorCode.LEADER_NOT_AVAILABLE,
              `produce to ${head.topic}-${head.partition}`,
            ),
          );
        continue;
      }
      let heads = byLeader.get(leader);
      if (!heads) byLeader.set(leader, (heads = []));
      heads.push(head);
    }
    for (const [leader, heads] of byLeader) {
      const connection = this.#connections.get(leader);
      if (!connection?.isAlive) {
        this.#connect(leader);
        continue;
      }
      let next = heads;
      while ((this.#inFlight.get(leader) ?? 0) < this.#maxInFlight && next.length > 0) {
        // One batch per partition per request (Produce v3+); a partition's next batch
        // waits for the next request.
        const candidates = next;
        next = [];
        const request: Batch[] = [];
        let bytes = 0;
        for (const batch of candidates) {
          if (request.length > 0 && bytes + batch.bytes!.length > this.#maxRequestSize) {
            next.push(batch);
            continue;
          }
          request.push(batch);
          bytes += batch.bytes!.length;
          const key = `${batch.topic}\0${batch.partition}`;
          const queue = this.#ready.get(key)!;
          queue.shift();
          if (queue.length === 0) this.#ready.delete(key);
          else if (queue[0]!.bytes !== null) next.push(queue[0]!);
        }
        this.#sendRequest(leader, connection, request);
      }
    }
  }

  #connect(leader: number): void {
    if (this.#connecting.has(leader)) return;
    this.#connecting.add(leader);
    this.#client.connection(leader).then(
      (connection) => {
        this.#connecting.delete(leader);
        this.#connections.set(leader, connection);
        this.#drain();
      },
      (error: Error) => {
        this.#connecting.delete(leader);
        for (const [key, queue] of this.#ready) {
          if ((this.#topics.get(queue[0]!.topic)?.leaders[queue[0]!.partition] ?? -1) !== leader)
            continue;
          this.#ready.delete(key);
          for (const batch of queue) this.#retryOrFail(batch, error);
        }
      },
    );
  }

  #sendRequest(leader: number, connection: BrokerConnection, batches: Batch[]): void {
    const byTopic = new Map<string, Batch[]>();
    for (const batch of batches)
      byTopic.set(batch.topic, [...(byTopic.get(batch.topic) ?? []), batch]);
    const build = (): ReturnType<typeof produceRequest> =>
      produceRequest(byTopic, this.#acks, this.#timeoutMs);
    this.#inFlight.set(leader, (this.#inFlight.get(leader) ?? 0) + 1);
    const done = (): void => {
      this.#inFlight.set(leader, (this.#inFlight.get(leader) ?? 1) - 1);
      this.#drain();
    };
    if (this.#acks === 0) {
      try {
        connection.sendOneWay(ApiKey.Produce, build);
      } catch (error) {
        for (const batch of batches) this.#retryOrFail(batch, error as Error);
        done();
        return;
      }
      for (const batch of batches) this.#complete(batch, null, -1n);
      void connection.drained().then(done);
      return;
    }
    connection.send<ProduceResponse>(ApiKey.Produce, build, this.#timeoutMs).then(
      ({ body }) => {
        const byPartition = new Map<
          string,
          { errorCode: number; baseOffset: bigint; errorMessage: string | null }
        >();
        for (const t of body.responses) {
          for (const p of t.partitionResponses) byPartition.set(`${t.name}\0${p.index}`, p);
        }
        for (const batch of batches) {
          const answer = byPartition.get(`${batch.topic}\0${batch.partition}`);
          if (!answer) {
            this.#complete(
              batch,
              new ClientError(
                'WEIR_CLIENT_PROTOCOL',
                `no produce answer for ${batch.topic}-${batch.partition}`,
              ),
              -1n,
            );
          } else if (answer.errorCode === ErrorCode.NONE) {
            this.#complete(batch, null, answer.baseOffset);
          } else {
            this.#retryOrFail(
              batch,
              new BrokerError(
                answer.errorCode,
                `produce to ${batch.topic}-${batch.partition}`,
                answer.errorMessage,
              ),
            );
          }
        }
        done();
      },
      (error: Error) => {
        for (const batch of batches) this.#retryOrFail(batch, error);
        done();
      },
    );
  }

  #retryOrFail(batch: Batch, error: Error): void {
    const retriable =
      error instanceof BrokerError
        ? isRetriable(error.errorCode)
        : error instanceof ClientError && RETRIABLE_CLIENT_ERRORS.has(error.code);
    if (!retriable || batch.attempts >= this.#retries || this.#closed) {
      this.#complete(batch, error, -1n);
      return;
    }
    batch.attempts++;
    void sleep(this.#retryBackoffMs * batch.attempts)
      .then(() => this.#loadTopic(batch.topic))
      .then(
        () => {
          const key = `${batch.topic}\0${batch.partition}`;
          const queue = this.#ready.get(key) ?? [];
          queue.unshift(batch);
          this.#ready.set(key, queue);
          this.#drain();
        },
        (loadError: Error) => this.#complete(batch, loadError, -1n),
      );
  }

  #complete(batch: Batch, error: Error | null, baseOffset: bigint): void {
    this.#pendingBatches--;
    this.#bufferedBytes -= batch.estimatedBytes - BATCH_OVERHEAD;
    for (let i = 0; i < batch.callbacks.length; i++) {
      const offset = baseOffset < 0n ? -1n : baseOffset + BigInt(i);
      batch.callbacks[i]!(
        error,
        error ? null : { topic: batch.topic, partition: batch.partition, offset },
      );
    }
    this.#releaseSpace();
    this.#maybeIdle();
  }

  #releaseSpace(): void {
    if (this.#bufferedBytes >= this.#bufferMemory) return;
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #maybeIdle(): void {
    if (this.#pendingBatches > 0 || this.#loading.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function sizeOf(record: ProducerRecord): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const header of record.headers ?? [])
    size += header.key.length + (header.value?.length ?? 0) + 2;
  return size;
}

function produceRequest(byTopic: Map<string, Batch[]>, acks: number, timeoutMs: number) {
  return {
    transactionalId: null,
    acks,
    timeoutMs,
    topicData: [...byTopic].map(([name, batches]) => ({
      name,
      topicId: ZERO_UUID,
      partitionData: batches.map((b) => ({ index: b.partition, records: b.bytes })),
    })),
  };
}
