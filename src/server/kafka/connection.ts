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
import { FrameSplitter } from './frame-splitter.js';
import type { HandlerTable } from './handlers/index.js';
import type { RequestContext } from './request-context.js';

export interface ConnectionOptions {
  maxRequestBytes: number;
  maxInFlightRequests: number;
  handlers: HandlerTable;
  logger: Logger;
}

/**
 * A response slot, one per request, in request order. `chunks` is the encoded response
 * once `done`; it stays null for a request answered with nothing (acks=0).
 */
interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
}

export class KafkaConnection {
  private readonly splitter: FrameSplitter;
  private readonly slots: Slot[] = [];
  private closed = false;
  private flushScheduled = false;
  private readonly remote: string;
  /** Made once: scheduling a flush allocates nothing per response. */
  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.splitter = new FrameSplitter(options.maxRequestBytes);
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateFlow());
    socket.on('error', () => this.close());
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Number of requests received but not yet answered. */
  get inFlight(): number {
    return this.slots.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const splitter = this.splitter;
    splitter.push(chunk);
    for (let frame = splitter.next(); frame !== null; frame = splitter.next()) {
      this.onFrame(frame);
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

  private onFrame(frame: Buffer): void {
    let decoded;
    try {
      decoded = decodeRequestFrame(frame);
    } catch (error) {
      this.onUndecodable(frame, error);
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
      return;
    }
    const slot: Slot = { done: false, chunks: null };
    this.slots.push(slot);
    const context: RequestContext = {
      header,
      apiVersion: version,
      remote: this.remote,
      logger: this.options.logger,
    };
    const fail = (error: unknown): void => {
      this.options.logger.error('handler failed; closing connection', {
        remote: this.remote,
        api: api.name,
        version,
        error: error instanceof Error ? error.stack : String(error),
      });
      this.closeAfterReady();
    };
    let result: ReturnType<typeof handler>;
    try {
      result = handler(context, body);
    } catch (error) {
      fail(error);
      return;
    }
    const complete = (response: AnyResponse | null): void => {
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
    this.slots.push({
      done: true,
      chunks: encodeResponseFrame(apiKey, version, correlationId, body),
    });
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
      for (let i = 0; i < ready; i++) {
        const chunks = slots[i]!.chunks;
        if (chunks !== null) for (const chunk of chunks) socket.write(chunk);
      }
      socket.uncork();
      slots.splice(0, ready);
    }
    this.updateFlow();
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
