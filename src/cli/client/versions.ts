/**
 * Which versions of each API this client can speak, and the negotiation with a broker's
 * ApiVersions answer: per API, the highest version both sides support.
 *
 * The generated codecs cover every version in Kafka's schemas; the ranges below are the
 * versions whose fields this client fills in and reads. Where a newer version names
 * topics by id only (Produce v13, OffsetCommit v10, OffsetFetch v10), the range stops
 * before it. Fetch v13+ names topics by id too, which the client takes from Metadata v10+.
 */
import { ApiKey, apiName } from '../../protocol/kafka/index.js';
import type { ApiVersionsResponseApiVersion } from '../../protocol/kafka/generated/messages/api-versions.js';
import { ClientError } from './errors.js';

export interface VersionRange {
  min: number;
  max: number;
}

export const CLIENT_VERSIONS: ReadonlyMap<number, VersionRange> = new Map([
  [ApiKey.Produce, { min: 3, max: 12 }],
  [ApiKey.Fetch, { min: 4, max: 18 }],
  [ApiKey.ListOffsets, { min: 1, max: 10 }],
  [ApiKey.Metadata, { min: 1, max: 13 }],
  [ApiKey.OffsetCommit, { min: 2, max: 9 }],
  [ApiKey.OffsetFetch, { min: 1, max: 9 }],
  [ApiKey.FindCoordinator, { min: 0, max: 6 }],
  [ApiKey.JoinGroup, { min: 0, max: 9 }],
  [ApiKey.Heartbeat, { min: 0, max: 4 }],
  [ApiKey.LeaveGroup, { min: 0, max: 5 }],
  [ApiKey.SyncGroup, { min: 0, max: 5 }],
  [ApiKey.DescribeGroups, { min: 0, max: 6 }],
  [ApiKey.ListGroups, { min: 0, max: 5 }],
  [ApiKey.ApiVersions, { min: 0, max: 4 }],
  [ApiKey.CreateTopics, { min: 2, max: 7 }],
  [ApiKey.DeleteTopics, { min: 1, max: 6 }],
  [ApiKey.DescribeConfigs, { min: 1, max: 4 }],
  [ApiKey.CreatePartitions, { min: 0, max: 3 }],
  [ApiKey.DeleteGroups, { min: 0, max: 2 }],
  [ApiKey.IncrementalAlterConfigs, { min: 0, max: 1 }],
  [ApiKey.DescribeLogDirs, { min: 0, max: 4 }],
]);

/** Fetch from v13 and Metadata from v10 identify topics by id. */
export const FIRST_TOPIC_ID_FETCH_VERSION = 13;

/**
 * The version to use per API key: the highest in both the client's and the broker's range.
 * APIs the broker does not list, or whose ranges do not overlap, are left out.
 */
export function negotiate(
  brokerApis: readonly ApiVersionsResponseApiVersion[],
): Map<number, number> {
  const chosen = new Map<number, number>();
  for (const { apiKey, minVersion, maxVersion } of brokerApis) {
    const ours = CLIENT_VERSIONS.get(apiKey);
    if (ours === undefined) continue;
    const version = Math.min(ours.max, maxVersion);
    if (version >= Math.max(ours.min, minVersion)) chosen.set(apiKey, version);
  }
  return chosen;
}

export function unsupportedApi(apiKey: number, address: string): ClientError {
  const ours = CLIENT_VERSIONS.get(apiKey);
  const range = ours ? ` (this client speaks v${ours.min}-${ours.max})` : '';
  return new ClientError(
    'WEIR_CLIENT_UNSUPPORTED_API',
    `broker ${address} does not support ${apiName(apiKey)}${range}`,
  );
}
