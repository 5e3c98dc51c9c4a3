/**
 * FindCoordinator (key 10), versions 0-6.
 *
 * Behaviour: in single-node mode this broker coordinates everything, so a group key (key
 * type 0) and a transactional id (key type 1) are both answered with this broker's id and
 * advertised address. Any other key type gets INVALID_REQUEST (Kafka's answer for a type
 * it does not know, e.g. share-group keys before KIP-932 is served). Group keys get
 * COORDINATOR_NOT_AVAILABLE when the broker runs without a group coordinator.
 *
 * Version notes: v0 has no KeyType (always a group); v1+ KeyType, ThrottleTimeMs and
 * ErrorMessage; v3+ flexible; v4+ batched: CoordinatorKeys in, one Coordinators entry per
 * key out (KIP-699); v5 and v6 same as v4 (v6 allows share-group key type 2, which Weir
 * answers INVALID_REQUEST).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  FindCoordinatorResponseCoordinator,
} from '../../../protocol/kafka/generated/messages/find-coordinator.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const GROUP_KEY = 0;
const TRANSACTION_KEY = 1;

export function findCoordinatorHandler(
  services: KafkaServices,
): Handler<FindCoordinatorRequest, FindCoordinatorResponse> {
  function find(key: string, keyType: number): FindCoordinatorResponseCoordinator {
    const failed = (errorCode: number, errorMessage: string) => ({
      key,
      nodeId: -1,
      host: '',
      port: -1,
      errorCode,
      errorMessage,
    });
    if (keyType !== GROUP_KEY && keyType !== TRANSACTION_KEY) {
      return failed(ErrorCode.INVALID_REQUEST, `unknown coordinator key type ${keyType}`);
    }
    if (keyType === GROUP_KEY && !services.groups) {
      return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'this broker runs no group coordinator');
    }
    const { nodeId, host, port } = services.cluster.endpoint;
    return { key, nodeId, host, port, errorCode: ErrorCode.NONE, errorMessage: null };
  }

  return (context, request) => {
    if (context.apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        nodeId: -1,
        host: '',
        port: -1,
        coordinators: request.coordinatorKeys.map((key) => find(key, request.keyType)),
      };
    }
    const found = find(request.key, request.keyType);
    return {
      throttleTimeMs: 0,
      errorCode: found.errorCode,
      errorMessage: found.errorMessage,
      nodeId: found.nodeId,
      host: found.host,
      port: found.port,
      coordinators: [],
    };
  };
}
