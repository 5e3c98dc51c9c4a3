import { ClusterError } from '../../../cluster/cluster-error.js';
import { ErrorCode, type ErrorCodeName } from '../../../protocol/kafka/index.js';

/** The Kafka error code for a failed cluster operation (unknown failures: -1). */
export function errorCodeOf(error: unknown): number {
  if (error instanceof ClusterError) return ErrorCode[error.code as ErrorCodeName];
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** Message for the response's ErrorMessage field (null for unexpected failures). */
export function errorMessageOf(error: unknown): string | null {
  return error instanceof ClusterError ? error.message : null;
}
