/**
 * KafkaConnection over a real loopback socket, with a stand-in ApiVersions handler whose
 * answers the test releases one by one: response order, batched writes, acks=0 slots,
 * failing handlers, backpressure, and when a handler is told its response was written.
 */
import assert from 'node:assert/strict';
import { connect, createServer, Socket, type Server } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import { ApiKey, encodeRequestFrame, type AnyResponse } from '../../../src/protocol/kafka/index.js';
import {
  defaultFetchResponse,
  defaultFetchResponseFetchableTopicResponse,
  defaultFetchResponsePartitionData,
} from '../../../src/protocol/kafka/generated/messages/fetch.js';
import type {
  ApiVersionsRequest,
  ApiVersionsResponse,
} from '../../../src/protocol/kafka/generated/messages/api-versions.js';
import { KafkaConnection } from '../../../src/server/kafka/connection.js';
import { handleApiVersions } from '../../../src/server/kafka/handlers/18-api-versions.js';
import type { AnyHandler } from '../../../src/server/kafka/handlers/handler.js';
import type { RequestContext } from '../../../src/server/kafka/request-context.js';
import { RawKafkaClient, fetchRequest } from '../../helpers/raw-kafka-client.js';

const API_VERSIONS_REQUEST = { clientSoftwareName: 'weir-test', clientSoftwareVersion: '1' };

/** One request the handler has received; the test decides when and how it finishes. */
interface Held {
  correlationId: number;
  answer(): void;
  silence(): void;
  fail(error: Error): void;
  /** How many times the response's onWritten callback ran (with `watch`). */
  writtenCalls: number;
}

interface Harness {
  client: RawKafkaClient;
  serverSocket: Socket;
  connection: KafkaConnection;
  held: Held[];
  /** The chunks of each write the socket made to the kernel (one entry per write/writev). */
  writes: Buffer[][];
  /** Resolves once the handler holds `count` requests. */
  holding(count: number): Promise<void>;
  /** With `holdWriteCallbacks`: the socket's write callbacks, not yet run. */
  writeCallbacks: (() => void)[];
}

