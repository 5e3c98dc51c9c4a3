/**
 * One TCP connection to one broker: framing, correlation ids, per-request timeouts and the
 * ApiVersions handshake that fixes the version used for each API on this connection.
 *
 * Kafka answers the requests on a connection in the order they were sent; responses are
 * still matched by correlation id, so a broker that broke that promise would produce a
 * protocol error rather than a response decoded with the wrong schema.
 *
 * Not safe to share across threads (there are none); any number of requests may be in
 * flight. After the first failure (socket error, timeout, undecodable frame) the
 * connection is dead: every pending and later request fails with that error.
 */
import { connect, type Socket } from 'node:net';
import {
  ApiKey,
  ErrorCode,
  decodeResponseFrame,
  encodeRequestFrame,
  type AnyRequest,
  type AnyResponse,
} from '../../protocol/kafka/index.js';
import type { ApiVersionsResponse } from '../../protocol/kafka/generated/messages/api-versions.js';
import { BrokerError, ClientError } from './errors.js';
import { FrameReader } from './frame-reader.js';
import { negotiate, unsupportedApi } from './versions.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Default 30 s; a request with its own timeout (Fetch maxWait) adds it to this. */
  requestTimeoutMs?: number;
}

interface Pending {
  apiKey: number;
  version: number;
  resolve: (body: AnyResponse) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  responseBuffer: ((size: number) => Buffer) | undefined;
}

/** Larger frames are refused as corrupt (Kafka's fetch.max.bytes default is 50 MiB). */
const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;
const CLIENT_SOFTWARE_VERSION = '0.1.0';

export class BrokerConnection {
  readonly address: string;
  readonly #socket: Socket;
  readonly #clientId: string;
  readonly #requestTimeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  #versions = new Map<number, number>();
  #nextCorrelationId = 1;
  #failure: ClientError | null = null;

