/**
 * Coordinators: the classic consumer-group coordinator (group/ is the pure state machine,
 * runtime/ runs it over the partitions of __consumer_offsets, offsets/ holds the record
 * formats). Transaction and share-group coordinators come later.
 */
export {
  DEFAULT_GROUP_CONFIG,
  groupConfigFrom,
  type GroupCoordinatorConfig,
} from './group/config.js';
export {
  GroupShard,
  decodeAssignment,
  isValidGroupId,
  type FetchedTopic,
  type GroupDescription,
  type GroupListing,
  type LeaveResult,
  type LeavingMember,
  type MemberDescription,
  type OffsetDeleteResult,
  type RequestMeta,
} from './group/shard.js';
export { GROUP_STATES, type GroupState } from './group/group.js';
export {
  GroupCoordinator,
  type GroupCoordinatorOptions,
  type LoadStats,
  type OffsetsPartition,
} from './runtime/group-coordinator.js';
export { CONSUMER_OFFSETS_TOPIC, partitionForGroup } from './offsets/partitioner.js';
