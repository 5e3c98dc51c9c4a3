/**
 * LeaveGroup (key 13), versions 0-5.
 *
 * Behaviour: removes members from a group at once (instead of waiting for their session
 * to expire) and starts a rebalance among the others; the last member leaving empties the
 * group. A static member can be removed by its instance id alone (MemberId "", as admin
 * tools do). Per member: UNKNOWN_MEMBER_ID (not in the group, or the group does not
 * exist), FENCED_INSTANCE_ID (the instance id now belongs to another member id). Group
 * level: INVALID_GROUP_ID (empty id), COORDINATOR_LOAD_IN_PROGRESS.
 *
 * Version notes: v0-2 name one member (MemberId) and report its error at the top level;
 * v1+ ThrottleTimeMs; v3+ batched Members with GroupInstanceId and a result per member
 * (KIP-345); v4+ flexible; v5 per-member Reason (ignored).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  LeaveGroupRequest,
  LeaveGroupResponse,
} from '../../../protocol/kafka/generated/messages/leave-group.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

export function leaveGroupHandler(
  services: KafkaServices,
): Handler<LeaveGroupRequest, LeaveGroupResponse> {
  return async (context, request) => {
    const batched = context.apiVersion >= 3;
    const leaving = batched
      ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
      : [{ memberId: request.memberId, groupInstanceId: null }];
    const groups = services.groups;
    const result = groups
      ? await groups.leaveGroup(request.groupId, leaving)
      : { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    if (batched) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    const memberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode;
    const errorCode =
      result.errorCode !== ErrorCode.NONE ? result.errorCode : (memberError ?? ErrorCode.NONE);
    return { throttleTimeMs: 0, errorCode, members: [] };
  };
}
