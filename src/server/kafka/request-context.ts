import type { Logger } from '../../common/logger.js';
import type { RequestHeader } from '../../protocol/kafka/index.js';

/** What a handler knows about the request it serves. */
export interface RequestContext {
  header: RequestHeader;
  apiVersion: number;
  /** Client address, for logs. */
  remote: string;
  logger: Logger;
}
