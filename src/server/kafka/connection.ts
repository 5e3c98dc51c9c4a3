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
 *   never receives a half-made response and the process never crashes.
 * - Backpressure: reading pauses while the socket's write buffer is over its high-water
 *   mark or too many requests are in flight, and resumes when both drain.
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

/** A response slot: filled when the handler finishes; `null` means "send nothing" (acks=0). */
interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
}

export class KafkaConnection {
  private readonly splitter: FrameSplitter;
  private readonly slots: Slot[] = [];
  private closed = false;
  private readonly remote: string;

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
    for (const event of this.splitter.push(chunk)) {
      if (event.kind !== 'frame') {
        this.options.logger.warn('closing connection: bad frame size', {
          remote: this.remote,
          size: event.size,
          reason: event.kind,
        });
        this.close();
        return;
      }
      this.onFrame(event.frame);
      if (this.closed) return;
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
      this.close();
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
    let result: Promise<AnyResponse | null>;
    try {
      result = Promise.resolve(handler(context, body));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (response) => {
        slot.chunks =
          response === null
            ? null
            : encodeResponseFrame(api.apiKey, version, header.correlationId, response);
        slot.done = true;
        this.flush();
      },
      (error: unknown) => {
        this.options.logger.error('handler failed; closing connection', {
          remote: this.remote,
          api: api.name,
          version,
          error: error instanceof Error ? error.stack : String(error),
        });
        this.close();
      },
    );
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
    this.close();
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
    this.flush();
  }

  /** Writes every finished response at the head of the queue, in request order. */
  private flush(): void {
    if (this.closed) return;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (slot.chunks === null) continue;
      if (slot.chunks.length === 1) this.socket.write(slot.chunks[0]!);
      else {
        this.socket.cork();
        for (const chunk of slot.chunks) this.socket.write(chunk);
        this.socket.uncork();
      }
    }
    this.updateFlow();
  }

  private updateFlow(): void {
    if (this.closed) return;
    const congested =
      this.socket.writableNeedDrain || this.slots.length >= this.options.maxInFlightRequests;
    if (congested && !this.socket.isPaused()) this.socket.pause();
    else if (!congested && this.socket.isPaused()) this.socket.resume();
  }
}
