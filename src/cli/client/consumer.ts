/**
 * A Fetch loop over assigned partitions: one Fetch in flight per leader, records decoded
 * (and decompressed) as responses arrive and handed out by `poll` in offset order per
 * partition. Control batches (transaction markers) are skipped; records are read
 * uncommitted. A position out of range is reset to the earliest or latest offset.
 *
 * Pipelining: when a response arrives, the next fetch positions are read from the batch
 * headers alone and the next Fetch goes out before this response's records are decoded,
 * so the broker serves it while the client decodes (Kafka's consumer likewise sends its
 * next fetches before handing records to the application). Decoding runs on one chain, so
 * records still reach `poll` in offset order. Fetching pauses while `maxBufferedRecords`
 * records wait to be polled.
 *
 * With `reuseBuffers`, responses are read into a few recycled buffers (fetch-buffers.ts):
 * a poll's records (keys, values, header values) are then valid only until the next
 * `poll` or `close`. Callers that keep records longer must copy them or leave it off.
 *
 * Positions: the fetch position (where the next Fetch starts) runs ahead of the consumed
 * position (after the last record `poll` returned); `positions()` is the consumed one,
 * which is what a group commits.
 */
import { ApiKey, ErrorCode, ZERO_UUID } from '../../protocol/kafka/index.js';
import {
  defaultFetchRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
} from '../../protocol/kafka/generated/messages/fetch.js';
import {
  readRecords,
  walkBatches,
  type RecordBatchView,
  type RecordHeader,
} from '../../records/index.js';
import {
  FetchBufferPool,
  releasePolled,
  type ResponseBufferHold,
  type ResponseBufferUse,
} from './fetch-buffers.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from './admin.js';
import { BrokerError, ClientError } from './errors.js';
import { sleep, type KafkaClient } from './kafka-client.js';
import { FIRST_TOPIC_ID_FETCH_VERSION } from './versions.js';

export interface ConsumerOptions {
  /** Where to start when a position is out of range. Default latest. */
  offsetReset?: 'earliest' | 'latest';
  /** How long the broker may hold a Fetch waiting for data. Default 500 ms. */
  maxWaitMs?: number;
  /** Default 1. */
  minBytes?: number;
  /** Per Fetch. Default 50 MiB. */
  maxBytes?: number;
  /** Per partition per Fetch. Default 1 MiB. */
  partitionMaxBytes?: number;
  /** Stop fetching ahead while this many records wait to be polled. Default 100,000. */
  maxBufferedRecords?: number;
  /**
   * Read responses into recycled buffers: each poll's records are valid only until the
   * next poll (see the file header). Default false.
   */
  reuseBuffers?: boolean;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** Epoch ms. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Where to start a partition: an offset, or a ListOffsets timestamp/sentinel. */
export type StartPosition = { offset: bigint } | { timestamp: bigint };

interface PartitionState {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  consumedOffset: bigint;
  /** Records fetched, not yet polled. */
  buffered: ConsumedRecord[];
  /** Records ever polled here; with `buffered`, places records for releasing buffers. */
  polledTotal: number;
  /** This partition's holds on recycled response buffers, oldest first. */
  holds: ResponseBufferHold[];
  highWatermark: bigint;
}

/** One Fetch response's batches, and the recycled buffer they are slices of (if any). */
interface FetchedResponse {
  buffer: Buffer | null;
  partitions: FetchedBatches[];
}

/** One partition's fetched batches, waiting to be decoded into `buffered`. */
interface FetchedBatches {
  partition: PartitionState;
  /** Records below this offset were consumed already (a batch may start before it). */
  from: bigint;
  batches: RecordBatchView[];
}

const RETRIABLE_FETCH_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.OFFSET_NOT_AVAILABLE,
]);

