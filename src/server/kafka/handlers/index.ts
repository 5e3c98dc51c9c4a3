/**
 * The handler table: one handler per API key Weir serves (files named NN-api-name.ts).
 * A key must appear here exactly when protocol/kafka/api-versions.ts lists it.
 */
import { ApiKey } from '../../../protocol/kafka/index.js';
import type { KafkaServices } from '../services.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { metadataHandler } from './03-metadata.js';
import { offsetCommitHandler } from './08-offset-commit.js';
import { offsetFetchHandler } from './09-offset-fetch.js';
import { findCoordinatorHandler } from './10-find-coordinator.js';
import { joinGroupHandler } from './11-join-group.js';
import { heartbeatHandler } from './12-heartbeat.js';
import { leaveGroupHandler } from './13-leave-group.js';
import { syncGroupHandler } from './14-sync-group.js';
import { describeGroupsHandler } from './15-describe-groups.js';
import { listGroupsHandler } from './16-list-groups.js';
import { handleApiVersions } from './18-api-versions.js';
import { createTopicsHandler } from './19-create-topics.js';
import { deleteTopicsHandler } from './20-delete-topics.js';
import { deleteRecordsHandler } from './21-delete-records.js';
import { initProducerIdHandler } from './22-init-producer-id.js';
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.js';
import { describeConfigsHandler } from './32-describe-configs.js';
import { alterConfigsHandler } from './33-alter-configs.js';
import { describeLogDirsHandler } from './35-describe-log-dirs.js';
import { createPartitionsHandler } from './37-create-partitions.js';
import { deleteGroupsHandler } from './42-delete-groups.js';
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.js';
import { offsetDeleteHandler } from './47-offset-delete.js';
import { describeClientQuotasHandler } from './48-describe-client-quotas.js';
import { describeClusterHandler } from './60-describe-cluster.js';
import type { AnyHandler } from './handler.js';

export type HandlerTable = ReadonlyMap<number, AnyHandler>;

export function createHandlers(services: KafkaServices): HandlerTable {
  return new Map<number, AnyHandler>([
    [ApiKey.Produce, produceHandler(services)],
    [ApiKey.Fetch, fetchHandler(services)],
    [ApiKey.ListOffsets, listOffsetsHandler(services)],
    [ApiKey.Metadata, metadataHandler(services)],
    [ApiKey.OffsetCommit, offsetCommitHandler(services)],
    [ApiKey.OffsetFetch, offsetFetchHandler(services)],
    [ApiKey.FindCoordinator, findCoordinatorHandler(services)],
    [ApiKey.JoinGroup, joinGroupHandler(services)],
    [ApiKey.Heartbeat, heartbeatHandler(services)],
    [ApiKey.LeaveGroup, leaveGroupHandler(services)],
    [ApiKey.SyncGroup, syncGroupHandler(services)],
    [ApiKey.DescribeGroups, describeGroupsHandler(services)],
    [ApiKey.ListGroups, listGroupsHandler(services)],
    [ApiKey.ApiVersions, handleApiVersions],
    [ApiKey.CreateTopics, createTopicsHandler(services)],
    [ApiKey.DeleteTopics, deleteTopicsHandler(services)],
    [ApiKey.DeleteRecords, deleteRecordsHandler(services)],
    [ApiKey.InitProducerId, initProducerIdHandler(services)],
    [ApiKey.OffsetForLeaderEpoch, offsetForLeaderEpochHandler(services)],
    [ApiKey.DescribeConfigs, describeConfigsHandler(services)],
    [ApiKey.AlterConfigs, alterConfigsHandler(services)],
    [ApiKey.DescribeLogDirs, describeLogDirsHandler(services)],
    [ApiKey.CreatePartitions, createPartitionsHandler(services)],
    [ApiKey.IncrementalAlterConfigs, incrementalAlterConfigsHandler(services)],
    [ApiKey.DeleteGroups, deleteGroupsHandler(services)],
    [ApiKey.OffsetDelete, offsetDeleteHandler(services)],
    [ApiKey.DescribeClientQuotas, describeClientQuotasHandler()],
    [ApiKey.DescribeCluster, describeClusterHandler(services)],
  ]);
}
