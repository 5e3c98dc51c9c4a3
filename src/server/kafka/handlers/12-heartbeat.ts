/**
 * Heartbeat (key 12), versions 0-4.
 *
 * Behaviour: tells the group coordinator the member is alive, which moves its session
 * deadline. Answers NONE in a Stable group (and while the assignment is being completed),
 * REBALANCE_IN_PROGRESS while the group prepares a rebalance (the member must rejoin),
 * ILLEGAL_GENERATION for a stale generation, UNKNOWN_MEMBER_ID for a member the group
 * does not have (or an unknown group), FENCED_INSTANCE_ID for a replaced static member,
 * INVALID_GROUP_ID for an empty group id; COORDINATOR_LOAD_IN_PROGRESS while the group's
 * __consumer_offsets partition loads.
 *
 * Version notes: v1+ ThrottleTimeMs; v2 same as v1; v3+ GroupInstanceId (static members);
 * v4 flexible.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  HeartbeatRequest,
  HeartbeatResponse,
} from '../../../protocol/kafka/generated/messages/heartbeat.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

export function heartbeatHandler(
  services: KafkaServices,
): Handler<HeartbeatRequest, HeartbeatResponse> {
  return async (_context, request) => {
    const groups = services.groups;
    const errorCode = groups
      ? await groups.heartbeat(request)
      : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return { throttleTimeMs: 0, errorCode };
  };
}
