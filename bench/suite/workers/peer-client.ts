/**
 * Load generator for the peer brokers (issue 7, suite part 6), one process per run, printing
 * one JSON line shaped like `weir perf --json`:
 *   {"records","bytes","seconds","recordsPerSec","mbPerSec","latencyMs":{...}}
 *
 *   rabbit produce URL QUEUE COUNT SIZE WINDOW      persistent messages to a durable queue
 *                                                   on a confirm channel, at most WINDOW
 *                                                   unconfirmed; latencyMs = publish→confirm
 *   rabbit consume URL QUEUE COUNT PREFETCH         manual acks (multiple, every 64th
 *                                                   message and the last), basic.qos PREFETCH
 *   rabbit e2e URL QUEUE RATE SECONDS SIZE PREFETCH publish at RATE/s (confirms, persistent)
 *                                                   while consuming; latencyMs = publish→deliver
 *   nats produce URL STREAM COUNT SIZE WINDOW        JetStream publishes (file stream), at most
 *                                                   WINDOW awaiting their PubAck
 *   nats consume URL STREAM COUNT PREFETCH           durable pull consumer, explicit acks
 *   nats e2e URL STREAM RATE SECONDS SIZE PREFETCH
 *
 * Every payload starts with the sender's process.hrtime.bigint() (8 bytes), so e2e latency
 * is measured on one clock. Payloads are built once and only that header is patched.
 */
import amqp from 'amqplib';
import {
  AckPolicy,
  connect as natsConnect,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type NatsConnection,
} from 'nats';
import { Histogram } from '../lib/histogram.js';

const [system, mode, url, name, ...rest] = process.argv.slice(2);

interface Result {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  latencyMs: ReturnType<Histogram['summary']>;
  sent?: number;
  targetRate?: number;
}

function result(
  records: number,
  size: number,
  startNs: bigint,
  histogram: Histogram,
  extra = {},
  endNs = process.hrtime.bigint(),
): Result {
  const seconds = Number((endNs > startNs ? endNs : process.hrtime.bigint()) - startNs) / 1e9;
  return {
    records,
    bytes: records * size,
    seconds,
    recordsPerSec: records / seconds,
    mbPerSec: (records * size) / 1e6 / seconds,
    latencyMs: histogram.summary(),
    ...extra,
  };
}

function payload(size: number): Buffer {
  return Buffer.alloc(Math.max(size, 8), 0x78);
}

function stamp(buffer: Buffer): bigint {
  const now = process.hrtime.bigint();
  buffer.writeBigUInt64BE(now, 0);
  return now;
}

/** Calls `send()` RATE times a second for SECONDS, catching up when a tick runs late. */
async function paced(
  rate: number,
  seconds: number,
  send: () => void | Promise<void>,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const start = process.hrtime.bigint();
  let sent = 0;
  while (sent < total) {
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const due = Math.min(total, Math.floor(elapsed * rate) + 1);
    while (sent < due) {
      const pending = send();
      sent += 1;
      if (pending) await pending;
    }
    const nextAt = sent / rate;
    const waitMs = (nextAt - Number(process.hrtime.bigint() - start) / 1e9) * 1000;
    await new Promise((resolve) =>
      waitMs >= 1 ? setTimeout(resolve, waitMs) : setImmediate(resolve),
    );
  }
  return sent;
}

/** Waits until `isDone()` (checked now and whenever `arm`'s callback fires), at most 60 s. */
async function drained(isDone: () => boolean, arm: (resolve: () => void) => void): Promise<void> {
  if (isDone()) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => arm(resolve)),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 60_000))),
  ]);
  clearTimeout(timer);
}

// ---------------------------------------------------------------- RabbitMQ (amqplib)

async function rabbitConnection(): Promise<amqp.ChannelModel> {
  // TCP_NODELAY: with Nagle on, amqplib's latency is dominated by delayed ACKs.
  return amqp.connect(url!, { noDelay: true });
}

async function rabbitProduce(count: number, size: number, window: number): Promise<Result> {
  const connection = await rabbitConnection();
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(name!, { durable: true });
  const body = payload(size);
  const histogram = new Histogram();
  let outstanding = 0;
  let wake: (() => void) | undefined;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    while (outstanding >= window) await new Promise<void>((resolve) => (wake = resolve));
    const sentAt = stamp(body);
    outstanding += 1;
    const ok = channel.sendToQueue(name!, body, { persistent: true }, (error) => {
      if (error) throw error instanceof Error ? error : new Error(String(error));
      histogram.recordSince(sentAt);
      outstanding -= 1;
      if (wake) {
        const w = wake;
        wake = undefined;
        w();
      }
    });
    if (!ok) await new Promise((resolve) => channel.once('drain', resolve));
  }
  await channel.waitForConfirms();
  const out = result(count, size, start, histogram);
  await connection.close();
  return out;
}

async function rabbitConsume(count: number, prefetch: number): Promise<Result> {
  const connection = await rabbitConnection();
  const channel = await connection.createChannel();
  await channel.assertQueue(name!, { durable: true });
  await channel.prefetch(prefetch);
  const histogram = new Histogram();
  let received = 0;
  let size = 0;
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    void channel.consume(
      name!,
      (message) => {
        if (!message) return;
        received += 1;
        size = message.content.length;
        if (received % 64 === 0 || received === count) channel.ack(message, true);
        if (received === count) resolve();
      },
      { noAck: false },
    );
  });
  const out = result(received, size, start, histogram);
  await connection.close();
  return out;
}

