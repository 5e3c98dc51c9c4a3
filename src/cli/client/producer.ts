/**
 * A small Kafka producer: records are encoded straight into per-partition batches
 * (ProducerBatch) that close when full (`batchSize` bytes) or after `lingerMs`; closed
 * batches are sent to their leader, one batch per partition per Produce request, with at
 * most `maxInFlight` requests per broker. As in Kafka's RecordAccumulator, a batch whose
 * linger has passed while its partition still waits for the broker stays open and keeps
 * filling until it can go, so a busy producer sends full batches even with linger 0.
 *
 * Retriable errors (leader moved, timeouts) refresh the metadata and resend up to
 * `retries` times; ordering under retries is not guaranteed (the producer is not
 * idempotent), as with Kafka's max.in.flight > 1 without enable.idempotence.
 *
 * `send` never blocks: callers that produce in a loop await `waitForSpace()` so no more
 * than `bufferMemory` bytes wait in the producer (Kafka's buffer.memory).
 */
import { ApiKey, ErrorCode, ZERO_UUID, isRetriable } from '../../protocol/kafka/index.js';
import type { ProduceResponse } from '../../protocol/kafka/generated/messages/produce.js';
import { CompressionType, type RecordHeader } from '../../records/index.js';
import type { BrokerConnection } from './connection.js';
import { BrokerError, ClientError, unknownTopic } from './errors.js';
import { sleep, type KafkaClient } from './kafka-client.js';
import { StickyPartitioner, partitionForKey } from './partitioner.js';
import { BufferPool, ProducerBatch, sizeInBatch } from './producer-batch.js';

export interface ProducerOptions {
  /** 0 (no answer), 1 (leader) or -1 (all in-sync replicas). Default -1. */
  acks?: 0 | 1 | -1;
  compression?: CompressionType;
  /** Batch size in bytes. Default 16384. */
  batchSize?: number;
  /**
   * How long a batch waits for more records. Default 5 ms (Kafka 4's default); 0 sends at
   * the end of the current event-loop turn.
   */
  lingerMs?: number;
  /** Produce requests in flight per broker (max.in.flight.requests.per.connection). Default 5. */
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
  /**
   * Called once per batch when it is acknowledged or has failed, after the records'
   * callbacks; lets a caller that tracks records itself (weir perf) skip a callback per
   * record.
   */
  onBatch?: (outcome: BatchOutcome) => void;
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

/** What `onBatch` hears about each batch. */
export interface BatchOutcome {
  topic: string;
  partition: number;
  recordCount: number;
  /** Offset of the first record; -1n for acks=0 and on failure. */
  baseOffset: bigint;
  error: Error | null;
  /** The `tag` given to send() for each record, in order (NaN where none was given). */
  tags: readonly number[];
}

/** A partition's closed batches, oldest first; the head is sendable once it has bytes. */
interface PartitionQueue {
  topic: TopicState;
  partition: number;
  batches: ProducerBatch[];
}

interface TopicState {
  name: string;
  partitionCount: number;
  leaders: number[];
  /** The batch being filled, per partition. */
  open: (ProducerBatch | undefined)[];
  queues: (PartitionQueue | undefined)[];
}

/** Failures of a connection (not of the request itself): resend on a new one. */
const RETRIABLE_CLIENT_ERRORS: ReadonlySet<string> = new Set([
  'WEIR_CLIENT_UNREACHABLE',
  'WEIR_CLIENT_TIMEOUT',
  'WEIR_CLIENT_CONNECTION_CLOSED',
]);

/** Record overhead in a batch beyond key, value and headers (varints, attributes). */
const RECORD_OVERHEAD = 16;

export class Producer {
  readonly #client: KafkaClient;
  readonly #acks: 0 | 1 | -1;
  readonly #compression: CompressionType;
  readonly #lingerMs: number;
  readonly #maxInFlight: number;
  readonly #maxRequestSize: number;
  readonly #bufferMemory: number;
  readonly #retries: number;
  readonly #retryBackoffMs: number;
  readonly #timeoutMs: number;
  readonly #allowAutoTopicCreation: boolean;
  readonly #onBatch: ((outcome: BatchOutcome) => void) | undefined;
  readonly #sticky = new StickyPartitioner();
  readonly #pool: BufferPool;

