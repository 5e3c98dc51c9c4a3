/**
 * ApiVersions (key 18), versions 0-4.
 *
 * Behaviour: lists every API key Weir serves with the range it advertises (see
 * protocol/kafka/api-versions.ts: Produce and JoinGroup are advertised from v0 for
 * librdkafka's feature detection). Answered before anything else on a connection, without
 * authentication.
 *
 * Version notes:
 * - The response header is always v0 (no tagged fields), even for flexible v3+, so a
 *   client can read it before it knows the broker's versions (frames.ts handles this).
 * - A request above v4 cannot be parsed; the connection answers it with a v0-format body
 *   carrying error 35 (UNSUPPORTED_VERSION) and the supported ranges, and the client
 *   retries at the highest version listed for key 18 (`unsupportedApiVersionsResponse`).
 * - v3+ carries ClientSoftwareName/Version (logged) and returns SupportedFeatures/
 *   FinalizedFeatures as tagged fields; Weir finalizes no features (no KIP-890 TV2).
 */
import { ErrorCode, WEIR_API_SUPPORT } from '../../../protocol/kafka/index.js';
import type {
  ApiVersionsRequest,
  ApiVersionsResponse,
} from '../../../protocol/kafka/generated/messages/api-versions.js';
import type { Handler } from './handler.js';

function advertisedKeys(): ApiVersionsResponse['apiKeys'] {
  return WEIR_API_SUPPORT.map((support) => ({
    apiKey: support.apiKey,
    minVersion: support.advertised.min,
    maxVersion: support.advertised.max,
  }));
}

function response(errorCode: number): ApiVersionsResponse {
  return {
    errorCode,
    apiKeys: advertisedKeys(),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

/** The answer to an ApiVersions request whose version Weir cannot parse (sent as v0). */
export function unsupportedApiVersionsResponse(): ApiVersionsResponse {
  return response(ErrorCode.UNSUPPORTED_VERSION);
}

export const handleApiVersions: Handler<ApiVersionsRequest, ApiVersionsResponse> = (
  context,
  request,
) => {
  if (context.apiVersion >= 3 && request.clientSoftwareName !== '') {
    context.logger.debug('client software', {
      remote: context.remote,
      name: request.clientSoftwareName,
      version: request.clientSoftwareVersion,
    });
  }
  return response(ErrorCode.NONE);
};
