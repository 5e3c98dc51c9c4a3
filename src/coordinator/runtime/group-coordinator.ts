/**
 * The group coordinator's runtime: it owns one GroupShard (the pure state machine) per
 * partition of `__consumer_offsets`, runs each operation against the shard that owns the
 * group, appends the records the operation produced to that partition, and only then
 * answers — in operation order per shard, so a response never reveals state the log
 * does not hold (read-your-writes across members, and nothing acknowledged is lost on a
 * crash). It also keeps the shards' timers (one real timer per shard, set to the shard's
 * next deadline) and the periodic offset-retention check.
 *
 * Loading: `start()` replays every shard's partition from its log start to its high
 * watermark (records decoded, later records of a key replacing earlier ones) before the
 * shard serves; meanwhile its groups answer COORDINATOR_LOAD_IN_PROGRESS.
 *
 * Failure: when an append fails (the log latches its error), the operation's requests and
 * those queued behind it get NOT_COORDINATOR (clients look the coordinator up again and
 * retry), and the shard is reloaded from its log, dropping any state the log lacks.
 *
 * Who may call: any number of concurrent callers. Each operation runs synchronously on its
 * shard; only appends and response delivery are asynchronous.
 */
import type { Logger } from '../../common/logger.js';
import type { AppendOutcome, ReadResult } from '../../cluster/partition/partition.js';
import { ErrorCode } from '../../protocol/kafka/errors.js';
import type {
  JoinGroupRequest,
  JoinGroupResponse,
} from '../../protocol/kafka/generated/messages/join-group.js';
import type {
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/kafka/generated/messages/sync-group.js';
import type { HeartbeatRequest } from '../../protocol/kafka/generated/messages/heartbeat.js';
import type {
  OffsetCommitRequest,
  OffsetCommitResponseTopic,
} from '../../protocol/kafka/generated/messages/offset-commit.js';
import {
  CompressionType,
  RecordBatchView,
  buildUncompressedRecordBatch,
  readRecords,
  readUncompressedRecords,
  walkBatches,
} from '../../records/index.js';
import type { GroupCoordinatorConfig } from '../group/config.js';
import {
  GroupShard,
  type FetchedTopic,
  type GroupDescription,
  type GroupListing,
  type LeaveResult,
  type LeavingMember,
  type OffsetDeleteResult,
  type Outcome,
  type RequestMeta,
} from '../group/shard.js';
import {
  CoordinatorRecordError,
  decodeRecord,
  encodeKey,
  encodeValue,
  type CoordinatorRecord,
} from '../offsets/records.js';
import { partitionForGroup } from '../offsets/partitioner.js';

/** What the coordinator needs of a `__consumer_offsets` partition (cluster's Partition fits). */
export interface OffsetsPartition {
  append(batch: RecordBatchView): Promise<AppendOutcome>;
  read(offset: number, maxBytes: number): Promise<ReadResult>;
  readonly logStartOffset: number;
  readonly highWatermark: number;
}

export interface GroupCoordinatorOptions {
  config: GroupCoordinatorConfig;
  /** The partitions of __consumer_offsets, by index. */
  partitions: readonly OffsetsPartition[];
  logger: Logger;
  now?: () => number;
  /** Source of the random part of member ids (default crypto.randomUUID). */
  newUuid?: () => string;
}

export interface LoadStats {
  shards: number;
  records: number;
  groups: number;
  bytes: number;
  millis: number;
}

type ShardStatus = 'loading' | 'active' | 'failed';

interface ShardRuntime {
  index: number;
  partition: OffsetsPartition;
  machine: GroupShard;
  status: ShardStatus;
  /** Bumped on every (re)load: deliveries from an older epoch fail. */
  epoch: number;
  /** Resolves when every response so far has been delivered. */
  delivered: Promise<void>;
  timer: NodeJS.Timeout | undefined;
  timerAt: number | undefined;
}

interface Parked {
  resolve(response: unknown): void;
  fail(errorCode: number): void;
}

interface Delivery {
  handle: number;
  response: unknown;
}

export class GroupCoordinator {
  private readonly shards: ShardRuntime[];
  private readonly parked = new Map<number, Parked>();
  private nextHandle = 1;
  private readonly now: () => number;
  private readonly newUuid: () => string;
  private retentionTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: GroupCoordinatorOptions) {
    if (options.partitions.length === 0) throw new Error('__consumer_offsets has no partitions');
    this.now = options.now ?? Date.now;
    this.newUuid = options.newUuid ?? (() => crypto.randomUUID());
    this.shards = options.partitions.map((partition, index) => ({
      index,
      partition,
      machine: this.newMachine(index),
      status: 'loading',
      epoch: 0,
      delivered: Promise.resolve(),
      timer: undefined,
      timerAt: undefined,
    }));
  }

  get partitionCount(): number {
    return this.shards.length;
  }

  /** The __consumer_offsets partition (coordinator shard) that owns `groupId`. */
  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.shards.length);
  }

  /** Loads every shard from its partition and starts the retention check. */
  async start(): Promise<LoadStats> {
    const started = performance.now();
    const stats: LoadStats = {
      shards: this.shards.length,
      records: 0,
      groups: 0,
      bytes: 0,
      millis: 0,
    };
    for (const shard of this.shards) {
      const loaded = await this.load(shard);
      stats.records += loaded.records;
      stats.bytes += loaded.bytes;
      stats.groups += shard.machine.groupCount;
    }
    stats.millis = performance.now() - started;
    const interval = this.options.config.offsetsRetentionCheckIntervalMs;
    if (interval > 0) {
      this.retentionTimer = setInterval(() => this.expireOffsets(), interval);
      this.retentionTimer.unref();
    }
    return stats;
  }

  /**
   * Stops: parked JoinGroup/SyncGroup requests get NOT_COORDINATOR, later requests too,
   * timers stop, and pending appends finish before this resolves.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retentionTimer);
    for (const shard of this.shards) {
      clearTimeout(shard.timer);
      shard.timer = undefined;
    }
    for (const parked of [...this.parked.values()]) parked.fail(ErrorCode.NOT_COORDINATOR);
    this.parked.clear();
    await Promise.all(this.shards.map((shard) => shard.delivered));
  }

  // -- the classic group protocol -----------------------------------------------------

  joinGroup(request: JoinGroupRequest, meta: RequestMeta): Promise<JoinGroupResponse> {
    const fail = (errorCode: number): JoinGroupResponse => ({
      throttleTimeMs: 0,
      errorCode,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: '',
      skipAssignment: false,
      memberId: request.memberId,
      members: [],
    });
    return this.execute(request.groupId, fail, (shard, handle, now) =>
      shard.joinGroup(request, meta, handle, now),
    );
  }

  syncGroup(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    const fail = (errorCode: number): SyncGroupResponse => ({
      throttleTimeMs: 0,
      errorCode,
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    });
    return this.execute(request.groupId, fail, (shard, handle, now) =>
      shard.syncGroup(request, handle, now),
    );
  }

  /** Heartbeat: resolves with the error code. */
  heartbeat(request: HeartbeatRequest): Promise<number> {
    return this.execute(
      request.groupId,
      (code) => code,
      (shard, _handle, now) => shard.heartbeat(request, now),
    );
  }

  leaveGroup(groupId: string, members: readonly LeavingMember[]): Promise<LeaveResult> {
    return this.execute(
      groupId,
      (errorCode) => ({ errorCode, members: [] }),
      (shard, _handle, now) => shard.leaveGroup(groupId, members, now),
    );
  }

  /** OffsetCommit for partitions the caller checked exist (see GroupShard.commitOffsets). */
  commitOffsets(request: OffsetCommitRequest): Promise<OffsetCommitResponseTopic[]> {
    const fail = (errorCode: number): OffsetCommitResponseTopic[] =>
      request.topics.map((t) => ({
        name: t.name,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      }));
    return this.execute(request.groupId, fail, (shard, _handle, now) =>
      shard.commitOffsets(request, now),
    );
  }

  /**
   * OffsetFetch for one group. `requireStable` asks for no pending transactional
   * offsets; Weir has no transactional offset commits yet, so every offset is stable.
   */
  fetchOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitionIndexes: number[] }> | null,
    requireStable = false,
  ): Promise<{ errorCode: number; topics: FetchedTopic[] }> {
    void requireStable;
    return this.execute(
      groupId,
      (errorCode) => ({ errorCode, topics: [] }),
      (shard) =>
        read({ errorCode: ErrorCode.NONE as number, topics: shard.fetchOffsets(groupId, topics) }),
    );
  }

  describeGroup(groupId: string): Promise<{ errorCode: number; group: GroupDescription }> {
    const dead: GroupDescription = {
      groupId,
      state: 'Dead',
      protocolType: '',
      protocolName: '',
      generationId: -1,
      leaderId: null,
      members: [],
    };
    return this.execute(
      groupId,
      (errorCode) => ({ errorCode, group: dead }),
      (shard) => read({ errorCode: ErrorCode.NONE as number, group: shard.describeGroup(groupId) }),
    );
  }

  /** Every group of every loaded shard; errorCode tells when some shard is still loading. */
  async listGroups(): Promise<{ errorCode: number; groups: GroupListing[] }> {
    if (this.closed) return { errorCode: ErrorCode.NOT_COORDINATOR, groups: [] };
    let errorCode: number = ErrorCode.NONE;
    const groups: GroupListing[] = [];
    for (const shard of this.shards) {
      if (shard.status !== 'active') {
        errorCode =
          shard.status === 'loading'
            ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
            : ErrorCode.NOT_COORDINATOR;
        continue;
      }
      groups.push(...shard.machine.listGroups());
    }
    await Promise.all(this.shards.map((shard) => shard.delivered));
    return { errorCode, groups };
  }

  deleteGroup(groupId: string): Promise<number> {
    return this.execute(
      groupId,
      (code) => code,
      (shard) => shard.deleteGroup(groupId),
    );
  }

  deleteOffsets(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitions: number[] }>,
  ): Promise<OffsetDeleteResult> {
    return this.execute(
      groupId,
      (errorCode) => ({ errorCode, topics: [] }),
      (shard) => shard.deleteOffsets(groupId, topics),
    );
  }

  /** Runs the offset-retention check now (it also runs every offsets.retention.check.interval.ms). */
  expireOffsets(): void {
    if (this.closed) return;
    for (const shard of this.shards) {
      if (shard.status !== 'active') continue;
      this.apply(shard, shard.machine.expireOffsets(this.now()), []);
    }
  }

  /** Waits until every response so far has been sent (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.delivered));
  }

  // -- execution ----------------------------------------------------------------------

  private execute<R>(
    groupId: string,
    fail: (errorCode: number) => R,
    operation: (shard: GroupShard, handle: number, now: number) => Outcome<R>,
  ): Promise<R> {
    if (this.closed) return Promise.resolve(fail(ErrorCode.NOT_COORDINATOR));
    const shard = this.shards[this.partitionFor(groupId)]!;
    if (shard.status === 'loading')
      return Promise.resolve(fail(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
    if (shard.status !== 'active') return Promise.resolve(fail(ErrorCode.NOT_COORDINATOR));
    const handle = this.nextHandle++;
    return new Promise<R>((resolve) => {
      this.parked.set(handle, {
        resolve: (response) => resolve(response as R),
        fail: (errorCode) => resolve(fail(errorCode)),
      });
      let outcome: Outcome<R>;
      try {
        outcome = operation(shard.machine, handle, this.now());
      } catch (error) {
        // A bug in the state machine: its state may be half-changed, so reload it.
        this.options.logger.error('group coordinator operation failed', {
          groupId,
          partition: shard.index,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
        this.parked.delete(handle);
        resolve(fail(ErrorCode.UNKNOWN_SERVER_ERROR));
        void this.reload(shard);
        return;
      }
      const own: Delivery[] =
        outcome.response !== undefined ? [{ handle, response: outcome.response }] : [];
      this.apply(shard, outcome, own);
    });
  }

  /** Appends the outcome's records now (log order = operation order), delivers after. */
  private apply(shard: ShardRuntime, outcome: Outcome<unknown>, own: Delivery[]): void {
    const deliveries: Delivery[] = [...outcome.replies, ...own];
    const epoch = shard.epoch;
    const appended =
      outcome.records.length > 0 ? this.append(shard, outcome.records) : Promise.resolve(true);
    shard.delivered = shard.delivered.then(async () => {
      const ok = await appended;
      if (ok && shard.epoch === epoch && shard.status === 'active') {
        for (const delivery of deliveries)
          this.deliver(delivery.handle, (p) => p.resolve(delivery.response));
        return;
      }
      for (const delivery of deliveries)
        this.deliver(delivery.handle, (p) => p.fail(ErrorCode.NOT_COORDINATOR));
      if (!ok && shard.epoch === epoch) void this.reload(shard);
    });
    this.rearm(shard);
  }

  private deliver(handle: number, action: (parked: Parked) => void): void {
    const parked = this.parked.get(handle);
    if (parked === undefined) return;
    this.parked.delete(handle);
    action(parked);
  }

  private async append(shard: ShardRuntime, records: CoordinatorRecord[]): Promise<boolean> {
    try {
      const timestamp = this.now();
      const batch = buildUncompressedRecordBatch(
        records.map((record) => ({
          key: encodeKey(record),
          value: encodeValue(record),
          timestamp,
        })),
      );
      const outcome = await shard.partition.append(new RecordBatchView(batch));
      if (outcome.ok) return true;
      this.options.logger.error('__consumer_offsets append failed', {
        partition: shard.index,
        error: outcome.error,
        message: outcome.message,
      });
    } catch (error) {
      this.options.logger.error('__consumer_offsets append failed', {
        partition: shard.index,
        error: String(error),
      });
    }
    return false;
  }

  // -- timers -------------------------------------------------------------------------

  private rearm(shard: ShardRuntime): void {
    if (this.closed || shard.status !== 'active') return;
    const at = shard.machine.nextDeadline();
    if (at === shard.timerAt) return;
    clearTimeout(shard.timer);
    shard.timer = undefined;
    shard.timerAt = at;
    if (at === undefined) return;
    // Not unref'd: a parked JoinGroup waiting for this timer must keep the process alive
    // (close() clears it).
    shard.timer = setTimeout(
      () => this.onTimer(shard),
      Math.min(Math.max(0, at - this.now()), 2 ** 31 - 1),
    );
  }

  private onTimer(shard: ShardRuntime): void {
    shard.timer = undefined;
    shard.timerAt = undefined;
    if (this.closed || shard.status !== 'active') return;
    this.apply(shard, shard.machine.tick(this.now()), []);
  }

  // -- loading ------------------------------------------------------------------------

  private newMachine(index: number): GroupShard {
    return new GroupShard(index, this.options.config, this.newUuid);
  }

  /** Replays the shard's partition into a fresh machine; the shard serves once done. */
  private async load(shard: ShardRuntime): Promise<{ records: number; bytes: number }> {
    shard.status = 'loading';
    shard.epoch += 1;
    clearTimeout(shard.timer);
    shard.timer = undefined;
    shard.timerAt = undefined;
    const machine = this.newMachine(shard.index);
    const counts = { records: 0, bytes: 0 };
    try {
      const now = this.now();
      const partition = shard.partition;
      let offset = partition.logStartOffset;
      const end = partition.highWatermark;
      while (offset < end) {
        const { records } = await partition.read(
          offset,
          this.options.config.offsetsLoadBufferBytes,
        );
        if (records.length === 0) break;
        counts.bytes += records.length;
        let next = offset;
        for (const batch of walkBatches(records)) {
          const last = Number(batch.lastOffset);
          if (last >= offset && !batch.isControl) {
            const iterator =
              batch.compression === CompressionType.NONE
                ? readUncompressedRecords(batch)
                : await readRecords(batch);
            for (const record of iterator) {
              if (Number(record.offset) < offset) continue;
              counts.records += 1;
              this.replayRecord(machine, shard.index, record.key, record.value, now);
            }
          }
          next = Math.max(next, last + 1);
        }
        if (next <= offset) break;
        offset = next;
      }
      machine.finishLoad(this.now());
    } catch (error) {
      shard.status = 'failed';
      this.options.logger.error('loading a __consumer_offsets partition failed', {
        partition: shard.index,
        error: String(error),
      });
      return counts;
    }
    shard.machine = machine;
    shard.status = this.closed ? 'failed' : 'active';
    this.rearm(shard);
    return counts;
  }

  private replayRecord(
    machine: GroupShard,
    index: number,
    key: Buffer | null,
    value: Buffer | null,
    now: number,
  ): void {
    try {
      const record = decodeRecord(key, value);
      if (record !== null) machine.replay(record, now);
    } catch (error) {
      if (!(error instanceof CoordinatorRecordError)) throw error;
      this.options.logger.warn('skipping an unreadable __consumer_offsets record', {
        partition: index,
        error: error.message,
      });
    }
  }

  /** Drops the shard's in-memory state (failing its parked requests) and reloads it. */
  private async reload(shard: ShardRuntime): Promise<void> {
    if (shard.status === 'loading') return;
    for (const handle of shard.machine.parkedHandles())
      this.deliver(handle, (p) => p.fail(ErrorCode.NOT_COORDINATOR));
    shard.status = 'loading';
    await shard.delivered.catch(() => undefined);
    await this.load(shard);
  }
}

function read<R>(response: R): Outcome<R> {
  return { records: [], response, replies: [] };
}