let server: Server | undefined;
let clients: RawKafkaClient[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  // A test without a server (close would never call back) has nothing to close.
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

/**
 * Records each write the socket hands to the kernel, without changing it. With `held`,
 * the bytes still go out but the socket's completion callback waits in `held` until the
 * test runs it: a socket whose write is slow to complete.
 */
function recordWrites(socket: Socket, writes: Buffer[][], held?: (() => void)[]): void {
  const write = socket._write.bind(socket);
  const writev = socket._writev!.bind(socket);
  const later =
    (callback: (error?: Error | null) => void) =>
    (error?: Error | null): void => {
      if (held === undefined) callback(error);
      else held.push(() => callback(error));
    };
  socket._write = (chunk: Buffer, encoding, callback) => {
    writes.push([chunk]);
    write(chunk, encoding, later(callback));
  };
  socket._writev = (chunks, callback) => {
    writes.push(chunks.map((c) => c.chunk as Buffer));
    writev(chunks, later(callback));
  };
}

async function harness(
  options: {
    maxInFlightRequests?: number;
    syncThrowFor?: number;
    /** The handler registers an onWritten callback for every response. */
    watch?: boolean;
    holdWriteCallbacks?: boolean;
  } = {},
): Promise<Harness> {
  const held: Held[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const handler: AnyHandler = (context: RequestContext, request: ApiVersionsRequest) => {
    const correlationId = context.header.correlationId;
    if (correlationId === options.syncThrowFor) throw new Error('handler bug');
    return new Promise<AnyResponse | null>((resolve, reject) => {
      const entry: Held = {
        correlationId,
        answer: () => resolve(handleApiVersions(context, request)),
        silence: () => resolve(null),
        fail: reject,
        writtenCalls: 0,
      };
      if (options.watch) context.response.onWritten(() => entry.writtenCalls++);
      held.push(entry);
      for (const waiter of waiters) if (held.length >= waiter.count) waiter.resolve();
    });
  };
  const writes: Buffer[][] = [];
  const writeCallbacks: (() => void)[] = [];
  const accepted = new Promise<{ socket: Socket; connection: KafkaConnection }>((resolve) => {
    server = createServer((socket) => {
      recordWrites(socket, writes, options.holdWriteCallbacks ? writeCallbacks : undefined);
      const connection = new KafkaConnection(socket, {
        handlers: new Map([[ApiKey.ApiVersions, handler]]),
        maxRequestBytes: 1 << 20,
        maxInFlightRequests: options.maxInFlightRequests ?? 64,
        logger: silentLogger,
      });
      resolve({ socket, connection });
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server!.address();
  const client = await RawKafkaClient.connect(typeof address === 'object' ? address!.port : 0);
  clients.push(client);
  const { socket, connection } = await accepted;
  return {
    client,
    serverSocket: socket,
    connection,
    held,
    writes,
    writeCallbacks,
    holding: (count) =>
      held.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
  };
}

function send(client: RawKafkaClient): Promise<ApiVersionsResponse> {
  return client.send<ApiVersionsResponse>(ApiKey.ApiVersions, 3, API_VERSIONS_REQUEST);
}

/** Lets the event loop run a few turns (pending I/O and timers included). */
function turns(n = 5): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number): void => {
      if (left === 0) resolve();
      else setTimeout(() => step(left - 1), 1);
    };
    step(n);
  });
}

describe('KafkaConnection', () => {
  it('writes the responses finished in one turn together, in request order', async () => {
    const h = await harness();
    const answers = [send(h.client), send(h.client), send(h.client), send(h.client)];
    await h.holding(4);
    for (const i of [3, 1, 0, 2]) h.held[i]!.answer();
    // RawKafkaClient rejects a response whose correlation id is not the oldest request's.
    const responses = await Promise.all(answers);
    assert.equal(responses.length, 4);
    assert.equal(h.writes.length, 1, 'one writev for the four responses');
    assert.ok(h.writes[0]!.length >= 4);
    assert.deepEqual(
      h.writes[0]!.filter((chunk) => chunk.length >= 8).map((chunk) => chunk.readInt32BE(4)),
      [1, 2, 3, 4],
      'correlation ids in request order',
    );
  });

  it('holds finished responses behind an earlier unfinished one', async () => {
    const h = await harness();
    const answers = [send(h.client), send(h.client), send(h.client)];
    await h.holding(3);
    h.held[1]!.answer();
    h.held[2]!.answer();
    await turns();
    assert.equal(h.writes.length, 0, 'nothing written while request 1 is unanswered');
    assert.equal(h.connection.inFlight, 3);
    h.held[0]!.answer();
    await Promise.all(answers);
    assert.equal(h.writes.length, 1);
    assert.equal(h.connection.inFlight, 0);
  });

  it('sends nothing for a request answered with null (acks=0), keeping the order', async () => {
    const h = await harness();
    const first = send(h.client);
    h.client.sendWithoutResponse(ApiKey.ApiVersions, 3, API_VERSIONS_REQUEST);
    const third = send(h.client);
    await h.holding(3);
    h.held[2]!.answer();
    h.held[1]!.silence();
    h.held[0]!.answer();
    await Promise.all([first, third]);
    assert.equal(h.writes.length, 1);
    const ids = h.writes[0]!.filter((c) => c.length >= 8).map((c) => c.readInt32BE(4));
    assert.deepEqual(ids, [1, 3]);
  });

  it('closes when a handler fails, after writing the responses ready ahead of it', async () => {
    const h = await harness();
    const answers = [send(h.client), send(h.client), send(h.client)];
    await h.holding(3);
    h.held[2]!.answer();
    h.held[0]!.answer();
    h.held[1]!.fail(new Error('handler bug'));
    const [first, second, third] = await Promise.allSettled(answers);
    assert.equal(first!.status, 'fulfilled');
    assert.equal(second!.status, 'rejected');
    assert.equal(third!.status, 'rejected');
    await h.client.closed;
  });

  it('closes when a handler throws before returning', async () => {
    const h = await harness({ syncThrowFor: 2 });
    const answers = [send(h.client), send(h.client)];
    await h.holding(1);
    await h.client.closed;
    const [first, second] = await Promise.allSettled(answers);
    assert.equal(first!.status, 'rejected');
    assert.equal(second!.status, 'rejected');
  });

  it('stops reading while too many requests are in flight, and resumes when answered', async () => {
    const h = await harness({ maxInFlightRequests: 2 });
    const answers = [send(h.client), send(h.client), send(h.client)];
    await h.holding(2);
    await turns();
    assert.ok(h.serverSocket.isPaused(), 'reading paused at 2 in flight');
    for (let answered = 0; answered < 3; answered++) {
      await h.holding(answered + 1);
      h.held[answered]!.answer();
    }
    await Promise.all(answers);
    assert.ok(!h.serverSocket.isPaused(), 'reading resumed');
  });

  it('stops reading while the socket needs to drain, and resumes on drain', async () => {
    const h = await harness();
    let needDrain = true;
    Object.defineProperty(h.serverSocket, 'writableNeedDrain', { get: () => needDrain });
    const answer = send(h.client);
    await h.holding(1);
    h.held[0]!.answer();
    await answer;
    assert.ok(h.serverSocket.isPaused(), 'paused while the write buffer is over high water');
    needDrain = false;
    h.serverSocket.emit('drain');
    assert.ok(!h.serverSocket.isPaused(), 'resumed on drain');
    const next = send(h.client);
    await h.holding(2);
    h.held[1]!.answer();
    await next;
  });

  it('tells a handler its response was written only once the write callback ran', async () => {
    const h = await harness({ watch: true, holdWriteCallbacks: true });
    const answers = [send(h.client), send(h.client)];
    await h.holding(2);
    h.held[1]!.answer();
    h.held[0]!.answer();
    await Promise.all(answers); // the bytes went out: the client has both responses
    await turns();
    assert.equal(h.writes.length, 1, 'one writev for both responses');
    assert.deepEqual(
      h.held.map((held) => held.writtenCalls),
      [0, 0],
      'not written while the socket has not called back',
    );
    for (const callback of h.writeCallbacks.splice(0)) callback();
    assert.deepEqual(
      h.held.map((held) => held.writtenCalls),
      [1, 1],
    );
    h.connection.close();
    assert.deepEqual(
      h.held.map((held) => held.writtenCalls),
      [1, 1],
      'closing does not call them again',
    );
  });

  it('on close, releases written and finished responses at once and running ones when they settle', async () => {
    const h = await harness({ watch: true, holdWriteCallbacks: true });
    const answers = [send(h.client), send(h.client), send(h.client)];
    const settled = Promise.allSettled(answers);
    await h.holding(3);
    h.held[0]!.answer(); // written; its write callback is held
    await answers[0];
    h.held[2]!.answer(); // finished, queued behind request 1
    await turns();
    h.connection.close();
    assert.deepEqual(
      h.held.map((held) => held.writtenCalls),
      [1, 0, 1],
    );
    h.held[1]!.answer(); // the handler settles after the close
    await turns();
    for (const callback of h.writeCallbacks.splice(0)) callback();
    assert.deepEqual(
      h.held.map((held) => held.writtenCalls),
      [1, 1, 1],
      'each exactly once',
    );
    await settled;
  });

  it('releases at once a response answered with null, and one whose handler failed', async () => {
    const h = await harness({ watch: true });
    h.client.sendWithoutResponse(ApiKey.ApiVersions, 3, API_VERSIONS_REQUEST);
    const second = send(h.client);
    await h.holding(2);
    h.held[0]!.silence();
    await turns();
    assert.equal(h.held[0]!.writtenCalls, 1);
    h.held[1]!.fail(new Error('handler bug'));
    await assert.rejects(second);
    assert.equal(h.held[1]!.writtenCalls, 1);
  });
});

/** A server whose one Fetch answer is a response with 32 MiB of records. */
async function bigResponseServer(): Promise<{
  port: number;
  events: string[];
  serverSocket: () => Socket;
}> {
  const records = Buffer.alloc(BIG_RECORDS_BYTES, 7);
  const events: string[] = [];
  let serverSocket: Socket | undefined;
  const handler: AnyHandler = (context: RequestContext) => {
    context.response.onWritten(() =>
      events.push(`written with ${serverSocket!.writableLength} bytes queued`),
    );
    const response = defaultFetchResponse();
    response.responses = [
      {
        ...defaultFetchResponseFetchableTopicResponse(),
        topic: 't',
        partitions: [{ ...defaultFetchResponsePartitionData(), records }],
      },
    ];
    return response;
  };
  server = createServer((socket) => {
    serverSocket = socket;
    new KafkaConnection(socket, {
      handlers: new Map([[ApiKey.Fetch, handler]]),
      maxRequestBytes: 1 << 20,
      maxInFlightRequests: 64,
      logger: silentLogger,
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' ? address!.port : 0,
    events,
    serverSocket: () => serverSocket!,
  };
}

/**
 * A client that sends one Fetch and reads nothing: once the kernel's buffers are full,
 * the server's write of the answer waits. Resolves when it does.
 */
async function stalledClient(port: number, serverSocket: () => Socket | undefined) {
  const client = connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  client.pause();
  for (const chunk of encodeRequestFrame(ApiKey.Fetch, 12, 1, 'slow', fetchRequest('t', 0, 0n)))
    client.write(chunk);
  await until(() => (serverSocket()?.writableLength ?? 0) > 0);
  await turns(20);
  assert.ok(serverSocket()!.writableLength > 0, 'the response is stuck in the socket');
  return client;
}

const BIG_RECORDS_BYTES = 32 * 1024 * 1024;

/** Resolves once `condition` holds; fails after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'timed out');
    await turns(1);
  }
}

describe('KafkaConnection with a slow reader', () => {
  it("keeps a response's buffers until the kernel has taken its last byte", async () => {
    const { port, events, serverSocket } = await bigResponseServer();
    const client = await stalledClient(port, serverSocket);
    assert.deepEqual(events, [], 'not written while the client does not read');
    let received = 0;
    client.on('data', (chunk: Buffer) => (received += chunk.length));
    client.resume();
    await until(() => events.length > 0);
    assert.deepEqual(events, ['written with 0 bytes queued']);
    await until(() => received >= BIG_RECORDS_BYTES);
    client.destroy();
  });

  it('releases them when the client goes away before reading the response', async () => {
    const { port, events, serverSocket } = await bigResponseServer();
    const client = await stalledClient(port, serverSocket);
    assert.deepEqual(events, []);
    client.destroy();
    await until(() => events.length > 0);
    assert.equal(events.length, 1, 'released once the connection closed');
    assert.ok(serverSocket().destroyed);
  });
});

describe('KafkaConnection reading in place', () => {
  it('sees each request once when readInPlace falls back to data events', () => {
    // A socket without a handle cannot be taken over: readInPlace keeps it and listens
    // to its `data` events, and the connection must not listen a second time.
    const socket = new Socket();
    let calls = 0;
    const handler: AnyHandler = () => {
      calls++;
      return Promise.resolve(null);
    };
    const connection = new KafkaConnection(socket, {
      handlers: new Map([[ApiKey.ApiVersions, handler]]),
      maxRequestBytes: 1 << 20,
      maxInFlightRequests: 64,
      logger: silentLogger,
      readInPlace: true,
    });
    assert.equal(connection.socket, socket, 'the fallback keeps the accepted socket');
    const frame = encodeRequestFrame(ApiKey.ApiVersions, 3, 1, 'c', API_VERSIONS_REQUEST);
    // The connection dispatches a request as soon as its frame is split, in this call.
    socket.emit('data', Buffer.concat(frame));
    assert.equal(calls, 1);
    socket.destroy();
  });
});
