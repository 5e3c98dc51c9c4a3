/** The Kafka protocol: generated codecs, frames, the error table and Weir's API table. */
export * from './frames.js';
export * from './errors.js';
export * from './api-versions.js';
export {
  API_MESSAGE_TYPES,
  ApiKey,
  type AnyRequest,
  type AnyResponse,
  type ApiMessageType,
} from './generated/api-messages.js';
export { KafkaDecodeError } from './wire/decode-error.js';
export { Reader } from './wire/reader.js';
export { Writer } from './wire/writer.js';
export { ZERO_UUID, uuidFromBytes, uuidToBytes } from './wire/uuid.js';
export type { UnknownTaggedField } from './wire/tagged-fields.js';
