/**
 * The Kafka listener: accepts connections and hands each to a KafkaConnection.
 *
 * Shutdown (`close`): stop accepting, let in-flight requests finish (bounded by
 * `drainTimeoutMs`), then destroy the remaining sockets. The caller closes storage after
 * this resolves, so no request touches a closed log.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { KafkaConnection } from './connection.js';
import { RequestBufferPool } from './request-buffer-pool.js';
import type { HandlerTable } from './handlers/index.js';

export interface KafkaServerOptions {
  host: string;
  port: number;
  handlers: HandlerTable;
  maxRequestBytes: number;
  logger: Logger;
}

export class KafkaServer {
  private readonly server: Server;
  private readonly connections = new Set<KafkaConnection>();
  private readonly sockets = new Set<Socket>();
  /** Large Produce frames, recycled across this server's connections. */
  private readonly requestBuffers = new RequestBufferPool();

  private constructor(private readonly options: KafkaServerOptions) {
    // pauseOnConnect: the connection takes the socket over before it reads (readInPlace).
    this.server = createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  static async listen(options: KafkaServerOptions): Promise<KafkaServer> {
    const server = new KafkaServer(options);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port, options.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(accepted: Socket): void {
    const connection = new KafkaConnection(accepted, {
      handlers: this.options.handlers,
      maxRequestBytes: this.options.maxRequestBytes,
      maxInFlightRequests: 64,
      logger: this.options.logger,
      requestBuffers: this.requestBuffers,
      readInPlace: true,
    });
    const socket = connection.socket;
    this.connections.add(connection);
    this.sockets.add(socket);
    socket.once('close', () => {
      this.connections.delete(connection);
      this.sockets.delete(socket);
    });
  }

  async close(drainTimeoutMs = 5000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = Date.now() + drainTimeoutMs;
    while ([...this.connections].some((c) => c.inFlight > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
