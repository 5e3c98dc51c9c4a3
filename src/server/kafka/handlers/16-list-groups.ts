/**
 * ListGroups (key 16), versions 0-5.
 *
 * Behaviour: every group the coordinator holds (all of them, single node), with its
 * protocol type ("" for groups that only store offsets). StatesFilter (v4+) keeps groups
 * in the named states (case-insensitive; empty = all); TypesFilter (v5+) keeps groups of
 * the named types — all of Weir's groups are "classic" (case-insensitive; empty = all).
 * ErrorCode COORDINATOR_LOAD_IN_PROGRESS while some shard still loads (the loaded ones are
 * listed).
 *
 * Version notes: v1+ ThrottleTimeMs; v2 same as v1; v3+ flexible; v4+ StatesFilter and
 * GroupState; v5+ TypesFilter and GroupType.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  ListGroupsRequest,
  ListGroupsResponse,
} from '../../../protocol/kafka/generated/messages/list-groups.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const CLASSIC = 'classic';

export function listGroupsHandler(
  services: KafkaServices,
): Handler<ListGroupsRequest, ListGroupsResponse> {
  return async (_context, request) => {
    const groups = services.groups;
    if (!groups)
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const listed = await groups.listGroups();
    const states = new Set(request.statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(request.typesFilter.map((t) => t.toLowerCase()));
    return {
      throttleTimeMs: 0,
      errorCode: listed.errorCode,
      groups: listed.groups
        .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
        .filter(() => types.size === 0 || types.has(CLASSIC))
        .map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          groupState: g.state,
          groupType: CLASSIC,
        })),
    };
  };
}
