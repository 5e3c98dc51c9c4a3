/**
 * The plain-Node processes that measure this machine's ceilings (issue 7, suite part 1).
 * Each role is one process; the suite starts a server role, waits for "ready <port>",
 * then runs the matching client role and reads the JSON line it prints.
 *
 *   append-server FILE [WRITES]   receive [u32 length][payload] frames over TCP and append
 *                                 the payloads to FILE: reads in place, payloads copied to
 *                                 recycled 256 KiB buffers, positional writes of at most
 *                                 512 KiB, WRITES (default 4) in flight (the produce
 *                                 path's ceiling)
 *   append-client PORT BYTES CHUNK  send BYTES as CHUNK-sized frames, then wait for the
 *                                 server's "appended" reply
 *   read-server FILE CHUNK        read FILE in CHUNK-sized pieces into fresh buffers and send
 *                                 them over TCP (the fetch path's ceiling)
 *   read-client PORT              count the bytes until the server closes
 *   echo-server                   echo every frame back (latency floor)
 *   ping-client PORT SIZE COUNT WARMUP  closed-loop round trips of SIZE-byte frames
 */
import * as fs from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { readInPlace } from '../../../src/common/read-in-place.js';
import { Histogram } from '../lib/histogram.js';

const [role, ...args] = process.argv.slice(2);

/**
 * The receiver's write pattern, the fastest of those tried on this project's VMs
 * (bench/RESULTS.md): 256 KiB staging buffers, at most 512 KiB per write call (Linux
 * sizes page-cache folios by the write, and 1 MiB+ folios are slow to allocate here),
 * four writes in flight at disjoint positions (libuv's four threads). One write of
 * everything queued, in flight alone, ran at a third of this in new memory.
 */
const STAGE_BYTES = 256 * 1024;
const MAX_WRITE_BYTES = 512 * 1024;
const DEFAULT_WRITES_IN_FLIGHT = 4;