async function rabbitE2e(
  rate: number,
  seconds: number,
  size: number,
  prefetch: number,
): Promise<Result> {
  const producer = await rabbitConnection();
  const consumer = await rabbitConnection();
  const pub = await producer.createConfirmChannel();
  await pub.assertQueue(name!, { durable: true });
  await pub.purgeQueue(name!);
  const sub = await consumer.createChannel();
  await sub.prefetch(prefetch);
  const histogram = new Histogram();
  let received = 0;
  let expected = Infinity;
  let lastAt = 0n;
  let done: (() => void) | undefined;
  await sub.consume(
    name!,
    (message) => {
      if (!message) return;
      lastAt = process.hrtime.bigint();
      histogram.record(Number(lastAt - message.content.readBigUInt64BE(0)) / 1000);
      received += 1;
      if (received % 64 === 0 || received >= expected) sub.ack(message, true);
      if (received >= expected) done?.();
    },
    { noAck: false },
  );
  const body = payload(size);
  const start = process.hrtime.bigint();
  const sent = await paced(rate, seconds, () => {
    stamp(body);
    if (!pub.sendToQueue(name!, body, { persistent: true })) {
      return new Promise<void>((resolve) => pub.once('drain', () => resolve()));
    }
    return undefined;
  });
  expected = sent;
  await drained(
    () => received >= expected,
    (resolve) => (done = resolve),
  );
  const out = result(received, size, start, histogram, { sent, targetRate: rate }, lastAt);
  await pub.waitForConfirms();
  await producer.close();
  await consumer.close();
  return out;
}

// ---------------------------------------------------------------- NATS JetStream

async function natsSetup(): Promise<{ nc: NatsConnection; js: JetStreamClient; subject: string }> {
  const nc = await natsConnect({ servers: url!, noEcho: true });
  const jsm = await nc.jetstreamManager();
  const subject = `${name}.data`;
  try {
    await jsm.streams.info(name!);
  } catch {
    await jsm.streams.add({
      name: name!,
      subjects: [subject],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
    });
  }
  return { nc, js: nc.jetstream(), subject };
}

async function natsConsumer(
  nc: NatsConnection,
  js: JetStreamClient,
  prefetch: number,
): Promise<ConsumerMessages> {
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(name!, {
    durable_name: 'bench',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: Math.max(prefetch * 4, 1000),
  });
  const consumer = await js.consumers.get(name!, 'bench');
  return consumer.consume({ max_messages: prefetch });
}

async function natsProduce(count: number, size: number, window: number): Promise<Result> {
  const { nc, js, subject } = await natsSetup();
  const body = payload(size);
  const histogram = new Histogram();
  const inFlight = new Set<Promise<void>>();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    while (inFlight.size >= window) await Promise.race(inFlight);
    // nats.js queues the payload by reference, so each message gets its own copy.
    const message = Buffer.from(body);
    const sentAt = stamp(message);
    const p: Promise<void> = js.publish(subject, message).then(() => {
      histogram.recordSince(sentAt);
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const out = result(count, size, start, histogram);
  await nc.drain();
  return out;
}

async function natsConsume(count: number, prefetch: number): Promise<Result> {
  const { nc, js } = await natsSetup();
  const histogram = new Histogram();
  const start = process.hrtime.bigint();
  const messages = await natsConsumer(nc, js, prefetch);
  let received = 0;
  let size = 0;
  for await (const message of messages) {
    message.ack();
    size = message.data.length;
    received += 1;
    if (received >= count) break;
  }
  await nc.flush();
  const out = result(received, size, start, histogram);
  await nc.drain();
  return out;
}

async function natsE2e(
  rate: number,
  seconds: number,
  size: number,
  prefetch: number,
): Promise<Result> {
  const { nc, js, subject } = await natsSetup();
  const histogram = new Histogram();
  const messages = await natsConsumer(nc, js, prefetch);
  let received = 0;
  let expected = Infinity;
  let lastAt = 0n;
  let done: (() => void) | undefined;
  void (async () => {
    for await (const message of messages) {
      lastAt = process.hrtime.bigint();
      histogram.record(
        Number(
          lastAt - Buffer.from(message.data.buffer, message.data.byteOffset, 8).readBigUInt64BE(0),
        ) / 1000,
      );
      message.ack();
      received += 1;
      if (received >= expected) done?.();
    }
  })();
  const body = payload(size);
  const acks = new Set<Promise<void>>();
  const start = process.hrtime.bigint();
  const sent = await paced(rate, seconds, () => {
    const message = Buffer.from(body);
    stamp(message);
    const p: Promise<void> = js.publish(subject, message).then(() => {
      acks.delete(p);
    });
    acks.add(p);
    return acks.size > 10_000 ? Promise.race(acks) : undefined;
  });
  expected = sent;
  await drained(
    () => received >= expected,
    (resolve) => (done = resolve),
  );
  const out = result(received, size, start, histogram, { sent, targetRate: rate }, lastAt);
  await Promise.all(acks);
  await nc.drain();
  return out;
}

// ---------------------------------------------------------------- main

const n = rest.map(Number);
let output: Result;
if (system === 'rabbit' && mode === 'produce') output = await rabbitProduce(n[0]!, n[1]!, n[2]!);
else if (system === 'rabbit' && mode === 'consume') output = await rabbitConsume(n[0]!, n[1]!);
else if (system === 'rabbit' && mode === 'e2e')
  output = await rabbitE2e(n[0]!, n[1]!, n[2]!, n[3]!);
else if (system === 'nats' && mode === 'produce') output = await natsProduce(n[0]!, n[1]!, n[2]!);
else if (system === 'nats' && mode === 'consume') output = await natsConsume(n[0]!, n[1]!);
else if (system === 'nats' && mode === 'e2e') output = await natsE2e(n[0]!, n[1]!, n[2]!, n[3]!);
else {
  process.stderr.write(`peer-client: unknown ${system} ${mode}\n`);
  process.exit(64);
}
process.stdout.write(`${JSON.stringify(output)}\n`);
process.exit(0);
