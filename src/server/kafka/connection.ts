/**
 * One client connection speaking the Kafka protocol.
 *
 * - Frames are split from the stream (FrameSplitter); oversized or negative sizes close
 *   the connection without buffering the body.
 * - Requests are decoded and dispatched as they arrive, so several requests of one
 *   connection may be in flight at once (a long-polling Fetch does not hold up a
 *   Metadata request behind it on the broker side), but responses are written strictly in
 *   request order: the Java client pairs each response with its oldest in-flight request.
 * - Kafka's rules for bad input: an unknown API key, a version Weir does not serve or an
 *   unparsable request closes the connection; ApiVersions with a version above the
 *   broker's answers v0-format error 35 (UNSUPPORTED_VERSION) listing supported versions.
 *   A handler that throws unexpectedly is logged and the connection is closed: a client
 *   never receives a half-made response and the process never crashes. Before closing,
 *   the responses already finished ahead of the offending request are written.
 * - Backpressure: reading pauses while the socket's write buffer is over its high-water
 *   mark or too many requests are in flight, and resumes when both drain.
 * - Responses are written in batches: a finished response waits until the callback that
 *   finished it (and the promise jobs it started) is done, then every response ready at
 *   the head of the queue goes out together, corked into one writev. Under load many
 *   responses finish in one turn (a log write completes a group of produce requests), and
 *   one system call per response was the broker's largest cost.
 * - Produce frames of 128 KiB or more may be assembled in recycled buffers
 *   (request-buffer-pool.ts): the connection gives such a buffer back through the
 *   response-written contract below, so never before its request's handler has settled,
 *   even if the connection closes first.
 * - Response-written contract (RequestContext.response.onWritten): a handler may ask to
 *   be told when its response's bytes are no longer needed, to reuse buffers the response
 *   refers to without copying them (Fetch reads records into pooled buffers). Each
 *   callback runs exactly once, on the event-loop thread:
 *   - after the socket accepted the response: the write callback of its last chunk (in a
 *     corked writev of several responses, each response's own last chunk), which Node
 *     calls once libuv has handed the bytes to the kernel;
 *   - or at once when the response is null (acks=0) and nothing is written;
 *   - or when the connection closes (peer gone, socket error, bad input, failed handler)
 *     before that: a destroyed socket makes no further write system calls, so bytes
 *     queued in it are dead;
 *   - but never before the handler's result has settled, even if the connection closes
 *     earlier: a read may still be filling the buffers.
 *   A callback that throws is logged; the others still run.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../common/logger.js';
import {
  ApiKey,
  KafkaDecodeError,
  UnsupportedRequestError,
  decodeRequestFrame,
  encodeResponseFrame,
  isServed,
  peekRequestHeader,
  type AnyResponse,
} from '../../protocol/kafka/index.js';
import { unsupportedApiVersionsResponse } from './handlers/18-api-versions.js';
import { readInPlace } from '../../common/read-in-place.js';
import { FrameSplitter } from './frame-splitter.js';
import type { RequestBufferPool } from './request-buffer-pool.js';
import type { HandlerTable } from './handlers/index.js';
import type { RequestContext, ResponseHooks } from './request-context.js';

export interface ConnectionOptions {
  maxRequestBytes: number;
  maxInFlightRequests: number;
  handlers: HandlerTable;
  logger: Logger;
  /** Recycled buffers for large Produce frames, shared by the server's connections. */
  requestBuffers?: RequestBufferPool;
  /**
   * The socket was accepted by a server created with `pauseOnConnect` and may be taken
   * over to read into one reused buffer (common/read-in-place.ts); `socket` then names
   * the socket that replaced it.
   */
  readInPlace?: boolean;
}

/**
 * A response slot, one per request, in request order. `chunks` is the encoded response
 * once `done`; it stays null for a request answered with nothing (acks=0). The slot is
 * the request's ResponseHooks: it keeps the handler's onWritten callbacks until
 * `written()`.
 */
class Slot implements ResponseHooks {
  done: boolean;
  chunks: Buffer[] | null;
  #callbacks: (() => void)[] | null = null;
  #written = false;

  constructor(done: boolean, chunks: Buffer[] | null) {
    this.done = done;
    this.chunks = chunks;
  }

