/**
 * Fetch (key 1), versions 4-17.
 *
 * Behaviour: for each requested partition, returns whole record batches from FetchOffset
 * as stored (never decoded or re-encoded), up to PartitionMaxBytes per partition and
 * MaxBytes for the response — except that the first batch found is returned whole even
 * when larger (KIP-74), so a consumer can always make progress. Data stops at the high
 * watermark (read_uncommitted) or the last stable offset (read_committed; equal to the HW
 * until transactions exist). When fewer than MinBytes are available the request waits —
 * up to MaxWaitMs — for an append to any of its partitions; the wait holds no thread and
 * other requests, on this connection or others, proceed meanwhile.
 *
 * Errors per partition: unknown topic/partition (UNKNOWN_TOPIC_ID for v13+ topic ids),
 * OFFSET_OUT_OF_RANGE outside [log start, log end], UNKNOWN_LEADER_EPOCH when the client
 * knows a newer leader epoch than this broker's (always 0 in single-node mode).
 *
 * Version notes: fetch sessions (v7+) are not kept: SessionId 0 tells the client to send
 * full requests; v11+ PreferredReadReplica -1; v12+ flexible, tagged fields at defaults;
 * v13+ topics by id; v15+ ReplicaState (brokers only); v17 adds ReplicaDirectoryId.
 *
 * Buffers: with a read-buffer pool in the services, records are read into pooled
 * buffers and the response refers to them without a copy; the lease goes back to the
 * pool once the connection has written the response (RequestContext.response), and a
 * read whose answer is dropped (a long poll reading again) gives its buffers back first.
 */
import { ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import type {
  FetchRequest,
  FetchRequestFetchPartition,
  FetchResponse,
  FetchResponsePartitionData,
} from '../../../protocol/kafka/generated/messages/fetch.js';
import type { Partition, ReadLease } from '../../../cluster/partition/partition.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const READ_COMMITTED = 1;
const NO_RECORDS = Buffer.alloc(0);

interface PartitionFetch {
  request: FetchRequestFetchPartition;
  partition: Partition | undefined;
  /** Error found before reading (unknown topic id …), or NONE. */
  errorCode: number;
  /** The high watermark the last read stopped at: a parked fetch wakes when it moves. */
  seenHighWatermark: number;
}

function emptyPartitionData(
  index: number,
  errorCode: number,
  readCommitted: boolean,
): FetchResponsePartitionData {
  return {
    partitionIndex: index,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    records: NO_RECORDS,
  };
}

export function fetchHandler(services: KafkaServices): Handler<FetchRequest, FetchResponse> {
  const { cluster } = services;

  async function readPartition(
    fetch: PartitionFetch,
    budget: { bytes: number },
    readCommitted: boolean,
    buffers: ReadLease | undefined,
  ): Promise<FetchResponsePartitionData> {
    const index = fetch.request.partition;
    const { partition } = fetch;
    if (fetch.errorCode !== ErrorCode.NONE || !partition) {
      return emptyPartitionData(
        index,
        fetch.errorCode || ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        readCommitted,
      );
    }
    // Taken just before the read: Partition.read stops at this same high watermark.
    fetch.seenHighWatermark = partition.highWatermark;
    const base = emptyPartitionData(index, ErrorCode.NONE, readCommitted);
    base.highWatermark = BigInt(partition.highWatermark);
    base.lastStableOffset = BigInt(partition.lastStableOffset);
    base.logStartOffset = BigInt(partition.logStartOffset);
    if (fetch.request.currentLeaderEpoch > 0) {
      return { ...base, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH };
    }
    const offset = Number(fetch.request.fetchOffset);
    if (offset < partition.logStartOffset || offset > partition.logEndOffset) {
      return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
    }
    const maxBytes = Math.min(fetch.request.partitionMaxBytes, budget.bytes);
    if (maxBytes <= 0) return base;
    const result = await partition.read(offset, maxBytes, buffers);
    budget.bytes -= result.records.length;
    return {
      ...base,
      highWatermark: BigInt(result.highWatermark),
      lastStableOffset: BigInt(result.lastStableOffset),
      logStartOffset: BigInt(result.logStartOffset),
      records: result.records,
    };
  }

  function resolve(request: FetchRequest, version: number) {
    return request.topics.map((topic) => {
      const metadata =
        version >= 13 ? cluster.topicById(topic.topicId) : cluster.topic(topic.topic);
      const missing =
        version >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return {
        topic: topic.topic,
        topicId: topic.topicId,
        partitions: topic.partitions.map((p): PartitionFetch => ({
          request: p,
          partition: metadata ? cluster.partition(metadata.name, p.partition) : undefined,
          errorCode: metadata ? ErrorCode.NONE : missing,
          seenHighWatermark: -1,
        })),
      };
    });
  }

  async function readAll(
    topics: ReturnType<typeof resolve>,
    maxBytes: number,
    readCommitted: boolean,
    buffers: ReadLease | undefined,
  ) {
    const budget = { bytes: maxBytes };
    let bytes = 0;
    const responses = [];
    for (const topic of topics) {
      const partitions = [];
      for (const fetch of topic.partitions) {
        const data = await readPartition(fetch, budget, readCommitted, buffers);
        bytes += data.records?.length ?? 0;
        partitions.push(data);
      }
      responses.push({ topic: topic.topic, topicId: topic.topicId ?? ZERO_UUID, partitions });
    }
    const failed = responses.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE));
    return { responses, bytes, failed };
  }

  return async (context, request) => {
    const readCommitted = request.isolationLevel === READ_COMMITTED;
    const topics = resolve(request, context.apiVersion);
    const maxBytes = request.maxBytes > 0 ? request.maxBytes : 0x7fffffff;
    const deadline = services.now() + Math.max(0, request.maxWaitMs);
    const buffers = services.readBuffers?.lease();
    if (buffers !== undefined) context.response.onWritten(() => buffers.release());
    let result = await readAll(topics, maxBytes, readCommitted, buffers);
    if (result.bytes < request.minBytes && !result.failed) {
      const fetches = topics.flatMap((t) => t.partitions);
      while (result.bytes < request.minBytes && !result.failed) {
        const remaining = deadline - services.now();
        if (remaining <= 0) break;
        await waitForAppend(fetches, remaining);
        buffers?.release(); // the answer read before the wait is dropped
        result = await readAll(topics, maxBytes, readCommitted, buffers);
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: result.responses,
      nodeEndpoints: [],
    };
  };
}

/**
 * Resolves when any partition's high watermark moves past what its last read saw (at
 * once when one already has), or after `timeoutMs`. A wait costs one closure and one
 * timer; whichever ends it, every partition forgets the waiter.
 *
 * A connection that closes meanwhile does not end the wait: the handler has no close
 * signal, so a parked fetch of a gone client lives until its timeout (at most MaxWaitMs).
 */
function waitForAppend(fetches: readonly PartitionFetch[], timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const parked: Partition[] = [];
    const wake = (): void => {
      clearTimeout(timer);
      for (const partition of parked) partition.cancelWait(wake);
      resolve();
    };
    const timer = setTimeout(wake, timeoutMs);
    for (const { partition, seenHighWatermark } of fetches) {
      if (partition === undefined) continue;
      if (!partition.waitForAdvance(seenHighWatermark, wake)) return wake();
      parked.push(partition);
    }
  });
}
