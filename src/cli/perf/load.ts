/**
 * The load generators behind `weir perf`: producers (fixed rate or as fast as possible),
 * a consumer reading a topic from the start, and an end-to-end pair measuring the time
 * from send to receipt. Each producer has its own client and connection, as separate
 * kafka-producer-perf-test processes would; all share this process's one JS thread.
 *
 * Latencies are recorded in microseconds:
 * - produce: from send() to the broker's acknowledgement of the record's batch (for
 *   acks=0, to the batch being written to the socket);
 * - consume: how long each poll waited for its records;
 * - e2e: from send() to the consumer decoding the record (the send time travels in the
 *   value's first 8 bytes; one process, one clock).
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { CompressionType } from '../../records/index.js';
import {
  Consumer,
  EARLIEST_TIMESTAMP,
  KafkaClient,
  LATEST_TIMESTAMP,
  Producer,
  sleep,
  type BatchOutcome,
  type StartPosition,
} from '../client/index.js';
import { Histogram } from './histogram.js';
import { Progress, perfResult, type PerfResult } from './stats.js';

export interface ProduceLoadOptions {
  bootstrapServers: string;
  topic: string;
  numRecords: number;
  recordSize: number;
  /** Records/s over all producers; -1 for as fast as possible. */
  throughput: number;
  producers: number;
  batchSize: number;
  lingerMs: number;
  acks: 0 | 1 | -1;
  compression: CompressionType;
  /** Producer buffer.memory in bytes. */
  bufferMemory: number;
  /** Produce requests in flight per connection; default 5, as Kafka's producer. */
  maxInFlight?: number;
  /** Write the send time (epoch ms, float64) into each value's first 8 bytes. */
  stampValues?: boolean;
}

export interface LoadOutcome {
  result: PerfResult;
  histogram: Histogram;
  failed: number;
  firstError: Error | null;
}

/** Values of random uppercase letters (compressible like text, as Kafka's tool does). */
export function makePayloads(recordSize: number, count = 64): Buffer[] {
  return Array.from({ length: count }, () => {
    const b = Buffer.allocUnsafe(recordSize);
    for (let i = 0; i < recordSize; i++) b[i] = 65 + Math.floor(Math.random() * 26);
    return b;
  });
}

const YIELD_EVERY = 256;