export class Consumer {
  readonly #client: KafkaClient;
  readonly #offsetReset: 'earliest' | 'latest';
  readonly #maxWaitMs: number;
  readonly #minBytes: number;
  readonly #maxBytes: number;
  readonly #partitionMaxBytes: number;
  readonly #maxBufferedRecords: number;
  readonly #bufferPool: FetchBufferPool | null;
  #partitions = new Map<string, PartitionState>();
  readonly #fetching = new Set<number>();
  #bufferedCount = 0;
  #failure: Error | null = null;
  #wakeUp: (() => void) | null = null;
  #closed = false;
  #epoch = 0;
  /** Decoding of fetched batches, in arrival order (see the file header). */
  #decoding: Promise<void> = Promise.resolve();

  constructor(client: KafkaClient, options: ConsumerOptions = {}) {
    this.#client = client;
    this.#offsetReset = options.offsetReset ?? 'latest';
    this.#maxWaitMs = options.maxWaitMs ?? 500;
    this.#minBytes = options.minBytes ?? 1;
    this.#maxBytes = options.maxBytes ?? 52_428_800;
    this.#partitionMaxBytes = options.partitionMaxBytes ?? 1_048_576;
    this.#maxBufferedRecords = options.maxBufferedRecords ?? 100_000;
    this.#bufferPool = options.reuseBuffers ? new FetchBufferPool() : null;
  }

