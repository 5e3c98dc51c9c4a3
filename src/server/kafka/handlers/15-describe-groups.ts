/**
 * DescribeGroups (key 15), versions 0-5.
 *
 * Behaviour: per group, its state (Empty, PreparingRebalance, CompletingRebalance,
 * Stable, Dead), protocol type and — when Stable — the selected protocol and each member's
 * metadata and assignment bytes (tools decode them with the consumer protocol; the
 * coordinator's own describeGroup also returns them decoded). Outside Stable the members
 * are listed without metadata or assignment, as in Kafka. A group that does not exist is
 * described as Dead with no members and no error. COORDINATOR_LOAD_IN_PROGRESS while the
 * group's shard loads.
 *
 * Version notes: v1+ ThrottleTimeMs; v2 same as v1; v3+ IncludeAuthorizedOperations and
 * AuthorizedOperations (Weir has no ACLs: everything a group allows, READ|DELETE|DESCRIBE,
 * when asked; INT32_MIN when not); v4+ GroupInstanceId per member; v5 flexible.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  DescribeGroupsResponseDescribedGroup,
} from '../../../protocol/kafka/generated/messages/describe-groups.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const NOT_REQUESTED = -2147483648;
/** Kafka's AclOperation codes: READ 3, DELETE 6, DESCRIBE 8. */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

export function describeGroupsHandler(
  services: KafkaServices,
): Handler<DescribeGroupsRequest, DescribeGroupsResponse> {
  return async (_context, request) => {
    const authorizedOperations = request.includeAuthorizedOperations
      ? GROUP_OPERATIONS
      : NOT_REQUESTED;
    const described = await Promise.all(
      request.groups.map(async (groupId): Promise<DescribeGroupsResponseDescribedGroup> => {
        const groups = services.groups;
        const result = groups
          ? await groups.describeGroup(groupId)
          : { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, group: null };
        const group = result.group;
        return {
          errorCode: result.errorCode,
          errorMessage: null,
          groupId,
          groupState: group?.state ?? 'Dead',
          protocolType: group?.protocolType ?? '',
          protocolData: group?.protocolName ?? '',
          members: (group?.members ?? []).map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
          authorizedOperations,
        };
      }),
    );
    return { throttleTimeMs: 0, groups: described };
  };
}
