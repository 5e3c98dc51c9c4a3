/**
 * DeleteGroups (key 42), versions 0-2.
 *
 * Behaviour: per group, deletes an empty group with all its committed offsets (tombstones
 * in __consumer_offsets). A group with members gets NON_EMPTY_GROUP; one that does not
 * exist GROUP_ID_NOT_FOUND; COORDINATOR_LOAD_IN_PROGRESS while its shard loads.
 *
 * Version notes: v1 same as v0; v2 flexible.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
} from '../../../protocol/kafka/generated/messages/delete-groups.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

export function deleteGroupsHandler(
  services: KafkaServices,
): Handler<DeleteGroupsRequest, DeleteGroupsResponse> {
  return async (_context, request) => {
    const groups = services.groups;
    const results = await Promise.all(
      request.groupsNames.map(async (groupId) => ({
        groupId,
        errorCode: groups ? await groups.deleteGroup(groupId) : ErrorCode.COORDINATOR_NOT_AVAILABLE,
      })),
    );
    return { throttleTimeMs: 0, results };
  };
}