  /**
   * Replaces the assignment. Positions given as timestamps (EARLIEST_TIMESTAMP,
   * LATEST_TIMESTAMP or epoch ms) are resolved with ListOffsets first.
   */
  async assign(assignment: ReadonlyMap<string, ReadonlyMap<number, StartPosition>>): Promise<void> {
    const partitions = new Map<string, PartitionState>();
    for (const [topic, starts] of assignment) {
      const byTimestamp = new Map<bigint, number[]>();
      for (const [partition, start] of starts) {
        if ('offset' in start) {
          partitions.set(key(topic, partition), state(topic, partition, start.offset));
        } else {
          byTimestamp.set(start.timestamp, [
            ...(byTimestamp.get(start.timestamp) ?? []),
            partition,
          ]);
        }
      }
      for (const [timestamp, list] of byTimestamp) {
        const offsets = await listOffsets(this.#client, topic, list, timestamp);
        const latest =
          timestamp >= 0n ? await listOffsets(this.#client, topic, list, LATEST_TIMESTAMP) : null;
        for (const partition of list) {
          // No record at or after the timestamp: start at the end, as Kafka's consumer does.
          let offset = offsets.get(partition) ?? -1n;
          if (offset < 0n) offset = latest?.get(partition) ?? 0n;
          partitions.set(key(topic, partition), state(topic, partition, offset));
        }
      }
    }
    this.#epoch++;
    this.#partitions = partitions;
    this.#bufferedCount = 0;
  }

  /** topic → partition → the offset after the last polled record. */
  positions(): Map<string, Map<number, bigint>> {
    const result = new Map<string, Map<number, bigint>>();
    for (const p of this.#partitions.values()) {
      if (!result.has(p.topic)) result.set(p.topic, new Map());
      result.get(p.topic)!.set(p.partition, p.consumedOffset);
    }
    return result;
  }

  /** True when every assigned partition has been consumed up to its last known high watermark. */
  get caughtUp(): boolean {
    for (const p of this.#partitions.values()) {
      if (p.highWatermark < 0n || p.consumedOffset < p.highWatermark) return false;
    }
    return true;
  }

  /**
   * Up to `maxRecords` records, waiting at most `timeoutMs` for the first; [] on timeout.
   * Rejects with the first non-retriable fetch error.
   */
  async poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]> {
    this.#releasePolled();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#failure) throw this.#failure;
      this.#startFetches();
      if (this.#bufferedCount > 0) return this.#take(maxRecords);
      const left = deadline - Date.now();
      if (left <= 0 || this.#closed) return [];
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#wakeUp = null;
          resolve();
        }, left);
        this.#wakeUp = () => {
          clearTimeout(timer);
          this.#wakeUp = null;
          resolve();
        };
      });
    }
  }

  close(): void {
    this.#closed = true;
    this.#wakeUp?.();
  }

  /** The records earlier polls returned are done with: recycle buffers they held. */
  #releasePolled(): void {
    if (this.#bufferPool === null) return;
    for (const p of this.#partitions.values()) {
      releasePolled(p.holds, p.polledTotal, this.#bufferPool);
    }
  }

  #take(maxRecords: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    for (const p of this.#partitions.values()) {
      if (p.buffered.length === 0) continue;
      const n = Math.min(p.buffered.length, maxRecords - out.length);
      const taken = p.buffered.splice(0, n);
      for (const record of taken) out.push(record);
      this.#bufferedCount -= n;
      p.polledTotal += n;
      p.consumedOffset = taken[taken.length - 1]!.offset + 1n;
      if (out.length >= maxRecords) break;
    }
    return out;
  }

  /** Starts a Fetch to every leader of assigned partitions that has none in flight. */
  #startFetches(): void {
    if (this.#closed || this.#bufferedCount >= this.#maxBufferedRecords) return;
    void this.#leaders().then(
      (byLeader) => {
        for (const [leader, partitions] of byLeader) {
          if (!this.#fetching.has(leader)) this.#startFetch(leader, partitions);
        }
      },
      (error: Error) => {
        this.#failure = error;
        this.#wakeUp?.();
      },
    );
  }

  #startFetch(leader: number, partitions: PartitionState[]): void {
    this.#fetching.add(leader);
    const epoch = this.#epoch;
    const fail = (error: Error): void => {
      if (epoch === this.#epoch) this.#failure ??= error;
    };
    const wake = (): void => this.#wakeUp?.();
    this.#fetch(partitions, leader, epoch).then(
      (fetched) => {
        this.#fetching.delete(leader);
        this.#startFetches();
        this.#decoding = this.#decoding
          // A later event-loop turn: the next Fetch (a chain of promises) leaves first.
          .then(() => new Promise((resolve) => setImmediate(resolve)))
          .then(() => this.#decode(fetched, epoch))
          .catch(fail)
          .finally(wake);
      },
      (error: Error) => {
        fail(error);
        this.#fetching.delete(leader);
        wake();
      },
    );
  }

  async #leaders(): Promise<Map<number, PartitionState[]>> {
    const byLeader = new Map<number, PartitionState[]>();
    for (const p of this.#partitions.values()) {
      const leader = await this.#client.leaderOf(p.topic, p.partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    return byLeader;
  }

  /**
   * One Fetch to `leader`. Moves each answered partition's fetch position past the
   * returned batches and returns those batches, undecoded.
   */
  async #fetch(
    partitions: PartitionState[],
    leader: number,
    epoch: number,
  ): Promise<FetchedResponse> {
    const connection = await this.#client.connection(leader);
    const pool = this.#bufferPool;
    let responseBuffer: Buffer | null = null;
    const byTopic = new Map<string, PartitionState[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const idOf = new Map<string, string>();
    for (const topic of byTopic.keys()) idOf.set(topic, (await this.#client.topic(topic)).topicId);
    const nameOf = new Map([...idOf].map(([name, id]) => [id, name]));
    const offsets = new Map(partitions.map((p) => [key(p.topic, p.partition), p.fetchOffset]));
    const { version, body } = await connection.send<FetchResponse>(
      ApiKey.Fetch,
      (v) => {
        if (v >= FIRST_TOPIC_ID_FETCH_VERSION && nameOf.has(ZERO_UUID)) {
          throw new ClientError(
            'WEIR_CLIENT_PROTOCOL',
            'the broker sent no topic ids for Fetch v13+',
          );
        }
        return {
          ...defaultFetchRequest(),
          replicaId: -1,
          maxWaitMs: this.#maxWaitMs,
          minBytes: this.#minBytes,
          maxBytes: this.#maxBytes,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [...byTopic].map(([topic, list]) => ({
            topic,
            topicId: idOf.get(topic)!,
            partitions: list.map((p) => ({
              partition: p.partition,
              currentLeaderEpoch: -1,
              fetchOffset: p.fetchOffset,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: this.#partitionMaxBytes,
              replicaDirectoryId: ZERO_UUID,
              highWatermark: -1n,
            })),
          })),
          forgottenTopicsData: [],
          rackId: '',
        };
      },
      this.#maxWaitMs,
      pool ? (size) => (responseBuffer = pool.take(size)).subarray(0, size) : undefined,
    );
    const fetched: FetchedBatches[] = [];
    const response: FetchedResponse = { buffer: responseBuffer, partitions: fetched };
    if (epoch !== this.#epoch) return response;
    if (body.errorCode !== ErrorCode.NONE) throw new BrokerError(body.errorCode, 'fetch');
    let refresh = false;
    for (const t of body.responses) {
      const topic = version >= FIRST_TOPIC_ID_FETCH_VERSION ? nameOf.get(t.topicId) : t.topic;
      if (topic === undefined) continue;
      for (const data of t.partitions) {
        const p = this.#partitions.get(key(topic, data.partitionIndex));
        // Skip answers for partitions reassigned or moved since the request went out.
        if (!p || offsets.get(key(topic, data.partitionIndex)) !== p.fetchOffset) continue;
        if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          await this.#reset(p);
        } else if (RETRIABLE_FETCH_ERRORS.has(data.errorCode)) {
          refresh = true;
        } else if (data.errorCode !== ErrorCode.NONE) {
          throw new BrokerError(data.errorCode, `fetch ${topic}-${data.partitionIndex}`);
        } else {
          fetched.push(advance(p, data));
        }
      }
    }
    if (refresh) {
      await sleep(100);
      await this.#client.refreshMetadata([...byTopic.keys()]);
    }
    return response;
  }

  /** Decodes fetched batches into their partitions' buffers (on the decode chain). */
  async #decode(fetched: FetchedResponse, epoch: number): Promise<void> {
    const use: ResponseBufferUse | null = fetched.buffer && { buffer: fetched.buffer, holders: 0 };
    for (const { partition: p, from, batches } of fetched.partitions) {
      const before = bufferedTotal(p);
      for (const batch of batches) {
        if (epoch !== this.#epoch) return;
        if (!batch.isControl) {
          for (const r of await readRecords(batch)) {
            if (r.offset < from) continue;
            p.buffered.push({
              topic: p.topic,
              partition: p.partition,
              offset: r.offset,
              timestamp: r.timestamp,
              key: r.key,
              value: r.value,
              headers: r.headers,
            });
            this.#bufferedCount++;
          }
        }
        // Nothing left to poll below this batch's end (e.g. a control batch).
        if (p.buffered.length === 0) p.consumedOffset = batch.lastOffset + 1n;
      }
      const end = bufferedTotal(p);
      if (use && end > before) {
        use.holders++;
        p.holds.push({ use, end });
      }
    }
    if (use && use.holders === 0) this.#bufferPool!.recycle(use.buffer);
  }

  async #reset(p: PartitionState): Promise<void> {
    const timestamp = this.#offsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
    const offsets = await listOffsets(this.#client, p.topic, [p.partition], timestamp);
    p.fetchOffset = p.consumedOffset = offsets.get(p.partition) ?? 0n;
  }
}

/**
 * Takes a partition's answer: its high watermark, and the batches at or past its fetch
 * position, which then moves past them. Reads batch headers only.
 */
function advance(p: PartitionState, data: FetchResponsePartitionData): FetchedBatches {
  const fetched: FetchedBatches = { partition: p, from: p.fetchOffset, batches: [] };
  p.highWatermark = data.highWatermark;
  if (!data.records || data.records.length === 0) return fetched;
  for (const batch of walkBatches(data.records)) {
    if (batch.lastOffset < p.fetchOffset) continue;
    fetched.batches.push(batch);
    p.fetchOffset = batch.lastOffset + 1n;
  }
  return fetched;
}

/** Records ever buffered for the partition (polls may take some while a decode awaits). */
function bufferedTotal(p: PartitionState): number {
  return p.polledTotal + p.buffered.length;
}

function key(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

function state(topic: string, partition: number, offset: bigint): PartitionState {
  return {
    topic,
    partition,
    fetchOffset: offset,
    consumedOffset: offset,
    buffered: [],
    polledTotal: 0,
    holds: [],
    highWatermark: -1n,
  };
}
