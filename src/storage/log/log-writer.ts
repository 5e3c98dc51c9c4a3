/**
 * The log's serial queue and write path.
 *
 * Appends and tasks (truncation, DeleteRecords, retention, flush, close) queue in call
 * order. Appends are written in groups: every append queued when a group is formed goes
 * into it (up to 1024, Linux's IOV_MAX), and the whole group is one writev at the end
 * of the active segment; offsets are assigned when the group is formed. Up to two
 * groups are in flight at disjoint positions, and groups commit (segment size, log end
 * offset) strictly in order; a group after a failed one fails too, never committed.
 * When a group completes, the next writes are submitted before its appends resolve, so
 * the callers' work (and their next appends) overlaps the disk instead of waiting
 * behind it. Tasks and rolls run when nothing is in flight.
 *
 * A group taken from a queue of at most WRITE_NOW_MAX_BYTES (so: the whole queue) is
 * written on the event-loop thread (the handle's writeNow) when the handle offers it:
 * its bytes only go to the page cache, a copy cheaper than the I/O thread pool's round
 * trip, which on busy cores was the largest part of the produce path's tail latency
 * (Kafka's request handler thread writes produced batches itself, too). A larger queue
 * (a saturated broker, or 1 MiB batches) is written through the thread pool as before,
 * so a big write never blocks the event loop, and a saturated loop, the bottleneck
 * then, leaves the copying to another core.
 * Either way a failure latches, and fsyncs always run on the thread pool.
 *
 * The queue runs at the end of the event-loop turn of the first append (setImmediate),
 * so appends arriving in the same turn share a write.
 *
 * Who may call: PartitionLog, on the event-loop thread.
 */
import { invalidArgument } from '../errors.js';
import { writeFully, writeFullyNow, type FileHandle } from '../fs/file-system.js';
import { writeRecoveryPoint } from '../checkpoint/offset-checkpoints.js';
import {
  assignOffsets,
  countOffsets,
  type AppendOptions,
  type AppendRequest,
  type AppendResult,
} from './append-batches.js';
import type { LogState } from './log-state.js';
import { LogSegment } from './segment.js';

/** Appends per writev: Linux's IOV_MAX. */
const MAX_GROUP_APPENDS = 1024;
/** Group writes in flight at once (at disjoint positions of the active segment). */
const MAX_WRITES_IN_FLIGHT = 2;
/** A queue of at most this many bytes is written whole on the event-loop thread (writeNow). */
export const WRITE_NOW_MAX_BYTES = 256 * 1024;
/** A queue smaller than twice this is never split into two groups. */
const SPLIT_MIN_BYTES = 64 * 1024;
/** Relative offsets in the index are int32. */
const MAX_RELATIVE_OFFSET = 2 ** 31 - 1;
/** setTimeout's limit; longer flush.ms values mean "never". */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DONE = Promise.resolve(true);

