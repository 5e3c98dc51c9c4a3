/**
 * The records of `__consumer_offsets`: committed offsets and group metadata, keyed and laid
 * out as Kafka lays them out (schemas/*.json beside this file, codecs generated into
 * generated/ by scripts/generate-kafka-codecs.mjs), so the topic's bytes are what Kafka's
 * own tools expect.
 *
 * Key: int16 version, then
 *   - version 0 or 1: OffsetCommitKey   { group, topic, partition }
 *   - version 2:      GroupMetadataKey  { group }
 * Value: int16 version, then OffsetCommitValue (Weir writes v3, or v1 when a commit sets
 * its own retention) or GroupMetadataValue (Weir writes v3); a null value is a tombstone.
 */
import { Reader } from '../../protocol/kafka/wire/reader.js';
import { Writer } from '../../protocol/kafka/wire/writer.js';
import { decodeGroupMetadataKey, encodeGroupMetadataKey } from './generated/group-metadata-key.js';
import {
  decodeGroupMetadataValue,
  encodeGroupMetadataValue,
} from './generated/group-metadata-value.js';
import { decodeOffsetCommitKey, encodeOffsetCommitKey } from './generated/offset-commit-key.js';
import {
  decodeOffsetCommitValue,
  encodeOffsetCommitValue,
} from './generated/offset-commit-value.js';

export interface OffsetKey {
  group: string;
  topic: string;
  partition: number;
}

export interface OffsetValue {
  offset: bigint;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** -1 unless the commit set its own retention (OffsetCommit v2-v4). */
  expireTimestamp: number;
}

export interface GroupMemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** The member's metadata for the selected protocol (opaque). */
  subscription: Buffer;
  /** The member's assignment (opaque). */
  assignment: Buffer;
}

export interface GroupValue {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  /** -1 when unknown (records older than version 2). */
  currentStateTimestamp: number;
  members: GroupMemberValue[];
}

export type CoordinatorRecord =
  | { kind: 'offset'; key: OffsetKey; value: OffsetValue | null }
  | { kind: 'group'; group: string; value: GroupValue | null };

const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
const OFFSET_VALUE_VERSION = 3;
const OFFSET_VALUE_VERSION_WITH_EXPIRY = 1;
const GROUP_VALUE_VERSION = 3;

/** A record whose key or value does not parse (the loader reports and skips it). */
export class CoordinatorRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoordinatorRecordError';
  }
}

export function encodeKey(record: CoordinatorRecord): Buffer {
  const w = new Writer(64);
  if (record.kind === 'offset') {
    w.int16(OFFSET_KEY_VERSION);
    encodeOffsetCommitKey(w, record.key, OFFSET_KEY_VERSION);
  } else {
    w.int16(GROUP_KEY_VERSION);
    encodeGroupMetadataKey(w, { group: record.group }, GROUP_KEY_VERSION);
  }
  return w.toBuffer();
}

export function encodeValue(record: CoordinatorRecord): Buffer | null {
  if (record.value === null) return null;
  const w = new Writer(record.kind === 'offset' ? 64 : 256);
  if (record.kind === 'offset') encodeOffsetValue(w, record.value);
  else encodeGroupValue(w, record.value);
  return w.toBuffer();
}

function encodeOffsetValue(w: Writer, value: OffsetValue): void {
  const version =
    value.expireTimestamp >= 0 ? OFFSET_VALUE_VERSION_WITH_EXPIRY : OFFSET_VALUE_VERSION;
  w.int16(version);
  encodeOffsetCommitValue(
    w,
    {
      offset: value.offset,
      leaderEpoch: value.leaderEpoch,
      metadata: value.metadata,
      commitTimestamp: BigInt(value.commitTimestamp),
      expireTimestamp: BigInt(value.expireTimestamp),
    },
    version,
  );
}

function encodeGroupValue(w: Writer, value: GroupValue): void {
  w.int16(GROUP_VALUE_VERSION);
  encodeGroupMetadataValue(
    w,
    {
      protocolType: value.protocolType,
      generation: value.generationId,
      protocol: value.protocolName,
      leader: value.leaderId,
      currentStateTimestamp: BigInt(value.currentStateTimestamp),
      members: value.members.map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        rebalanceTimeout: member.rebalanceTimeoutMs,
        sessionTimeout: member.sessionTimeoutMs,
        subscription: member.subscription,
        assignment: member.assignment,
      })),
    },
    GROUP_VALUE_VERSION,
  );
}

/**
 * Decodes one record of __consumer_offsets. Byte fields are copied (the caller's buffers
 * are read chunks). Returns null for a key version Weir does not know (newer Kafka record
 * types such as KIP-848 group records), which the loader skips; throws
 * CoordinatorRecordError for bytes that do not parse.
 */
export function decodeRecord(key: Buffer | null, value: Buffer | null): CoordinatorRecord | null {
  if (key === null) throw new CoordinatorRecordError('record without a key');
  try {
    const r = new Reader(key);
    const version = r.int16();
    if (version === 0 || version === 1) {
      return {
        kind: 'offset',
        key: decodeOffsetCommitKey(r, version),
        value: value === null ? null : decodeOffsetValue(new Reader(value)),
      };
    }
    if (version === 2) {
      return {
        kind: 'group',
        group: decodeGroupMetadataKey(r, version).group,
        value: value === null ? null : decodeGroupValue(new Reader(value)),
      };
    }
    return null;
  } catch (error) {
    if (error instanceof CoordinatorRecordError) throw error;
    throw new CoordinatorRecordError(`unreadable __consumer_offsets record: ${String(error)}`);
  }
}

function valueVersion(r: Reader, what: string): number {
  const version = r.int16();
  if (version < 0 || version > 3)
    throw new CoordinatorRecordError(`${what} value version ${version}`);
  return version;
}

function decodeOffsetValue(r: Reader): OffsetValue {
  const value = decodeOffsetCommitValue(r, valueVersion(r, 'offset'));
  return {
    offset: value.offset,
    leaderEpoch: value.leaderEpoch,
    metadata: value.metadata,
    commitTimestamp: Number(value.commitTimestamp),
    expireTimestamp: Number(value.expireTimestamp),
  };
}

function decodeGroupValue(r: Reader): GroupValue {
  const value = decodeGroupMetadataValue(r, valueVersion(r, 'group'));
  return {
    protocolType: value.protocolType,
    generationId: value.generation,
    protocolName: value.protocol,
    leaderId: value.leader,
    currentStateTimestamp: Number(value.currentStateTimestamp),
    members: value.members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      rebalanceTimeoutMs:
        member.rebalanceTimeout >= 0 ? member.rebalanceTimeout : member.sessionTimeout,
      sessionTimeoutMs: member.sessionTimeout,
      // Copied: decoded bytes are slices of a read chunk that must not be retained.
      subscription: Buffer.from(member.subscription),
      assignment: Buffer.from(member.assignment),
    })),
  };
}