  readonly #topics = new Map<string, TopicState>();
  readonly #loading = new Map<
    string,
    { record: ProducerRecord; callback: SendCallback | undefined; tag: number }[]
  >();
  /** Partitions with closed batches, in the order they take turns. */
  readonly #ready = new Set<PartitionQueue>();
  /** Open batches past their linger, held while their partition waits for the broker. */
  readonly #overdue = new Set<ProducerBatch>();
  readonly #inFlight = new Map<number, number>();
  readonly #connections = new Map<number, BrokerConnection>();
  readonly #connecting = new Set<number>();
  #lingerTimer: NodeJS.Timeout | null = null;
  #lingerImmediate: NodeJS.Immediate | null = null;
  #drainQueued = false;
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
    this.#lingerMs = options.lingerMs ?? 5;
    this.#maxInFlight = options.maxInFlight ?? 5;
    this.#maxRequestSize = options.maxRequestSize ?? 1_048_576;
    this.#bufferMemory = options.bufferMemory ?? 32 * 1024 * 1024;
    this.#retries = options.retries ?? 5;
    this.#retryBackoffMs = options.retryBackoffMs ?? 100;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.#onBatch = options.onBatch;
    const batchSize = options.batchSize ?? 16_384;
    // As many free buffers as buffer.memory holds batches: what a full producer uses.
    this.#pool = new BufferPool(batchSize, Math.ceil(this.#bufferMemory / batchSize) + 1);
  }

  /** Bytes of records accepted but not yet acknowledged. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /**
   * Queues a record; `callback` runs once it is acknowledged or has failed. `tag` is any
   * number the caller wants back with the record's batch in `onBatch` (weir perf passes the
   * send time, so it needs no closure per record). The record's buffers are copied into
   * its batch once the topic's metadata is known: leave them unchanged until then (or
   * until the callback). Without a callback, a record refused at once makes send throw.
   */
  send(record: ProducerRecord, callback?: SendCallback, tag = NaN): void {
    if (this.#closed) {
      this.#reject(callback, new ClientError('WEIR_CLIENT_INVALID', 'producer is closed'));
      return;
    }
    const topic = this.#topics.get(record.topic);
    if (topic === undefined) {
      this.#bufferedBytes += sizeOf(record);
      this.#whenLoaded(record, callback, tag);
      return;
    }
    this.#append(record, callback, tag, topic);
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
    if (this.#lingerImmediate) clearImmediate(this.#lingerImmediate);
    this.#lingerTimer = null;
    this.#lingerImmediate = null;
  }

  /** A record that never made it into a batch: its callback hears, or send throws. */
  #reject(callback: SendCallback | undefined, error: Error): void {
    if (callback === undefined) throw error;
    callback(error, null);
  }

