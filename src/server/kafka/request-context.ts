import type { Logger } from '../../common/logger.js';
import type { RequestHeader } from '../../protocol/kafka/index.js';

/** What a handler knows about the request it serves. */
export interface RequestContext {
  header: RequestHeader;
  apiVersion: number;
  /** Client address, for logs. */
  remote: string;
  logger: Logger;
  /** Hooks on the fate of this request's response; see ResponseHooks. */
  response: ResponseHooks;
}

/**
 * What a handler can learn about its response after returning it. See the contract at
 * the top of connection.ts.
 */
export interface ResponseHooks {
  /**
   * Runs `callback` exactly once, after the socket has taken every byte of the response,
   * or when the response will never be written (null response, failed handler, closed
   * connection), and never before the handler's result has settled. Buffers the
   * response refers to (pooled fetch reads) may be reused from then on.
   */
  onWritten(callback: () => void): void;
}
