/**
 * Which API versions Weir serves and which it advertises in ApiVersions.
 *
 * The two differ only where clients need it (research/protocol.md, rule 3): Produce is
 * advertised from v0 although v0-2 (message formats 0/1) are rejected, and JoinGroup from
 * v0, because librdkafka <= 2.11.0 enables features (compression, the group consumer) by
 * exact matches on advertised minimum versions. Everything else advertises exactly what is
 * served, and nothing is advertised that is not served (rule 9): a client opts into an API
 * merely because its key is listed.
 *
 * This is the phase-1 surface (protocol.md §7). Handlers are added per key by the broker;
 * a key belongs here only once its handler serves every version in `served`.
 */
import { API_MESSAGE_TYPES, ApiKey } from './generated/api-messages.js';

export interface VersionRange {
  min: number;
  max: number;
}

export interface ApiSupport {
  apiKey: number;
  served: VersionRange;
  advertised: VersionRange;
}

const range = (min: number, max: number): VersionRange => ({ min, max });
const same = (apiKey: number, min: number, max: number): ApiSupport => ({
  apiKey,
  served: range(min, max),
  advertised: range(min, max),
});

export const WEIR_API_SUPPORT: readonly ApiSupport[] = [
  { apiKey: ApiKey.Produce, served: range(3, 12), advertised: range(0, 12) },
  same(ApiKey.Fetch, 4, 17),
  same(ApiKey.ListOffsets, 1, 7),
  same(ApiKey.Metadata, 0, 12),
  same(ApiKey.OffsetCommit, 2, 9),
  same(ApiKey.OffsetFetch, 1, 9),
  same(ApiKey.FindCoordinator, 0, 6),
  { apiKey: ApiKey.JoinGroup, served: range(0, 9), advertised: range(0, 9) },
  same(ApiKey.Heartbeat, 0, 4),
  same(ApiKey.LeaveGroup, 0, 5),
  same(ApiKey.SyncGroup, 0, 5),
  same(ApiKey.DescribeGroups, 0, 5),
  same(ApiKey.ListGroups, 0, 5),
  same(ApiKey.ApiVersions, 0, 4),
  same(ApiKey.CreateTopics, 2, 7),
  same(ApiKey.DeleteTopics, 1, 6),
  same(ApiKey.DeleteRecords, 0, 2),
  same(ApiKey.InitProducerId, 0, 5),
  same(ApiKey.OffsetForLeaderEpoch, 2, 4),
  same(ApiKey.DescribeConfigs, 1, 4),
  same(ApiKey.AlterConfigs, 0, 2),
  same(ApiKey.DescribeLogDirs, 1, 4),
  same(ApiKey.CreatePartitions, 0, 3),
  same(ApiKey.DeleteGroups, 0, 2),
  same(ApiKey.IncrementalAlterConfigs, 0, 1),
  same(ApiKey.OffsetDelete, 0, 0),
  same(ApiKey.DescribeClientQuotas, 0, 0),
  same(ApiKey.DescribeCluster, 0, 1),
];

const BY_KEY = new Map(WEIR_API_SUPPORT.map((support) => [support.apiKey, support]));

/** Weir's support for `apiKey`, or undefined when Weir does not serve that API. */
export function apiSupport(apiKey: number): ApiSupport | undefined {
  return BY_KEY.get(apiKey);
}

/** True when Weir serves `apiKey` at `version` (the connection closes otherwise). */
export function isServed(apiKey: number, version: number): boolean {
  const support = BY_KEY.get(apiKey);
  return support !== undefined && version >= support.served.min && version <= support.served.max;
}

/** The name Kafka uses for an API key, e.g. "Produce". */
export function apiName(apiKey: number): string {
  return API_MESSAGE_TYPES.get(apiKey)?.name ?? `Unknown(${apiKey})`;
}
