/**
 * JoinGroup (key 11), versions 0-9 (advertised from v0: librdkafka <= 2.11.0 enables its
 * group consumer on an exact v0 match; research/protocol.md rule 3).
 *
 * Behaviour (the classic group protocol, Kafka's GroupCoordinator): a member joins with
 * its protocol type and the protocols (assignors) it supports, each with opaque metadata.
 * The coordinator starts or joins a rebalance and parks the request until every member
 * has rejoined or the rebalance timeout passes (a new group first waits
 * group.initial.rebalance.delay.ms for more members). It then picks the protocol all
 * members support that most prefer, elects a leader, bumps the generation and answers
 * everyone; the leader also gets every member's metadata to compute the assignment it
 * sends in SyncGroup. A follower rejoining a Stable group unchanged gets the current
 * generation back without a rebalance.
 *
 * Errors: INVALID_GROUP_ID (empty id), INVALID_SESSION_TIMEOUT (outside
 * group.min/max.session.timeout.ms), INCONSISTENT_GROUP_PROTOCOL (no protocol type or
 * protocols, another type than the group's, or no protocol in common), UNKNOWN_MEMBER_ID,
 * FENCED_INSTANCE_ID, GROUP_MAX_SIZE_REACHED, MEMBER_ID_REQUIRED (v4+, see below),
 * COORDINATOR_LOAD_IN_PROGRESS; REBALANCE_IN_PROGRESS answers a JoinGroup superseded by a
 * retry from the same member.
 *
 * Version notes:
 * - v0 has no RebalanceTimeoutMs: the session timeout is used. v1+ RebalanceTimeoutMs.
 * - v2+ ThrottleTimeMs. v3 same as v2.
 * - v4+: a new member without a member id first gets MEMBER_ID_REQUIRED with its id, then
 *   joins with it (KIP-394); before v4 it joins at once.
 * - v5+ GroupInstanceId (static membership, KIP-345): a static member that rejoins without
 *   its member id (a restart) replaces its old incarnation, which is fenced, and in a
 *   Stable group gets the current generation and its old assignment — no rebalance.
 * - v6+ flexible. v7+ ProtocolType in the response and a nullable ProtocolName (older
 *   versions get "" for none). v8+ Reason (logged by Kafka, ignored here).
 * - v9 SkipAssignment (KIP-814): true only for a restarted static leader of a Stable group,
 *   which gets the member list to refresh its metadata but must not reassign; before v9
 *   such a leader is answered with the old leader id instead.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  JoinGroupRequest,
  JoinGroupResponse,
} from '../../../protocol/kafka/generated/messages/join-group.js';
import type { RequestContext } from '../request-context.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

/** Kafka's client host form: "/" + the address, without the port. */
export function clientHostOf(context: RequestContext): string {
  const remote = context.remote;
  const colon = remote.lastIndexOf(':');
  return `/${colon > 0 ? remote.slice(0, colon) : remote}`;
}

export function joinGroupHandler(
  services: KafkaServices,
): Handler<JoinGroupRequest, JoinGroupResponse> {
  return async (context, request) => {
    const version = context.apiVersion;
    const groups = services.groups;
    const response: JoinGroupResponse = groups
      ? await groups.joinGroup(
          version === 0 ? { ...request, rebalanceTimeoutMs: request.sessionTimeoutMs } : request,
          {
            clientId: context.header.clientId ?? '',
            clientHost: clientHostOf(context),
            apiVersion: version,
          },
        )
      : {
          throttleTimeMs: 0,
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
          generationId: -1,
          protocolType: null,
          protocolName: null,
          leader: '',
          skipAssignment: false,
          memberId: request.memberId,
          members: [],
        };
    if (version < 7 && response.protocolName === null) return { ...response, protocolName: '' };
    return response;
  };
}