  /** True when a handler waits for this response to be written. */
  get watched(): boolean {
    return this.#callbacks !== null;
  }

  onWritten(callback: () => void): void {
    if (this.#written) callback();
    else (this.#callbacks ??= []).push(callback);
  }

  /** Runs the onWritten callbacks, once: the response's bytes are no longer needed. */
  written(logger: Logger): void {
    if (this.#written) return;
    this.#written = true;
    const callbacks = this.#callbacks;
    if (callbacks === null) return;
    this.#callbacks = null;
    for (const callback of callbacks) {
      try {
        callback();
      } catch (error) {
        logger.error('response onWritten callback failed', { error: String(error) });
      }
    }
  }
}

export class KafkaConnection {
  private readonly splitter: FrameSplitter;
  private readonly slots: Slot[] = [];
  /** Watched responses handed to the socket whose last write callback has not run. */
  private readonly writing = new Set<Slot>();
  private closed = false;
  private flushScheduled = false;
  private readonly remote: string;
  /** Made once: scheduling a flush allocates nothing per response. */
  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /** The connection's socket (with `readInPlace`, not the one passed in). */
  readonly socket: Socket;

  constructor(
    accepted: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.splitter = new FrameSplitter(
      options.maxRequestBytes,
      options.requestBuffers ?? null,
      options.readInPlace === true,
    );
    const onChunk = (chunk: Buffer): void => this.onData(chunk);
    // readInPlace delivers every chunk to onChunk itself, also when it falls back to
    // `data` events on the accepted socket; only the plain path subscribes here.
    const socket = options.readInPlace
      ? readInPlace(accepted, onChunk)
      : accepted.on('data', onChunk);
    this.socket = socket;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('drain', () => this.updateFlow());
    socket.on('error', () => this.close());
    socket.on('close', () => this.onClosed());
  }

  /** Number of requests received but not yet answered. */
  get inFlight(): number {
    return this.slots.length;
  }

  close(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.onClosed();
  }

  /**
   * Nothing more is written: responses handed to the socket and finished ones still
   * queued are released now; unfinished ones when their handler settles (onFrame).
   */
  private onClosed(): void {
    this.closed = true;
    const logger = this.options.logger;
    for (const slot of this.writing) slot.written(logger);
    this.writing.clear();
    for (const slot of this.slots) if (slot.done) slot.written(logger);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const splitter = this.splitter;
    splitter.push(chunk);
    for (let frame = splitter.next(); frame !== null; frame = splitter.next()) {
      const pooled = splitter.takePooled();
      this.onFrame(
        frame,
        pooled === null ? null : () => this.options.requestBuffers!.release(pooled),
      );
      if (this.closed) return;
    }
    const failure = splitter.failure;
    if (failure !== null) {
      this.options.logger.warn('closing connection: bad frame size', {
        remote: this.remote,
        size: failure.size,
        reason: failure.kind,
      });
      this.closeAfterReady();
      return;
    }
    this.updateFlow();
  }

  /**
   * Decodes and dispatches one request. `release`, when given, returns the frame's pooled
   * buffer (request-buffer-pool.ts): at once when no handler runs, otherwise as the
   * response's onWritten callback, which never runs before the handler has settled.
   */
  private onFrame(frame: Buffer, release: (() => void) | null): void {
    let decoded;
    try {
      decoded = decodeRequestFrame(frame);
    } catch (error) {
      this.onUndecodable(frame, error);
      release?.();
      return;
    }
    const { header, api, body } = decoded;
    const version = header.requestApiVersion;
    const handler = this.options.handlers.get(api.apiKey);
    if (handler === undefined || !isServed(api.apiKey, version)) {
      if (api.apiKey === ApiKey.ApiVersions) {
        this.respondNow(
          header.requestApiKey,
          0,
          header.correlationId,
          unsupportedApiVersionsResponse(),
        );
        return;
      }
      this.options.logger.warn('closing connection: API version not served', {
        remote: this.remote,
        api: api.name,
        version,
      });
      this.closeAfterReady();
      release?.();
      return;
    }
    const slot = new Slot(false, null);
    this.slots.push(slot);
    if (release !== null) slot.onWritten(release);
    const context: RequestContext = {
      header,
      apiVersion: version,
      remote: this.remote,
      logger: this.options.logger,
      response: slot,
    };
    const fail = (error: unknown): void => {
      this.options.logger.error('handler failed; closing connection', {
        remote: this.remote,
        api: api.name,
        version,
        error: error instanceof Error ? error.stack : String(error),
      });
      this.closeAfterReady();
      slot.written(this.options.logger);
    };
    let result: ReturnType<typeof handler>;
    try {
      result = handler(context, body);
    } catch (error) {
      fail(error);
      return;
    }
    const complete = (response: AnyResponse | null): void => {
      if (this.closed || response === null) slot.written(this.options.logger);
      if (this.closed) return;
      if (response !== null) {
        try {
          slot.chunks = encodeResponseFrame(api.apiKey, version, header.correlationId, response);
        } catch (error) {
          fail(error);
          return;
        }
      }
      slot.done = true;
      this.scheduleFlush();
    };
    // Handlers that answer at once skip the promise machinery.
    if (result instanceof Promise) result.then(complete, fail);
    else complete(result);
  }

  /** Frames that do not decode: ApiVersions gets error 35, anything else closes. */
  private onUndecodable(frame: Buffer, error: unknown): void {
    if (error instanceof UnsupportedRequestError || error instanceof KafkaDecodeError) {
      let peek;
      try {
        peek = peekRequestHeader(frame);
      } catch {
        peek = undefined;
      }
      if (peek?.apiKey === ApiKey.ApiVersions && error instanceof UnsupportedRequestError) {
        this.respondNow(
          ApiKey.ApiVersions,
          0,
          peek.correlationId,
          unsupportedApiVersionsResponse(),
        );
        return;
      }
      this.options.logger.warn('closing connection: undecodable request', {
        remote: this.remote,
        apiKey: peek?.apiKey,
        apiVersion: peek?.apiVersion,
        error: error.message,
      });
    } else {
      this.options.logger.error('unexpected decode failure', {
        remote: this.remote,
        error: String(error),
      });
    }
    this.closeAfterReady();
  }

  /** Queues an already-made response behind the requests before it. */
  private respondNow(
    apiKey: number,
    version: number,
    correlationId: number,
    body: AnyResponse,
  ): void {
    this.slots.push(new Slot(true, encodeResponseFrame(apiKey, version, correlationId, body)));
    this.scheduleFlush();
  }

  /**
   * Flushes once the current callback and the promise jobs it queued have run
   * (process.nextTick runs after the microtask queue drains), so every response finished
   * in this turn shares one write, with no added wait for the client.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.flushTick);
  }

  /** Writes every finished response at the head of the queue, in request order, at once. */
  private flush(): void {
    if (this.closed) return;
    const slots = this.slots;
    let ready = 0;
    while (ready < slots.length && slots[ready]!.done) ready++;
    if (ready > 0) {
      // Corked, the writes below are only queued; uncork hands them all to libuv as one
      // writev (acks=0 slots add nothing).
      const socket = this.socket;
      socket.cork();
      for (let i = 0; i < ready; i++) this.write(slots[i]!);
      socket.uncork();
      slots.splice(0, ready);
    }
    this.updateFlow();
  }

  /** Queues one response on the socket; a watched one is released by its last chunk. */
  private write(slot: Slot): void {
    const { socket } = this;
    const chunks = slot.chunks;
    if (!slot.watched) {
      if (chunks !== null) for (const chunk of chunks) socket.write(chunk);
      return;
    }
    if (chunks === null) return; // released when answered with null
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) socket.write(chunks[i]!);
    this.writing.add(slot);
    socket.write(chunks[last]!, () => {
      // Runs with an error too (socket destroyed first): the bytes are dead either way.
      this.writing.delete(slot);
      slot.written(this.options.logger);
    });
  }

  /**
   * Closes the connection for bad input or a failed handler, after writing the responses
   * that are ready ahead of the offending request (a flush may still be scheduled for
   * them); responses after it are never sent.
   */
  private closeAfterReady(): void {
    this.flush();
    this.close();
  }

  private updateFlow(): void {
    if (this.closed) return;
    const congested =
      this.socket.writableNeedDrain || this.slots.length >= this.options.maxInFlightRequests;
    if (congested && !this.socket.isPaused()) this.socket.pause();
    else if (!congested && this.socket.isPaused()) this.socket.resume();
  }
}