function listenOnce(onSocket: (socket: Socket) => void, pauseOnConnect = false): void {
  const server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect }, (socket) => {
    socket.setNoDelay(true);
    server.close();
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({
      host: '127.0.0.1',
      port,
      noDelay: true,
      allowHalfOpen: true,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function seconds(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

/**
 * Receives as cheaply as a plain Node process can: the socket reads into one reused
 * buffer (as Weir's broker does, src/common/read-in-place.ts), payload bytes are copied
 * into recycled staging buffers, and full ones go to the file in positional writes of
 * at most MAX_WRITE_BYTES, `writesInFlight` at once. A fresh buffer per read, Node's
 * default, costs a full GC every few dozen MB.
 */
function appendServer(file: string, writesInFlight: number): void {
  const fd = fs.openSync(file, 'w');
  const free: Buffer[] = [];
  listenOnce((accepted) => {
    const header = Buffer.alloc(4);
    let headerFilled = 0;
    let payloadLeft = 0;
    let stage: Buffer | null = null;
    let staged = 0;
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    let written = 0;
    let nextPosition = 0;
    let writes = 0;
    let ended = false;
    let paused = false;
    let finished = false;
    const finish = (): void => {
      finished = true;
      fs.closeSync(fd);
      socket.end('A');
      process.stdout.write(`${JSON.stringify({ bytes: written })}\n`);
    };
    const flushStage = (): void => {
      if (stage === null || staged === 0) return;
      pending.push(stage.subarray(0, staged));
      pendingBytes += staged;
      stage = null;
      staged = 0;
    };
    const pump = (): void => {
      if (ended) flushStage();
      while (writes < writesInFlight && pending.length > 0) {
        let n = 0;
        let bytes = 0;
        while (n < pending.length && (n === 0 || bytes + pending[n]!.length <= MAX_WRITE_BYTES))
          bytes += pending[n++]!.length;
        const buffers = pending.splice(0, n);
        const position = nextPosition;
        nextPosition += bytes;
        pendingBytes -= bytes;
        writes++;
        fs.writev(fd, buffers, position, (error, bytes) => {
          if (error) throw error;
          written += bytes;
          writes--;
          for (const b of buffers) free.push(Buffer.from(b.buffer, b.byteOffset, STAGE_BYTES));
          if (paused) {
            paused = false;
            socket.resume();
          }
          pump();
        });
      }
      if (ended && writes === 0 && pending.length === 0 && !finished) finish();
    };
    const onChunk = (chunk: Buffer): void => {
      let at = 0;
      while (at < chunk.length) {
        if (payloadLeft === 0) {
          const n = Math.min(4 - headerFilled, chunk.length - at);
          chunk.copy(header, headerFilled, at, at + n);
          headerFilled += n;
          at += n;
          if (headerFilled === 4) {
            payloadLeft = header.readUInt32BE(0);
            headerFilled = 0;
          }
          continue;
        }
        stage ??= free.pop() ?? Buffer.allocUnsafeSlow(STAGE_BYTES);
        const take = Math.min(payloadLeft, chunk.length - at, STAGE_BYTES - staged);
        chunk.copy(stage, staged, at, at + take);
        staged += take;
        payloadLeft -= take;
        at += take;
        if (staged === STAGE_BYTES) flushStage();
      }
      if (pendingBytes > 64 * 1024 * 1024 && !paused) {
        paused = true;
        socket.pause();
      }
      pump();
    };
    const socket = readInPlace(accepted, onChunk);
    socket.on('end', () => {
      ended = true;
      pump();
    });
  }, true);
}

async function appendClient(port: number, total: number, chunk: number): Promise<void> {
  const frame = Buffer.alloc(4 + chunk, 0x61);
  frame.writeUInt32BE(chunk, 0);
  const socket = await connect(port);
  const started = process.hrtime.bigint();
  let sent = 0;
  const reply = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  while (sent < total) {
    sent += chunk;
    if (!socket.write(frame)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
  await reply;
  const s = seconds(started);
  process.stdout.write(
    `${JSON.stringify({ bytes: sent, seconds: s, mbPerSec: sent / 1e6 / s })}\n`,
  );
  socket.destroy();
}

function readServer(file: string, chunk: number): void {
  listenOnce((socket) => {
    void (async () => {
      const handle = await fs.promises.open(file, 'r');
      const size = (await handle.stat()).size;
      let position = 0;
      // Read the next chunk while the previous one is being sent.
      let next =
        size > 0
          ? handle.read(Buffer.allocUnsafe(Math.min(chunk, size)), 0, Math.min(chunk, size), 0)
          : null;
      while (next) {
        const { bytesRead, buffer } = await next;
        position += bytesRead;
        const length = Math.min(chunk, size - position);
        next = length > 0 ? handle.read(Buffer.allocUnsafe(length), 0, length, position) : null;
        if (!socket.write(buffer.subarray(0, bytesRead))) {
          await new Promise((resolve) => socket.once('drain', resolve));
        }
      }
      await handle.close();
      socket.end();
      process.stdout.write(`${JSON.stringify({ bytes: position })}\n`);
    })();
  });
}

async function readClient(port: number): Promise<void> {
  const started = process.hrtime.bigint();
  const socket = await connect(port);
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  await new Promise((resolve) => socket.once('end', resolve));
  const s = seconds(started);
  process.stdout.write(`${JSON.stringify({ bytes, seconds: s, mbPerSec: bytes / 1e6 / s })}\n`);
  socket.destroy();
}

function echoServer(): void {
  listenOnce((socket) => {
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => socket.end());
  });
}

async function pingClient(
  port: number,
  size: number,
  count: number,
  warmup: number,
): Promise<void> {
  const socket = await connect(port);
  const message = Buffer.alloc(size, 0x62);
  const histogram = new Histogram();
  let waiting: (() => void) | undefined;
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received >= size && waiting) {
      received -= size;
      const done = waiting;
      waiting = undefined;
      done();
    }
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < warmup + count; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      waiting = resolve;
      socket.write(message);
    });
    if (i >= warmup) histogram.recordSince(t0);
  }
  const s = seconds(started);
  socket.end();
  process.stdout.write(
    `${JSON.stringify({ roundTrips: count, perSec: (warmup + count) / s, latencyMs: histogram.summary() })}\n`,
  );
  socket.destroy();
}

switch (role) {
  case 'append-server':
    appendServer(args[0]!, Number(args[1] ?? DEFAULT_WRITES_IN_FLIGHT));
    break;
  case 'append-client':
    await appendClient(Number(args[0]), Number(args[1]), Number(args[2]));
    break;
  case 'read-server':
    readServer(args[0]!, Number(args[1]));
    break;
  case 'read-client':
    await readClient(Number(args[0]));
    break;
  case 'echo-server':
    echoServer();
    break;
  case 'ping-client':
    await pingClient(Number(args[0]), Number(args[1]), Number(args[2]), Number(args[3]));
    break;
  default:
    process.stderr.write(`ceiling-worker: unknown role ${role}\n`);
    process.exit(64);
}
