/**
 * Errors of the CLI's Kafka client. Every failure the client raises on purpose is a
 * ClientError with a stable code and a one-line message that names what failed (the broker
 * address, the topic, the group), so the CLI can print it as is.
 */
import { CodedError } from '../../common/errors.js';
import { ErrorCode, kafkaError } from '../../protocol/kafka/index.js';

export type ClientErrorCode =
  | 'WEIR_CLIENT_UNREACHABLE'
  | 'WEIR_CLIENT_TIMEOUT'
  | 'WEIR_CLIENT_CONNECTION_CLOSED'
  | 'WEIR_CLIENT_UNSUPPORTED_API'
  | 'WEIR_CLIENT_PROTOCOL'
  | 'WEIR_CLIENT_BROKER_ERROR'
  | 'WEIR_CLIENT_UNKNOWN_TOPIC'
  | 'WEIR_CLIENT_INVALID';

export class ClientError extends CodedError {
  declare readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ClientError';
  }
}

/** A Kafka error code returned by a broker, e.g. TOPIC_ALREADY_EXISTS. */
export class BrokerError extends ClientError {
  readonly errorCode: number;
  readonly errorName: string;
  readonly retriable: boolean;

  /**
   * `context` says what was asked, e.g. "create topic 'orders'"; the message appends the
   * error name and the broker's message. With `complete`, `context` is the whole message.
   */
  constructor(errorCode: number, context: string, brokerMessage?: string | null, complete = false) {
    const info = kafkaError(errorCode);
    const detail = brokerMessage && brokerMessage !== info.message ? `: ${brokerMessage}` : '';
    super(
      errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        ? 'WEIR_CLIENT_UNKNOWN_TOPIC'
        : 'WEIR_CLIENT_BROKER_ERROR',
      complete ? context : `${context}: ${info.name}${detail}`,
    );
    this.name = 'BrokerError';
    this.errorCode = errorCode;
    this.errorName = info.name;
    this.retriable = info.retriable;
  }
}

/** Throws a BrokerError unless `errorCode` is NONE. */
export function check(errorCode: number, context: string, message?: string | null): void {
  if (errorCode !== ErrorCode.NONE) throw new BrokerError(errorCode, context, message);
}

export function unknownTopic(topic: string): ClientError {
  return new ClientError('WEIR_CLIENT_UNKNOWN_TOPIC', `topic '${topic}' does not exist`);
}
