import { CodedError } from '../common/errors.js';

/**
 * A failed cluster operation. `code` is the Kafka error name the protocol answers with
 * (e.g. TOPIC_ALREADY_EXISTS), so front ends map it without a table of their own.
 */
export type ClusterErrorCode =
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'TOPIC_DELETION_DISABLED'
  | 'OFFSET_OUT_OF_RANGE'
  | 'POLICY_VIOLATION';

export class ClusterError extends CodedError {
  declare readonly code: ClusterErrorCode;

  constructor(code: ClusterErrorCode, message: string) {
    super(code, message);
    this.name = 'ClusterError';
  }
}
