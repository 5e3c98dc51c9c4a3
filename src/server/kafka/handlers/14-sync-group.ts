/**
 * SyncGroup (key 14), versions 0-5.
 *
 * Behaviour: after a rebalance's JoinGroup, every member sends SyncGroup; the leader's
 * carries the assignments it computed (opaque bytes, any assignor). The coordinator
 * stores them in __consumer_offsets, then answers each member with its own assignment
 * (followers that synced first wait for the leader). In a Stable group a member simply
 * gets its current assignment. Errors: ILLEGAL_GENERATION (stale generation),
 * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS (a new rebalance started:
 * rejoin), INCONSISTENT_GROUP_PROTOCOL (v5 ProtocolType/ProtocolName differ from the
 * group's), INVALID_GROUP_ID (empty group id), COORDINATOR_LOAD_IN_PROGRESS,
 * NOT_COORDINATOR (the assignment could not be stored).
 *
 * Version notes: v1+ ThrottleTimeMs; v2 same as v1; v3+ GroupInstanceId; v4 flexible; v5
 * ProtocolType/ProtocolName in both directions (checked when given).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../../protocol/kafka/generated/messages/sync-group.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

export function syncGroupHandler(
  services: KafkaServices,
): Handler<SyncGroupRequest, SyncGroupResponse> {
  return async (_context, request) => {
    const groups = services.groups;
    if (!groups) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      };
    }
    return groups.syncGroup(request);
  };
}
