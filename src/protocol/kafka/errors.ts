/**
 * Kafka's error codes (generated table) and lookups by code.
 */
import { ErrorCode, KAFKA_ERRORS, type KafkaErrorInfo } from './generated/errors.js';

export {
  ErrorCode,
  KAFKA_ERRORS,
  type ErrorCodeName,
  type KafkaErrorInfo,
} from './generated/errors.js';

const BY_CODE = new Map<number, KafkaErrorInfo>(KAFKA_ERRORS.map((e) => [e.code, e]));

/** The error for `code`; unknown codes map to UNKNOWN_SERVER_ERROR, as Kafka's clients do. */
export function kafkaError(code: number): KafkaErrorInfo {
  return BY_CODE.get(code) ?? BY_CODE.get(ErrorCode.UNKNOWN_SERVER_ERROR)!;
}

export function isRetriable(code: number): boolean {
  return kafkaError(code).retriable;
}
