import type { AnyResponse } from '../../../protocol/kafka/index.js';
import type { RequestContext } from '../request-context.js';

/**
 * A handler serves one API key: decode has happened, the version is one Weir serves.
 * It returns the response body, or null when none is sent (Produce with acks=0).
 * Errors the protocol can express go in the response; a thrown error closes the
 * connection (and is logged), so throw only for broker bugs.
 */
export type Handler<Request = never, Response extends AnyResponse = AnyResponse> = (
  context: RequestContext,
  request: Request,
) => Promise<Response | null> | Response | null;

// Handlers are stored type-erased; each file declares its precise request/response types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = Handler<any, AnyResponse>;
