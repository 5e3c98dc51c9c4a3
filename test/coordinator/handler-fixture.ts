/**
 * Set-up for the group handler tests: a real LocalCluster on the in-memory file system
 * (topic metadata), a GroupCoordinator over in-memory __consumer_offsets partitions (the
 * handlers' behaviour does not depend on storage; the interop tests run the real log),
 * and the group APIs' handlers; requests and responses go through the generated codecs at
 * the version under test (admin-fixture's `call`).
 */
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/common/logger.js';
import {
  DEFAULT_GROUP_CONFIG,
  type GroupCoordinatorConfig,
} from '../../src/coordinator/group/config.js';
import { GroupCoordinator } from '../../src/coordinator/index.js';
import { ApiKey, ErrorCode } from '../../src/protocol/kafka/index.js';
import type { JoinGroupResponse } from '../../src/protocol/kafka/generated/messages/join-group.js';
import type { SyncGroupResponse } from '../../src/protocol/kafka/generated/messages/sync-group.js';
import { createHandlers, type HandlerTable } from '../../src/server/kafka/handlers/index.js';
import type { KafkaServices } from '../../src/server/kafka/services.js';
import { call, openCluster, type Fixture } from '../server/kafka/handlers/admin-fixture.js';
import { MemoryPartition } from './memory-partition.js';
import { assignment, subscription } from './shard-harness.js';

export interface GroupFixture extends Fixture {
  groups: GroupCoordinator;
  handlers: HandlerTable;
  /** Sends `request` to the handler of `apiKey` at `version`, through the codecs. */
  send<Res>(apiKey: number, version: number, request: unknown): Promise<Res>;
}

export async function openGroupFixture(
  overrides: Partial<GroupCoordinatorConfig> = {},
): Promise<GroupFixture> {
  const fixture = await openCluster();
  const config: GroupCoordinatorConfig = {
    ...DEFAULT_GROUP_CONFIG,
    offsetsTopicPartitions: 3,
    initialRebalanceDelayMs: 0,
    ...overrides,
  };
  await fixture.cluster.createTopic({
    name: 't',
    partitions: 4,
    replicationFactor: -1,
    configs: {},
  });
  const partitions = Array.from(
    { length: config.offsetsTopicPartitions },
    () => new MemoryPartition(),
  );
  const groups = new GroupCoordinator({ config, partitions, logger: silentLogger });
  await groups.start();
  const services: KafkaServices = { ...fixture.services, groups };
  const handlers = createHandlers(services);
  return {
    ...fixture,
    services,
    groups,
    handlers,
    send: <Res>(apiKey: number, version: number, request: unknown) =>
      call(handlers.get(apiKey)! as never, apiKey, version, request as never) as Promise<Res>,
    close: async () => {
      await groups.close();
      await fixture.close();
    },
  };
}

export function joinRequest(groupId: string, memberId = '', extra: Record<string, unknown> = {}) {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    reason: null,
    ...extra,
  };
}

/** A one-member group at `version` (JoinGroup, then the leader's SyncGroup). */
export async function formGroup(
  f: GroupFixture,
  groupId: string,
  version = 5,
): Promise<{ memberId: string; generationId: number }> {
  let joined = await f.send<JoinGroupResponse>(ApiKey.JoinGroup, version, joinRequest(groupId));
  if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
    joined = await f.send<JoinGroupResponse>(
      ApiKey.JoinGroup,
      version,
      joinRequest(groupId, joined.memberId),
    );
  }
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const synced = await f.send<SyncGroupResponse>(ApiKey.SyncGroup, Math.min(version, 5), {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [{ memberId: joined.memberId, assignment: assignment({ t: [0, 1, 2, 3] }) }],
  });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  return { memberId: joined.memberId, generationId: joined.generationId };
}
