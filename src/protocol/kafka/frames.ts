/**
 * Kafka request and response frames: `int32 size`, header, body.
 *
 * Sans-I/O: these functions take and return Buffers. The connection layer splits the
 * byte stream into frames (reading the size prefix, enforcing socket.request.max.bytes)
 * and hands each frame body — everything after the size — to `decodeRequestFrame`.
 *
 * Header versions (RequestHeader.json / ResponseHeader.json):
 * - request header v2 when the API version is flexible, else v1 (v0 only for
 *   ControlledShutdown v0); ClientId keeps its int16 length even in v2;
 * - response header v1 when the API version is flexible, else v0 — except ApiVersions,
 *   whose response header is always v0 so a client can parse it before it knows which
 *   versions the broker speaks.
 */
import { CodedError } from '../../common/errors.js';
import {
  API_MESSAGE_TYPES,
  ApiKey,
  type AnyRequest,
  type AnyResponse,
  type ApiMessageType,
} from './generated/api-messages.js';
import {
  decodeRequestHeader,
  encodeRequestHeader,
  type RequestHeader,
} from './generated/messages/request-header.js';
import {
  decodeResponseHeader,
  encodeResponseHeader,
} from './generated/messages/response-header.js';
import { KafkaDecodeError } from './wire/decode-error.js';
import { Reader } from './wire/reader.js';
import { Writer } from './wire/writer.js';

export type { RequestHeader };

/** A request with an API key or version the schemas do not define (Kafka closes the connection; ApiVersions answers error 35). */
export class UnsupportedRequestError extends CodedError {
  readonly header: RequestHeader;

  constructor(header: RequestHeader, message: string) {
    super('KAFKA_UNSUPPORTED_REQUEST', message);
    this.name = 'UnsupportedRequestError';
    this.header = header;
  }
}

export interface DecodedRequest {
  header: RequestHeader;
  /** Header version the request used (1 or 2; 0 for ControlledShutdown v0). */
  headerVersion: number;
  api: ApiMessageType;
  body: AnyRequest;
}

function isFlexible(api: ApiMessageType, version: number): boolean {
  return api.firstFlexibleVersion !== null && version >= api.firstFlexibleVersion;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  const api = API_MESSAGE_TYPES.get(apiKey);
  if (api === undefined) return 1;
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexible(api, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  const api = API_MESSAGE_TYPES.get(apiKey);
  return api !== undefined && isFlexible(api, apiVersion) ? 1 : 0;
}

/**
 * Reads just the API key, version and correlation id (the first 8 bytes, common to every
 * header version), so a frame that fails later can still be answered or logged.
 */
export function peekRequestHeader(frame: Buffer): {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
} {
  if (frame.length < 8) throw new KafkaDecodeError('request header is truncated', frame.length);
  return {
    apiKey: frame.readInt16BE(0),
    apiVersion: frame.readInt16BE(2),
    correlationId: frame.readInt32BE(4),
  };
}

/**
 * Decodes one request frame (without its size prefix).
 * Throws UnsupportedRequestError for an API key/version outside the schemas, and
 * KafkaDecodeError for anything malformed; never anything else for bad input.
 */
export function decodeRequestFrame(frame: Buffer): DecodedRequest {
  const { apiKey, apiVersion } = peekRequestHeader(frame);
  const reader = new Reader(frame);
  const api = API_MESSAGE_TYPES.get(apiKey);
  if (api === undefined || apiVersion < api.lowestVersion || apiVersion > api.highestVersion) {
    // Unknown versions may use a header we cannot know; v1 covers the fields we report.
    const header = decodeRequestHeader(reader, 1);
    const what =
      api === undefined ? `unknown API key ${apiKey}` : `${api.name} v${apiVersion} is not defined`;
    throw new UnsupportedRequestError(header, what);
  }
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const header = decodeRequestHeader(reader, headerVersion);
  const body = api.decodeRequest(reader, apiVersion);
  if (reader.remaining !== 0) {
    throw new KafkaDecodeError(
      `${reader.remaining} bytes left after ${api.name} v${apiVersion}`,
      reader.offset,
    );
  }
  return { header, headerVersion, api, body };
}

/** Encodes a request frame, size prefix included, as chunks for a socket write. */
export function encodeRequestFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: AnyRequest,
): Buffer[] {
  const api = requireApi(apiKey);
  const w = new Writer();
  w.int32(0); // size, patched below
  const header: RequestHeader = {
    requestApiKey: apiKey,
    requestApiVersion: apiVersion,
    correlationId,
    clientId,
  };
  encodeRequestHeader(w, header, requestHeaderVersion(apiKey, apiVersion));
  api.encodeRequest(w, body, apiVersion);
  return withSizePrefix(w);
}

/** Encodes a response frame, size prefix included, as chunks for a socket write. */
export function encodeResponseFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: AnyResponse,
): Buffer[] {
  const api = requireApi(apiKey);
  const w = new Writer();
  w.int32(0);
  encodeResponseHeader(w, { correlationId }, responseHeaderVersion(apiKey, apiVersion));
  api.encodeResponse(w, body, apiVersion);
  return withSizePrefix(w);
}

/** Decodes a response frame (without its size prefix) for a request the caller sent. */
export function decodeResponseFrame(
  apiKey: number,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: AnyResponse } {
  const api = requireApi(apiKey);
  const reader = new Reader(frame);
  const { correlationId } = decodeResponseHeader(reader, responseHeaderVersion(apiKey, apiVersion));
  const body = api.decodeResponse(reader, apiVersion);
  if (reader.remaining !== 0) {
    throw new KafkaDecodeError(
      `${reader.remaining} bytes left after ${api.name} v${apiVersion} response`,
      reader.offset,
    );
  }
  return { correlationId, body };
}

function requireApi(apiKey: number): ApiMessageType {
  const api = API_MESSAGE_TYPES.get(apiKey);
  if (api === undefined) throw new CodedError('KAFKA_UNKNOWN_API_KEY', `unknown API key ${apiKey}`);
  return api;
}

/** Patches the frame's int32 size (the first chunk always holds it). */
function withSizePrefix(w: Writer): Buffer[] {
  const size = w.length - 4;
  const chunks = w.chunks();
  chunks[0]!.writeInt32BE(size, 0);
  return chunks;
}
