/**
 * DescribeCluster (key 60), versions 0-1.
 *
 * Behaviour: describes the cluster as this broker sees it: the cluster id, the controller
 * (this broker: single-node mode) and the brokers (this one, at its advertised address).
 * ClusterAuthorizedOperations is INT32_MIN ("not provided"): Weir has no ACLs yet, and
 * Metadata answers the same.
 *
 * Version notes: v0 always describes brokers; v1 EndpointType: 1 (brokers) is served;
 * 2 (controllers) → MISMATCHED_ENDPOINT_TYPE, and any other value →
 * UNSUPPORTED_ENDPOINT_TYPE, with Kafka's messages (a Kafka broker answers exactly so;
 * the Java Admin asks for controllers only over bootstrap.controllers, which Weir has none
 * of). The error answers carry no cluster data, as in Kafka.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  DescribeClusterRequest,
  DescribeClusterResponse,
} from '../../../protocol/kafka/generated/messages/describe-cluster.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const BROKERS = 1;
const CONTROLLERS = 2;
const NOT_PROVIDED = -2147483648;

function failed(errorCode: number, errorMessage: string): DescribeClusterResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    endpointType: BROKERS,
    clusterId: '',
    controllerId: -1,
    brokers: [],
    clusterAuthorizedOperations: NOT_PROVIDED,
  };
}

export function describeClusterHandler(
  services: KafkaServices,
): Handler<DescribeClusterRequest, DescribeClusterResponse> {
  const { cluster } = services;

  return (_context, request) => {
    if (request.endpointType === CONTROLLERS) {
      return failed(
        ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
      );
    }
    if (request.endpointType !== BROKERS) {
      return failed(
        ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        `Unsupported endpoint type ${request.endpointType}`,
      );
    }
    const { nodeId, host, port, rack } = cluster.endpoint;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKERS,
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      brokers: [{ brokerId: nodeId, host, port, rack, isFenced: false }],
      clusterAuthorizedOperations: NOT_PROVIDED,
    };
  };
}