  #whenLoaded(record: ProducerRecord, callback: SendCallback | undefined, tag: number): void {
    const waiting = this.#loading.get(record.topic);
    if (waiting) {
      waiting.push({ record, callback, tag });
      return;
    }
    const queue = [{ record, callback, tag }];
    this.#loading.set(record.topic, queue);
    this.#loadTopic(record.topic).then(
      (state) => {
        this.#loading.delete(record.topic);
        for (const { record: r, callback: cb, tag: t } of queue) {
          this.#bufferedBytes -= sizeOf(r);
          this.#append(r, cb, t, state);
        }
        // A flush() that began while the metadata loaded covers these records too.
        if (this.#idleWaiters.length > 0) this.#closeBatches(() => true);
        this.#maybeIdle();
      },
      (error: Error) => {
        this.#loading.delete(record.topic);
        for (const { record: r, callback: cb } of queue) {
          this.#bufferedBytes -= sizeOf(r);
          cb?.(error, null);
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
        return this.#updateTopic(
          name,
          info.partitions.map((p) => p.leader),
        );
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

  /** New leaders go into the existing state: its open and queued batches stay put. */
  #updateTopic(name: string, leaders: number[]): TopicState {
    let state = this.#topics.get(name);
    if (state === undefined) {
      state = { name, partitionCount: leaders.length, leaders, open: [], queues: [] };
      this.#topics.set(name, state);
    }
    state.partitionCount = leaders.length;
    state.leaders = leaders;
    return state;
  }

  #append(
    record: ProducerRecord,
    callback: SendCallback | undefined,
    tag: number,
    topic: TopicState,
  ): void {
    const partition = this.#partitionOf(record, topic);
    if (partition < 0) {
      this.#reject(
        callback,
        new ClientError(
          'WEIR_CLIENT_UNKNOWN_TOPIC',
          `topic '${record.topic}' has no partition ${record.partition}`,
        ),
      );
      return;
    }
    const timestamp = record.timestamp ?? Date.now();
    if (!Number.isSafeInteger(timestamp)) {
      this.#reject(
        callback,
        new ClientError('WEIR_CLIENT_INVALID', `timestamp ${timestamp} is not an integer`),
      );
      return;
    }
    const open = topic.open[partition];
    let batch: ProducerBatch;
    let size = open === undefined ? 0 : open.tryAppend(record, timestamp, tag);
    if (size > 0) {
      batch = open!;
    } else {
      // The record does not fit: the open batch is done and a new one takes the record.
      if (open !== undefined) this.#closeBatch(open, topic);
      batch = this.#openBatch(topic, partition, sizeInBatch(record, 0, 0));
      size = batch.tryAppend(record, timestamp, tag);
    }
    if (callback !== undefined) batch.setCallback(callback);
    this.#bufferedBytes += size;
    // Full for records like this one: send it now rather than when the next one arrives.
    if (batch.remaining < size) this.#closeBatch(batch, topic);
  }

  /** The record's partition, or -1 when it names one the topic does not have. */
  #partitionOf(record: ProducerRecord, topic: TopicState): number {
    const partition = record.partition;
    if (partition === undefined) {
      return record.key != null
        ? partitionForKey(record.key, topic.partitionCount)
        : this.#sticky.partition(topic.name, topic.partitionCount);
    }
    return Number.isInteger(partition) && partition >= 0 && partition < topic.partitionCount
      ? partition
      : -1;
  }

  #openBatch(topic: TopicState, partition: number, firstRecordSize: number): ProducerBatch {
    const batch = new ProducerBatch(
      topic.name,
      partition,
      this.#pool,
      firstRecordSize,
      performance.now() + this.#lingerMs,
      this.#onBatch !== undefined,
    );
    topic.open[partition] = batch;
    this.#pendingBatches++;
    this.#scheduleLinger(batch.deadline);
    return batch;
  }

  #scheduleLinger(deadline: number): void {
    if (this.#lingerMs === 0) {
      // setTimeout(0) waits at least 1 ms; an immediate runs once this turn's sends are in.
      this.#lingerImmediate ??= setImmediate(() => {
        this.#lingerImmediate = null;
        this.#lingerExpired();
      });
      return;
    }
    if (this.#lingerTimer && deadline >= this.#lingerDeadline) return;
    if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
    this.#lingerDeadline = deadline;
    this.#lingerTimer = setTimeout(
      () => {
        this.#lingerTimer = null;
        this.#lingerDeadline = Infinity;
        this.#lingerExpired();
      },
      Math.max(0, deadline - performance.now()),
    );
  }

  /**
   * Closes the open batches whose linger has passed and that can be sent now; the others
   * wait in #overdue for a free request slot, taking records meanwhile.
   */
  #lingerExpired(): void {
    const now = performance.now();
    let next = Infinity;
    for (const topic of this.#topics.values()) {
      for (const batch of topic.open) {
        if (batch === undefined) continue;
        if (batch.deadline > now + 0.5) next = Math.min(next, batch.deadline);
        else if (this.#canSendNow(topic, batch.partition)) this.#closeBatch(batch, topic);
        else this.#overdue.add(batch);
      }
    }
    if (next < Infinity) this.#scheduleLinger(next);
  }

  /** Nothing queued ahead in the partition, and its leader has a free request slot. */
  #canSendNow(topic: TopicState, partition: number): boolean {
    if ((topic.queues[partition]?.batches.length ?? 0) > 0) return false;
    const leader = topic.leaders[partition] ?? -1;
    return leader < 0 || (this.#inFlight.get(leader) ?? 0) < this.#maxInFlight;
  }

  /** A request slot freed up: overdue batches that can now go are closed. */
  #sendOverdue(): void {
    for (const batch of this.#overdue) {
      const topic = this.#topics.get(batch.topic);
      if (topic === undefined || topic.open[batch.partition] !== batch) {
        this.#overdue.delete(batch);
      } else if (this.#canSendNow(topic, batch.partition)) {
        this.#closeBatch(batch, topic);
      }
    }
  }

  #closeBatches(which: (batch: ProducerBatch) => boolean): void {
    for (const topic of this.#topics.values()) {
      for (const batch of topic.open) if (batch && which(batch)) this.#closeBatch(batch, topic);
    }
  }

  /** Moves a batch from filling to its partition's queue, then sends what can go. */
  #closeBatch(batch: ProducerBatch, topic: TopicState): void {
    topic.open[batch.partition] = undefined;
    this.#overdue.delete(batch);
    this.#sticky.batchClosed(topic.name, batch.partition, topic.partitionCount);
    const queue = queueOf(topic, batch.partition);
    queue.batches.push(batch);
    this.#ready.add(queue);
    const closing = batch.close(this.#compression);
    if (closing === undefined) {
      // With every request slot of the leader taken, the next answer drains: skip the walk.
      const leader = topic.leaders[batch.partition] ?? -1;
      if ((this.#inFlight.get(leader) ?? 0) < this.#maxInFlight) this.#drainSoon();
      return;
    }
    closing.then(
      () => this.#drain(),
      (error: Error) => {
        queue.batches.splice(queue.batches.indexOf(batch), 1);
        this.#complete(batch, error, -1n);
      },
    );
  }

  /**
   * Drains once the caller's synchronous run ends (a microtask, so still in this
   * event-loop turn): batches filled by one run of send() calls then leave in one socket
   * write instead of one write each.
   */
  #drainSoon(): void {
    if (this.#drainQueued) return;
    this.#drainQueued = true;
    queueMicrotask(() => {
      this.#drainQueued = false;
      this.#drain();
    });
  }

  /**
   * Sends what is ready, as far as the in-flight limits allow. Requests to one broker
   * leave in one socket write (several go at once when slots free together).
   */
  #drain(): void {
    const corked = new Set<BrokerConnection>();
    try {
      for (;;) {
        const requests = this.#nextRequests();
        if (requests.size === 0) return;
        for (const [leader, { connection, batches }] of requests) {
          if (!corked.has(connection)) {
            connection.cork();
            corked.add(connection);
          }
          this.#sendRequest(leader, connection, batches);
        }
      }
    } finally {
      for (const connection of corked) connection.uncork();
    }
  }

  /**
   * At most one request per leader with a free slot, holding the head batch of each of
   * its partitions (one batch per partition per request, as Kafka's producer) up to
   * maxRequestSize. A partition that gave a batch goes to the back of the turn order.
   */
  #nextRequests(): Map<number, { connection: BrokerConnection; batches: ProducerBatch[] }> {
    const requests = new Map<
      number,
      { connection: BrokerConnection; batches: ProducerBatch[]; bytes: number }
    >();
    for (const queue of [...this.#ready]) {
      const head = queue.batches[0];
      if (head === undefined) {
        this.#ready.delete(queue);
        continue;
      }
      if (head.bytes === null) continue; // still compressing
      const leader = queue.topic.leaders[queue.partition] ?? -1;
      if (leader < 0) {
        this.#failQueue(
          queue,
          new BrokerError(
            ErrorCode.LEADER_NOT_AVAILABLE,
            `produce to ${queue.topic.name}-${queue.partition}`,
          ),
        );
        continue;
      }
      if ((this.#inFlight.get(leader) ?? 0) >= this.#maxInFlight) continue;
      let request = requests.get(leader);
      if (request === undefined) {
        const connection = this.#connections.get(leader);
        if (!connection?.isAlive) {
          this.#connect(leader);
          continue;
        }
        request = { connection, batches: [], bytes: 0 };
        requests.set(leader, request);
      }
      if (request.batches.length > 0 && request.bytes + head.bytes.length > this.#maxRequestSize)
        continue;
      request.batches.push(head);
      request.bytes += head.bytes.length;
      queue.batches.shift();
      this.#ready.delete(queue);
      if (queue.batches.length > 0) this.#ready.add(queue);
    }
    return requests;
  }

  /** Every batch queued for the partition retries (or fails) with `error`. */
  #failQueue(queue: PartitionQueue, error: Error): void {
    this.#ready.delete(queue);
    const batches = queue.batches;
    queue.batches = [];
    for (const batch of batches) this.#retryOrFail(batch, error);
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
        for (const queue of [...this.#ready]) {
          if ((queue.topic.leaders[queue.partition] ?? -1) === leader)
            this.#failQueue(queue, error);
        }
      },
    );
  }

  #sendRequest(leader: number, connection: BrokerConnection, batches: ProducerBatch[]): void {
    const request = produceRequest(batches, this.#acks, this.#timeoutMs);
    this.#inFlight.set(leader, (this.#inFlight.get(leader) ?? 0) + 1);
    if (this.#acks === 0) {
      this.#sendOneWay(leader, connection, batches, request);
      return;
    }
    connection
      .send<ProduceResponse>(ApiKey.Produce, () => request, this.#timeoutMs)
      .then(
        ({ body }) => {
          // The next request goes out before this one's callbacks run, so the broker
          // works on it meanwhile.
          this.#requestDone(leader);
          this.#produced(batches, body);
        },
        (error: Error) => {
          this.#requestDone(leader);
          for (const batch of batches) this.#retryOrFail(batch, error);
        },
      );
  }

  /** acks=0: a batch is done once the socket has let go of its bytes (then reusable). */
  #sendOneWay(
    leader: number,
    connection: BrokerConnection,
    batches: ProducerBatch[],
    request: ReturnType<typeof produceRequest>,
  ): void {
    let written: Promise<void>;
    try {
      written = connection.sendOneWay(ApiKey.Produce, () => request);
    } catch (error) {
      this.#requestDone(leader);
      for (const batch of batches) this.#retryOrFail(batch, error as Error);
      return;
    }
    void written.then(() => {
      this.#requestDone(leader);
      for (const batch of batches) this.#complete(batch, null, -1n);
    });
  }

  #requestDone(leader: number): void {
    this.#inFlight.set(leader, (this.#inFlight.get(leader) ?? 1) - 1);
    if (this.#overdue.size > 0) this.#sendOverdue();
    this.#drain();
  }

  #produced(batches: ProducerBatch[], body: ProduceResponse): void {
    for (const batch of batches) {
      const answer = body.responses
        .find((t) => t.name === batch.topic)
        ?.partitionResponses.find((p) => p.index === batch.partition);
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
  }

  #retryOrFail(batch: ProducerBatch, error: Error): void {
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
        (topic) => {
          const queue = queueOf(topic, batch.partition);
          queue.batches.unshift(batch);
          this.#ready.add(queue);
          this.#drain();
        },
        // The metadata load can fail the same way (broker still down): that uses up a retry too.
        (loadError: Error) => this.#retryOrFail(batch, loadError),
      );
  }

  #complete(batch: ProducerBatch, error: Error | null, baseOffset: bigint): void {
    this.#pendingBatches--;
    this.#bufferedBytes -= batch.recordBytes;
    const callbacks = batch.callbacks;
    if (callbacks !== null) {
      for (let i = 0; i < callbacks.length; i++) {
        const offset = baseOffset < 0n ? -1n : baseOffset + BigInt(i);
        callbacks[i]?.(
          error,
          error ? null : { topic: batch.topic, partition: batch.partition, offset },
        );
      }
    }
    if (this.#onBatch !== undefined) {
      this.#onBatch({
        topic: batch.topic,
        partition: batch.partition,
        recordCount: batch.recordCount,
        baseOffset: error ? -1n : baseOffset,
        error,
        tags: batch.tags!,
      });
    }
    batch.release();
    // A batch that failed without a response frees no request slot, yet may unblock its
    // partition's overdue batch.
    if (this.#overdue.size > 0) this.#sendOverdue();
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

/** Estimated size of a record still waiting for its topic's metadata. */
function sizeOf(record: ProducerRecord): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const header of record.headers ?? [])
    size += header.key.length + (header.value?.length ?? 0) + 2;
  return size;
}

function produceRequest(batches: ProducerBatch[], acks: number, timeoutMs: number) {
  const byTopic = new Map<string, { index: number; records: Buffer | null }[]>();
  for (const batch of batches) {
    let partitions = byTopic.get(batch.topic);
    if (partitions === undefined) byTopic.set(batch.topic, (partitions = []));
    partitions.push({ index: batch.partition, records: batch.bytes });
  }
  return {
    transactionalId: null,
    acks,
    timeoutMs,
    topicData: [...byTopic].map(([name, partitionData]) => ({
      name,
      topicId: ZERO_UUID,
      partitionData,
    })),
  };
}

/** The partition's queue of closed batches, made on first use. */
function queueOf(topic: TopicState, partition: number): PartitionQueue {
  return (topic.queues[partition] ??= { topic, partition, batches: [] });
}