  private constructor(
    socket: Socket,
    frames: FrameReader,
    address: string,
    options: ConnectionOptions,
  ) {
    this.#socket = socket;
    this.address = address;
    this.#clientId = options.clientId;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    socket.setNoDelay(true);
    frames.listen({
      allocateFrame: (size, correlationId) =>
        this.#pending.get(correlationId)?.responseBuffer?.(size) ?? Buffer.allocUnsafe(size),
      onFrame: (frame) => {
        this.#dispatch(frame);
        return this.#failure === null;
      },
      onInvalidSize: (size) =>
        this.#fail(
          new ClientError(
            'WEIR_CLIENT_PROTOCOL',
            `broker ${address} sent a frame of ${size} bytes`,
          ),
        ),
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.#fail(
        new ClientError(
          'WEIR_CLIENT_CONNECTION_CLOSED',
          `connection to ${address} failed: ${describeSocketError(error)}`,
        ),
      ),
    );
    socket.on('close', () =>
      this.#fail(
        new ClientError('WEIR_CLIENT_CONNECTION_CLOSED', `broker ${address} closed the connection`),
      ),
    );
  }

  /** Connects and negotiates API versions. Rejects with WEIR_CLIENT_UNREACHABLE. */
  static async open(options: ConnectionOptions): Promise<BrokerConnection> {
    const address = formatAddress(options.host, options.port);
    const frames = new FrameReader(MAX_RESPONSE_BYTES);
    const socket = await connectSocket(
      options.host,
      options.port,
      options.connectTimeoutMs ?? 10_000,
      address,
      frames,
    );
    const connection = new BrokerConnection(socket, frames, address, options);
    try {
      await connection.#negotiateVersions();
    } catch (error) {
      connection.close();
      if (error instanceof ClientError && error.code === 'WEIR_CLIENT_CONNECTION_CLOSED') {
        throw new ClientError(
          'WEIR_CLIENT_UNREACHABLE',
          `cannot reach broker at ${address}: ${error.message}`,
        );
      }
      throw error;
    }
    return connection;
  }

  /** The negotiated version of `apiKey`, or undefined when the broker does not serve it. */
  version(apiKey: number): number | undefined {
    return this.#versions.get(apiKey);
  }

  get isAlive(): boolean {
    return this.#failure === null;
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Sends a request built for the negotiated version and resolves with the response body.
   * `extraTimeoutMs` extends the timeout for requests the broker may hold (Fetch, JoinGroup).
   * `responseBuffer`, when given, supplies the buffer (exactly `size` bytes) the response
   * frame is read into; the body's byte fields are slices of it.
   */
  async send<R extends AnyResponse>(
    apiKey: number,
    build: (version: number) => AnyRequest,
    extraTimeoutMs = 0,
    responseBuffer?: (size: number) => Buffer,
  ): Promise<{ version: number; body: R }> {
    const version = this.#require(apiKey);
    const body = await this.#request(
      apiKey,
      version,
      build(version),
      extraTimeoutMs,
      responseBuffer,
    );
    return { version, body: body as R };
  }

  /**
   * Sends a request that gets no response (Produce with acks=0). The promise resolves once
   * its bytes are handed to the OS (or the connection failed): until then the buffers the
   * request refers to must not change.
   */
  sendOneWay(apiKey: number, build: (version: number) => AnyRequest): Promise<void> {
    const version = this.#require(apiKey);
    if (this.#failure) throw this.#failure;
    return new Promise((resolve) =>
      this.#write(apiKey, version, this.#nextCorrelationId++, build(version), () => resolve()),
    );
  }

  /**
   * Holds writes back until the matching `uncork`, so requests sent together leave in one
   * system call. Calls nest.
   */
  cork(): void {
    this.#socket.cork();
  }

  uncork(): void {
    this.#socket.uncork();
  }

  close(): void {
    this.#fail(
      new ClientError('WEIR_CLIENT_CONNECTION_CLOSED', `connection to ${this.address} closed`),
    );
  }

  #require(apiKey: number): number {
    const version = this.#versions.get(apiKey);
    if (version === undefined) throw unsupportedApi(apiKey, this.address);
    return version;
  }

  #request(
    apiKey: number,
    version: number,
    body: AnyRequest,
    extraTimeoutMs: number,
    responseBuffer?: (size: number) => Buffer,
  ): Promise<AnyResponse> {
    if (this.#failure) return Promise.reject(this.#failure);
    const correlationId = this.#nextCorrelationId++;
    return new Promise((resolve, reject) => {
      const timeoutMs = this.#requestTimeoutMs + extraTimeoutMs;
      const timer = setTimeout(() => {
        this.#fail(
          new ClientError(
            'WEIR_CLIENT_TIMEOUT',
            `broker ${this.address} did not answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(correlationId, {
        apiKey,
        version,
        resolve,
        reject,
        timer,
        responseBuffer,
      });
      this.#write(apiKey, version, correlationId, body);
    });
  }

  /** `onWritten` runs once the last chunk is handed to the OS, or the write failed. */
  #write(
    apiKey: number,
    version: number,
    correlationId: number,
    body: AnyRequest,
    onWritten?: () => void,
  ): void {
    const chunks = encodeRequestFrame(apiKey, version, correlationId, this.#clientId, body);
    if (chunks.length === 1) {
      this.#socket.write(chunks[0]!, onWritten);
      return;
    }
    this.#socket.cork();
    for (let i = 0; i < chunks.length - 1; i++) this.#socket.write(chunks[i]!);
    this.#socket.write(chunks[chunks.length - 1]!, onWritten);
    this.#socket.uncork();
  }

  /**
   * ApiVersions v3 first (it tells the broker our name); a broker that does not know v3
   * answers UNSUPPORTED_VERSION in a v0 body, so anything but success retries with v0.
   */
  async #negotiateVersions(): Promise<void> {
    const request = {
      clientSoftwareName: 'weir-cli',
      clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
    };
    let response: ApiVersionsResponse;
    try {
      response = (await this.#request(ApiKey.ApiVersions, 3, request, 0)) as ApiVersionsResponse;
    } catch (error) {
      if (!this.isAlive) throw error;
      response = { errorCode: ErrorCode.UNSUPPORTED_VERSION } as ApiVersionsResponse;
    }
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      response = (await this.#request(ApiKey.ApiVersions, 0, request, 0)) as ApiVersionsResponse;
    }
    if (response.errorCode !== ErrorCode.NONE) {
      throw new BrokerError(response.errorCode, `ApiVersions with ${this.address}`);
    }
    this.#versions = negotiate(response.apiKeys);
  }

  #dispatch(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const pending = this.#pending.get(correlationId);
    if (pending === undefined) {
      this.#fail(
        new ClientError(
          'WEIR_CLIENT_PROTOCOL',
          `broker ${this.address} answered unknown correlation id ${correlationId}`,
        ),
      );
      return;
    }
    this.#pending.delete(correlationId);
    clearTimeout(pending.timer);
    try {
      pending.resolve(decodeResponseFrame(pending.apiKey, pending.version, frame).body);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      pending.reject(
        new ClientError(
          'WEIR_CLIENT_PROTOCOL',
          `cannot decode the response from ${this.address}: ${reason}`,
        ),
      );
    }
  }

  #fail(error: ClientError): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
    this.#socket.destroy();
  }
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function connectSocket(
  host: string,
  port: number,
  timeoutMs: number,
  address: string,
  frames: FrameReader,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // Responses are read into FrameReader's buffers (no 'data' events, one copy fewer).
    const socket = connect({
      host,
      port,
      onread: {
        buffer: () => frames.buffer(),
        callback: (bytes) => {
          frames.read(bytes);
          return true;
        },
      },
    });
    const fail = (reason: string): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new ClientError('WEIR_CLIENT_UNREACHABLE', `cannot reach broker at ${address}: ${reason}`),
      );
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => fail(describeSocketError(error)));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
      return 'timed out';
    default:
      return error.code ?? error.message;
  }
}
