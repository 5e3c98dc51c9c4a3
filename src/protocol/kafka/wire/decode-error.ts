import { CodedError } from '../../../common/errors.js';

/**
 * Thrown by every decoder when a frame cannot be parsed: a length that runs past the end of
 * the frame, a negative length that is not the null marker, a varint longer than allowed,
 * an invalid UTF-8 string, … Callers (the connection) catch it and answer with the
 * protocol's error or close the connection; it never escapes as a crash.
 */
export class KafkaDecodeError extends CodedError {
  /** Byte position in the frame where decoding stopped. */
  readonly position: number;

  constructor(message: string, position: number) {
    super('KAFKA_DECODE_ERROR', `${message} at byte ${position}`);
    this.name = 'KafkaDecodeError';
    this.position = position;
  }
}
