/**
 * The records of `__consumer_offsets`: committed offsets and group metadata, keyed and laid
 * out as Kafka lays them out (schemas/*.json beside this file), so the topic's bytes are
 * what Kafka's own tools expect.
 *
 * Key: int16 version, then
 *   - version 0 or 1: OffsetCommitKey   { group, topic, partition }
 *   - version 2:      GroupMetadataKey  { group }
 * Value: int16 version, then OffsetCommitValue (Weir writes v3, or v1 when a commit sets
 * its own retention) or GroupMetadataValue (Weir writes v3); a null value is a tombstone.
 *
 * Hand-written with the protocol's Reader/Writer until the code generator grows an entry
 * point for coordinator schemas; keep this file in step with schemas/*.json.
 */
import { Reader } from '../../protocol/kafka/wire/reader.js';
import { Writer } from '../../protocol/kafka/wire/writer.js';

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
    w.string(record.key.group);
    w.string(record.key.topic);
    w.int32(record.key.partition);
  } else {
    w.int16(GROUP_KEY_VERSION);
    w.string(record.group);
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
  if (value.expireTimestamp >= 0) {
    w.int16(OFFSET_VALUE_VERSION_WITH_EXPIRY);
    w.int64(value.offset);
    w.string(value.metadata);
    w.int64(BigInt(value.commitTimestamp));
    w.int64(BigInt(value.expireTimestamp));
    return;
  }
  w.int16(OFFSET_VALUE_VERSION);
  w.int64(value.offset);
  w.int32(value.leaderEpoch);
  w.string(value.metadata);
  w.int64(BigInt(value.commitTimestamp));
}

function encodeGroupValue(w: Writer, value: GroupValue): void {
  w.int16(GROUP_VALUE_VERSION);
  w.string(value.protocolType);
  w.int32(value.generationId);
  w.nullableString(value.protocolName);
  w.nullableString(value.leaderId);
  w.int64(BigInt(value.currentStateTimestamp));
  w.arrayLength(value.members.length, false);
  for (const member of value.members) {
    w.string(member.memberId);
    w.nullableString(member.groupInstanceId);
    w.string(member.clientId);
    w.string(member.clientHost);
    w.int32(member.rebalanceTimeoutMs);
    w.int32(member.sessionTimeoutMs);
    w.bytes(member.subscription);
    w.bytes(member.assignment);
  }
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
      const group = r.string();
      const topic = r.string();
      const partition = r.int32();
      return {
        kind: 'offset',
        key: { group, topic, partition },
        value: value === null ? null : decodeOffsetValue(new Reader(value)),
      };
    }
    if (version === 2) {
      const group = r.string();
      return {
        kind: 'group',
        group,
        value: value === null ? null : decodeGroupValue(new Reader(value)),
      };
    }
    return null;
  } catch (error) {
    if (error instanceof CoordinatorRecordError) throw error;
    throw new CoordinatorRecordError(`unreadable __consumer_offsets record: ${String(error)}`);
  }
}

function decodeOffsetValue(r: Reader): OffsetValue {
  const version = r.int16();
  if (version < 0 || version > 3)
    throw new CoordinatorRecordError(`offset value version ${version}`);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = Number(r.int64());
  const expireTimestamp = version === 1 ? Number(r.int64()) : -1;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

function decodeGroupValue(r: Reader): GroupValue {
  const version = r.int16();
  if (version < 0 || version > 3)
    throw new CoordinatorRecordError(`group value version ${version}`);
  const protocolType = r.string();
  const generationId = r.int32();
  const protocolName = r.nullableString();
  const leaderId = r.nullableString();
  const currentStateTimestamp = version >= 2 ? Number(r.int64()) : -1;
  const count = r.arrayLength(false, 20);
  const members: GroupMemberValue[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeout = version >= 1 ? r.int32() : -1;
    const sessionTimeoutMs = r.int32();
    const subscription = Buffer.from(r.bytes());
    const assignment = Buffer.from(r.bytes());
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeoutMs: rebalanceTimeout >= 0 ? rebalanceTimeout : sessionTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  return { protocolType, generationId, protocolName, leaderId, currentStateTimestamp, members };
}