export async function runProduceLoad(
  options: ProduceLoadOptions,
  progress: Progress,
): Promise<LoadOutcome> {
  const histogram = new Histogram();
  const clients = await Promise.all(
    Array.from({ length: options.producers }, (_, i) =>
      KafkaClient.connect({
        bootstrapServers: options.bootstrapServers,
        clientId: `weir-perf-${i}`,
      }),
    ),
  );
  let failed = 0;
  let firstError: Error | null = null;
  try {
    // Metadata first, so topic lookups are not part of the measurement.
    await Promise.all(clients.map((c) => c.topic(options.topic)));
    const payloads = makePayloads(options.recordSize);
    const share = (i: number): number =>
      Math.floor(options.numRecords / options.producers) +
      (i < options.numRecords % options.producers ? 1 : 0);
    const perProducerRate = options.throughput > 0 ? options.throughput / options.producers : -1;
    // Each record's tag is its send time: latency is the batch's ack time minus the tag.
    const onBatch = (outcome: BatchOutcome): void => {
      if (outcome.error) {
        failed += outcome.recordCount;
        firstError ??= outcome.error;
        return;
      }
      recordLatencies(outcome.tags, performance.now(), options.recordSize, histogram, progress);
    };
    const start = performance.now();
    await Promise.all(
      clients.map(async (client, p) => {
        const producer = new Producer(client, {
          acks: options.acks,
          compression: options.compression,
          batchSize: options.batchSize,
          lingerMs: options.lingerMs,
          bufferMemory: options.bufferMemory,
          ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
          allowAutoTopicCreation: false,
          onBatch,
        });
        const count = share(p);
        for (let i = 0; i < count; i++) {
          if (perProducerRate > 0) {
            const due = start + (i * 1000) / perProducerRate;
            const ahead = due - performance.now();
            if (ahead >= 1) await sleep(ahead);
          } else if (i % YIELD_EVERY === 0) {
            await yieldToIo();
          }
          const sentAt = performance.now();
          // One clock read per record: the send time is also the record's timestamp
          // (the producer would otherwise read Date.now() again).
          const timestamp = Math.floor(performance.timeOrigin + sentAt);
          let value = payloads[i % payloads.length]!;
          if (options.stampValues) {
            value = Buffer.from(value);
            value.writeDoubleBE(performance.timeOrigin + sentAt, 0);
          }
          producer.send({ topic: options.topic, value, timestamp }, undefined, sentAt);
          if (producer.bufferedBytes >= options.bufferMemory) await producer.waitForSpace();
          if (firstError) break;
        }
        await producer.close();
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const acked = histogram.count;
    return {
      result: perfResult(acked, acked * options.recordSize, seconds, histogram),
      histogram,
      failed,
      firstError,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

/** One acknowledged batch: a latency per record from its send time (`sentAt`, ms). */
function recordLatencies(
  sentAt: readonly number[],
  ackedAt: number,
  recordSize: number,
  histogram: Histogram,
  progress: Progress,
): void {
  if (progress.enabled) {
    for (let i = 0; i < sentAt.length; i++) {
      const micros = (ackedAt - sentAt[i]!) * 1000;
      histogram.record(micros);
      progress.add(1, recordSize, micros);
    }
    return;
  }
  for (let i = 0; i < sentAt.length; i++) histogram.record((ackedAt - sentAt[i]!) * 1000);
  progress.add(sentAt.length, sentAt.length * recordSize, null);
}

export interface ConsumeLoadOptions {
  bootstrapServers: string;
  topic: string;
  numRecords: number;
  /** Give up after this long without a record. */
  timeoutMs: number;
  /** Where to start: earliest (default) or latest. */
  from?: 'earliest' | 'latest';
  /** Latency per record from the stamp in its value (e2e) instead of per poll. */
  stampedValues?: boolean;
  /** Per partition per Fetch (max.partition.fetch.bytes); the consumer's default if unset. */
  partitionMaxBytes?: number;
}

/**
 * A consumer assigned to every partition of the topic, from the earliest or (for e2e) the
 * latest offsets, resolved before `run` so a producer started afterwards is seen whole.
 */
export async function prepareConsumeLoad(
  options: ConsumeLoadOptions,
): Promise<{ run(progress: Progress): Promise<LoadOutcome>; close(): void }> {
  const client = await KafkaClient.connect({
    bootstrapServers: options.bootstrapServers,
    clientId: 'weir-perf-consumer',
  });
  // Records are counted (and e2e stamps read) before the next poll: recycled buffers are safe.
  const consumer = new Consumer(client, {
    offsetReset: 'earliest',
    maxWaitMs: 100,
    reuseBuffers: true,
    ...(options.partitionMaxBytes === undefined
      ? {}
      : { partitionMaxBytes: options.partitionMaxBytes }),
  });
  try {
    const info = await client.topic(options.topic);
    const start: StartPosition = {
      timestamp: options.from === 'latest' ? LATEST_TIMESTAMP : EARLIEST_TIMESTAMP,
    };
    await consumer.assign(
      new Map([[options.topic, new Map(info.partitions.map((p) => [p.partition, start]))]]),
    );
  } catch (error) {
    client.close();
    throw error;
  }
  const close = (): void => {
    consumer.close();
    client.close();
  };
  const run = async (progress: Progress): Promise<LoadOutcome> => {
    const histogram = new Histogram();
    let records = 0;
    let bytes = 0;
    let first = -1;
    let last = performance.now();
    while (records < options.numRecords) {
      const asked = performance.now();
      const batch = await consumer.poll(options.numRecords - records, 250);
      const now = performance.now();
      if (batch.length === 0) {
        if (now - last > options.timeoutMs) break;
        continue;
      }
      if (first < 0) first = asked;
      last = now;
      let batchBytes = 0;
      for (const r of batch) {
        const size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
        batchBytes += size;
        if (options.stampedValues) {
          const sent =
            r.value && r.value.length >= 8 ? r.value.readDoubleBE(0) : performance.timeOrigin + now;
          const micros = (performance.timeOrigin + now - sent) * 1000;
          histogram.record(micros);
          progress.add(1, size, micros);
        }
      }
      if (!options.stampedValues) {
        histogram.record((now - asked) * 1000, batch.length);
        progress.add(batch.length, batchBytes, (now - asked) * 1000);
      }
      records += batch.length;
      bytes += batchBytes;
    }
    const seconds = first < 0 ? 0 : (last - first) / 1000;
    return {
      result: perfResult(records, bytes, seconds, histogram),
      histogram,
      failed: 0,
      firstError: null,
    };
  };
  return { run, close };
}