/** A queued non-append operation; runs when everything queued before it is written. */
class QueuedTask {
  constructor(
    readonly run: () => Promise<unknown>,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

interface WriteGroup {
  segment: LogSegment;
  requests: AppendRequest[];
  buffers: Buffer[];
  start: number;
  end: number;
  firstOffset: number;
  nextOffset: number;
  /** fsync with the write (fsyncOnAppend, or flush.messages reached). */
  sync: boolean;
  /** Written on the event-loop thread when the handle can (see the top of this file). */
  now: boolean;
  /** Settles true once written (and synced), false when the write failed (latched). */
  written: Promise<boolean>;
}

export class LogWriter {
  readonly #state: LogState;
  readonly #queue: Array<AppendRequest | QueuedTask> = [];
  #head = 0;
  /** Bytes of appends queued and not yet taken into a group. */
  #queuedBytes = 0;
  /** The offset the next taken append gets (runs ahead of logEndOffset while writing). */
  #assignedOffset: number;
  #pumpScheduled = false;
  #pumping = false;
  /** Set while the pump waits on a write with a slot free: wakes it to start another. */
  #wake: (() => void) | null = null;
  #wakeScheduled = false;
  #background: Promise<void> = Promise.resolve();
  #unflushedMessages = 0;
  #flushTimer: NodeJS.Timeout | null = null;

  constructor(state: LogState) {
    this.#state = state;
    this.#assignedOffset = state.logEndOffset;
  }

  /** Queues `batches` (checked, counted) and resolves once they are written. */
  append(batches: Buffer, options?: AppendOptions): Promise<AppendResult> {
    const state = this.#state;
    if (state.closeRequested) return Promise.reject(state.closedError());
    if (state.failure) return Promise.reject(state.failure);
    let offsets: number;
    try {
      if (options !== undefined) checkAppendOptions(options);
      offsets = countOffsets(batches, state.config.segmentBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    const logAppendTime = options?.logAppendTime ?? -1;
    this.#queuedBytes += batches.length;
    return new Promise((resolve, reject) => {
      this.#queue.push({
        batches,
        offsets,
        options,
        result: { baseOffset: -1, lastOffset: -1, logAppendTime },
        resolve,
        reject,
      });
      this.#schedulePump();
    });
  }

  /** Queues `run`; it starts once everything queued before it is written. */
  enqueue<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(new QueuedTask(run, resolve as (value: unknown) => void, reject));
      this.#schedulePump();
    });
  }

  /** For tasks that moved the log end (truncation): appends continue from there. */
  resetToLogEnd(): void {
    this.#assignedOffset = this.#state.logEndOffset;
    this.#unflushedMessages = 0;
  }

  /** For tasks that fsynced the active segment. */
  markFlushed(): void {
    this.#unflushedMessages = 0;
  }

  stopFlushTimer(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
  }

  /**
   * Runs the queue at the end of this event-loop turn, so appends arriving in the turn
   * share a write. A pump already running but waiting with a free write slot is woken
   * the same way.
   */
  #schedulePump(): void {
    if (this.#pumping) {
      if (this.#wake === null || this.#wakeScheduled) return;
      this.#wakeScheduled = true;
      setImmediate(() => {
        this.#wakeScheduled = false;
        this.#wake?.();
      });
      return;
    }
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const inFlight: WriteGroup[] = [];
    try {
      for (;;) {
        this.#startWrites(inFlight);
        const finished = inFlight[0];
        if (finished === undefined) {
          if (this.#head >= this.#queue.length) break;
          await this.#runHead(inFlight);
          continue;
        }
        if (inFlight.length < MAX_WRITES_IN_FLIGHT && (await this.#woken(finished))) continue;
        inFlight.shift();
        if (!(await finished.written) || this.#state.failure) {
          for (const request of finished.requests) request.reject(this.#state.failure);
          continue;
        }
        this.#commit(finished);
        this.#startWrites(inFlight);
        for (const request of finished.requests) request.resolve(request.result);
        this.#armFlushTimer();
      }
    } finally {
      this.#compactQueue();
      this.#pumping = false;
    }
  }

  /**
   * Waits for `oldest` to be written; true when appends arrived first (and may start the
   * free write slot), false when the write settled.
   */
  async #woken(oldest: WriteGroup): Promise<boolean> {
    const wake = new Promise<boolean>((resolve) => (this.#wake = () => resolve(true)));
    const woken = await Promise.race([wake, oldest.written.then(() => false)]);
    this.#wake = null;
    return woken;
  }

  /** Submits queued appends while a write slot is free and no roll or task is next. */
  #startWrites(inFlight: WriteGroup[]): void {
    while (inFlight.length < MAX_WRITES_IN_FLIGHT && this.#canStartAtOnce()) {
      const group = this.#takeGroup(inFlight.length === 0);
      inFlight.push(this.#writeGroup(group, inFlight.at(-1)));
    }
  }

  /** With nothing in flight: runs a task, fails an append, or rolls if needed and writes. */
  async #runHead(inFlight: WriteGroup[]): Promise<void> {
    const item = this.#queue[this.#head];
    if (item instanceof QueuedTask) {
      this.#head++;
      await this.#runTask(item);
    } else if (this.#state.failure) {
      this.#head++;
      this.#queuedBytes -= item.batches.length;
      item.reject(this.#state.failure);
    } else {
      try {
        await this.#maybeRoll(item);
      } catch (error) {
        this.#state.latch('rolling to a new segment failed', error);
        return;
      }
      inFlight.push(this.#writeGroup(this.#takeGroup(true), undefined));
    }
  }

  async #runTask(task: QueuedTask): Promise<void> {
    try {
      await this.#background;
      task.resolve(await task.run());
    } catch (error) {
      task.reject(error);
    }
  }

  /** True when the queue starts with an append that needs no roll and no failure is latched. */
  #canStartAtOnce(): boolean {
    const state = this.#state;
    if (this.#head >= this.#queue.length || state.failure) return false;
    const next = this.#queue[this.#head];
    if (next instanceof QueuedTask) return false;
    const segment = state.active;
    if (segment.writePosition === 0) return false;
    if (state.now() - segment.createdMs > state.config.segmentMs) return false;
    return !this.#mustRoll(segment, segment.writePosition, this.#assignedOffset, next);
  }

  /**
   * Takes the queued appends that fit the active segment and assigns their offsets.
   * `split`: with nothing in flight and much queued, take about half, so the rest can
   * be written while this group is (a closed loop of producers then keeps two writes
   * going instead of alternating between writing and waiting). A queue small enough to
   * be written on the event-loop thread is taken whole: one system call.
   */
  #takeGroup(split: boolean): WriteGroup {
    const segment = this.#state.active;
    const group: WriteGroup = {
      segment,
      requests: [],
      buffers: [],
      start: segment.writePosition,
      end: segment.writePosition,
      firstOffset: this.#assignedOffset,
      nextOffset: this.#assignedOffset,
      sync: false,
      now: this.#queuedBytes <= WRITE_NOW_MAX_BYTES,
      written: DONE,
    };
    const splitAt = this.#queuedBytes >= 2 * SPLIT_MIN_BYTES ? this.#queuedBytes / 2 : Infinity;
    const byteLimit = split && !group.now ? splitAt : Infinity;
    while (this.#head < this.#queue.length && group.requests.length < MAX_GROUP_APPENDS) {
      const item = this.#queue[this.#head];
      if (item instanceof QueuedTask) break;
      if (group.requests.length > 0) {
        if (group.end - group.start >= byteLimit) break;
        if (this.#mustRoll(segment, group.end, group.nextOffset, item)) break;
      }
      this.#head++;
      this.#queuedBytes -= item.batches.length;
      const epochs = this.#state.epochs;
      group.nextOffset = assignOffsets(item, group.nextOffset, segment, group.end, epochs);
      group.end += item.batches.length;
      group.requests.push(item);
      group.buffers.push(item.batches);
    }
    segment.writePosition = group.end;
    this.#assignedOffset = group.nextOffset;
    this.#compactQueue();
    return group;
  }

  /** Drops taken items from the queue's front (the pump may run for a long time). */
  #compactQueue(): void {
    if (this.#head < 1024 && this.#head < this.#queue.length) return;
    this.#queue.splice(0, this.#head);
    this.#head = 0;
  }

  /**
   * Starts writing `group` beside `previous` (still in flight, or undefined): the kernel
   * already has the next write when one completes, instead of waiting for this thread to
   * get round to submitting it. `written` settles when the bytes are in the file and,
   * when the group syncs, after `previous` is written too, so the fsync covers both.
   */
  #writeGroup(group: WriteGroup, previous: WriteGroup | undefined): WriteGroup {
    const { config } = this.#state;
    const messages = group.nextOffset - group.firstOffset;
    group.sync = config.fsyncOnAppend || this.#unflushedMessages + messages >= config.flushMessages;
    group.written = this.#write(group, previous?.written);
    return group;
  }

  async #write(group: WriteGroup, previous: Promise<boolean> | undefined): Promise<boolean> {
    const { pool } = this.#state.context;
    const file = group.segment.file;
    try {
      const handle = pool.tryAcquire(file) ?? (await pool.acquire(file));
      try {
        if (writesNow(handle, group)) writeFullyNow(handle, group.buffers, group.start);
        else await writeFully(handle, group.buffers, group.start);
        if (group.sync) {
          if (previous && !(await previous)) return false;
          await handle.sync();
        }
      } finally {
        pool.release(file);
      }
      if (this.#state.epochs.isDirty) await this.#state.epochs.flush();
      return true;
    } catch (error) {
      this.#state.latch(`writing to ${file.path} failed`, error);
      return false;
    }
  }

  /** Makes a written group visible. */
  #commit(group: WriteGroup): void {
    group.segment.size = group.end;
    group.segment.nextOffset = group.nextOffset;
    this.#state.logEndOffset = group.nextOffset;
    const messages = group.nextOffset - group.firstOffset;
    this.#unflushedMessages = group.sync ? 0 : this.#unflushedMessages + messages;
  }

  /** Runs with nothing in flight, so the log end offset is the next offset to assign. */
  async #maybeRoll(next: AppendRequest): Promise<void> {
    const state = this.#state;
    const segment = state.active;
    const now = state.now();
    if (segment.writePosition === 0) {
      segment.createdMs = now;
      return;
    }
    const expired = now - segment.createdMs > state.config.segmentMs;
    if (expired || this.#mustRoll(segment, segment.writePosition, state.logEndOffset, next)) {
      await this.#roll(now);
    }
  }

  /** segment.bytes, or index relative offsets would overflow. Empty segments never roll. */
  #mustRoll(segment: LogSegment, position: number, offset: number, next: AppendRequest): boolean {
    if (position === 0) return false;
    if (position + next.batches.length > this.#state.config.segmentBytes) return true;
    return offset + next.offsets - 1 - segment.baseOffset > MAX_RELATIVE_OFFSET;
  }

  /**
   * Starts a new segment at the log end offset. The old one is sealed at once and, in
   * the background, fsynced with its indexes before the recovery point moves past it.
   */
  async #roll(now: number): Promise<void> {
    const state = this.#state;
    const old = state.active;
    old.seal();
    old.modifiedMs = now;
    const next = await LogSegment.create(state.context, state.logEndOffset, now);
    state.segments.push(next);
    this.#unflushedMessages = 0;
    state.logger.debug('rolled segment', { dir: state.dir, baseOffset: next.baseOffset });
    this.#inBackground('flushing a rolled segment', async () => {
      await old.sync();
      await old.persistIndexes();
      await writeRecoveryPoint(state.context.fs, state.dir, next.baseOffset);
    });
  }

  /** Chains `work` after earlier background work; a failure latches. Tasks wait for it. */
  #inBackground(what: string, work: () => Promise<void>): void {
    this.#background = this.#background.then(work).catch((error: unknown) => {
      this.#state.latch(what, error);
    });
  }

  #armFlushTimer(): void {
    const state = this.#state;
    if (this.#flushTimer || this.#unflushedMessages === 0) return;
    if (state.config.flushMs > MAX_TIMER_MS) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      if (this.#unflushedMessages === 0 || state.failure || state.closeRequested) return;
      this.#unflushedMessages = 0;
      const segment = state.active;
      this.#inBackground('flush.ms fsync', () => segment.sync());
    }, state.config.flushMs);
    this.#flushTimer.unref();
  }
}

/** Whether `group` is written on the event-loop thread (see the top of this file). */
function writesNow(handle: FileHandle, group: WriteGroup): boolean {
  return group.now && handle.writeNow !== undefined;
}

function checkAppendOptions(options: AppendOptions): void {
  if (options.logAppendTime !== undefined && !Number.isSafeInteger(options.logAppendTime)) {
    throw invalidArgument(`logAppendTime must be an integer, got ${options.logAppendTime}`);
  }
  const epoch = options.partitionLeaderEpoch;
  if (epoch !== undefined && (!Number.isInteger(epoch) || epoch < -1 || epoch > 2 ** 31 - 1)) {
    throw invalidArgument(`partitionLeaderEpoch must be an int32 >= -1, got ${epoch}`);
  }
}
