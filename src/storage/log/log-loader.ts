/**
 * Opening a partition directory: find the segments, decide whether the last shutdown
 * was clean, recover what a crash may have damaged, and hand PartitionLog a consistent
 * state. The steps:
 *
 * 1. Remove leftovers: temporary files of interrupted atomic writes, index files whose
 *    segment is gone.
 * 2. Take the clean-shutdown marker (deleting it durably, so a crash from now on is seen
 *    as one). It only counts when it matches the last segment's base and size.
 * 3. Closed segments below the recovery point are trusted: their index files only have
 *    to exist and have a whole number of entries, else they are rebuilt from the log.
 * 4. Segments from the recovery point on (after an unclean shutdown) are scanned batch
 *    by batch (length, magic, CRC-32C, increasing offsets), rebuilding both indexes. At
 *    the first invalid batch the segment is truncated and every later segment deleted.
 *    After a clean shutdown only the tail of the last segment (from its last index entry)
 *    is verified.
 * 5. The log start offset, leader-epoch cache and producer snapshots are made to agree
 *    with the recovered log end offset.
 */
import { dirname, join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { takeCleanShutdown, type CleanShutdown } from '../checkpoint/clean-shutdown-marker.js';
import {
  readLogStartOffset,
  readRecoveryPoint,
  writeRecoveryPoint,
} from '../checkpoint/offset-checkpoints.js';
import { readFully } from '../fs/file-system.js';
import { TEMP_SUFFIX, parseOffsetName } from './file-names.js';
import {
  leaderEpochAt,
  baseOffsetAt,
  maxTimestampAt,
  TIMESTAMPS_HEADER_BYTES,
} from './batch-header.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import { LogSegment, type SegmentContext } from './segment.js';
import { TIME_INDEX_ENTRY_SIZE, lastTimeIndexEntry } from './time-index.js';

export interface RecoveryReport {
  /** A matching clean-shutdown marker was found. */
  cleanShutdown: boolean;
  /** Segments scanned batch by batch with CRC checks. */
  recoveredSegments: number;
  /** Closed segments whose missing or damaged index files were rebuilt. */
  rebuiltIndexes: number;
  /** What recovery cut off the log, or null when nothing. */
  truncated: {
    segmentBaseOffset: number;
    /** File position where valid data ends. */
    position: number;
    /** Bytes removed from that segment (later segments not counted). */
    bytes: number;
    /** First offset no longer in the log. */
    logEndOffset: number;
    reason: string;
  } | null;
  /** Segments deleted because they followed the truncation point. */
  deletedSegments: number;
}

export interface LoadedLog {
  segments: LogSegment[];
  logStartOffset: number;
  snapshotOffsets: number[];
  report: RecoveryReport;
}

/**
 * Loads the log in `context.dir`. `epochs` holds the checkpoint's entries; recovery adds
 * the epochs of the batches it scans and trims it to the recovered log (persisting it
 * is the caller's job).
 */
export async function loadLog(
  context: SegmentContext,
  epochs: LeaderEpochCache,
  now: number,
  logger: Logger,
): Promise<LoadedLog> {
  const { fs, dir } = context;
  if ((await fs.stat(dir)) === null) {
    await fs.mkdir(dir);
    await fs.syncDir(dirname(dir));
  }
  const files = await listFiles(context);
  const marker = await takeCleanShutdown(fs, dir);
  const logStartCheckpoint = await readLogStartOffset(fs, dir);
  const recoveryPoint = (await readRecoveryPoint(fs, dir)) ?? 0;
  const segments = await findSegments(context, files, logStartCheckpoint ?? 0, now);
  try {
    const report = await repair(segments, marker, recoveryPoint, epochs);
    const logStartOffset = Math.max(logStartCheckpoint ?? 0, segments[0].baseOffset);
    if (logStartOffset > segments.at(-1)!.nextOffset) {
      // DeleteRecords moved the start past data a power loss then took: restart empty there.
      for (const segment of segments.splice(0)) await segment.delete();
      segments.push(await LogSegment.create(context, logStartOffset, now));
    }
    const last = segments.at(-1)!;
    await last.activate();
    last.createdMs = await firstBatchTime(last, now);
    if (recoveryPoint !== last.baseOffset) await writeRecoveryPoint(fs, dir, last.baseOffset);
    epochs.truncateFromEnd(last.nextOffset);
    epochs.truncateFromStart(logStartOffset);
    logReport(logger, dir, report, last.nextOffset);
    return { segments, logStartOffset, snapshotOffsets: files.snapshotOffsets, report };
  } catch (error) {
    for (const segment of segments) await segment.close().catch(() => undefined);
    throw error;
  }
}

/** The segments on disk, oldest first; a new empty one when there are none. */
async function findSegments(
  context: SegmentContext,
  files: DirectoryFiles,
  logStartOffset: number,
  now: number,
): Promise<LogSegment[]> {
  const segments: LogSegment[] = [];
  for (const base of files.segmentBases) {
    const stat = await context.fs.stat(join(context.dir, `${base.name}.log`));
    const segment = LogSegment.existing(context, base.offset, stat?.size ?? 0, now);
    segment.modifiedMs = stat?.mtimeMs ?? now;
    segments.push(segment);
  }
  if (segments.length === 0) segments.push(await LogSegment.create(context, logStartOffset, now));
  return segments;
}

/**
 * Steps 3 and 4 of the header: trusts, scans or verifies each segment, and drops the
 * segments after a truncation point from `segments`.
 */
async function repair(
  segments: LogSegment[],
  marker: CleanShutdown | null,
  recoveryPoint: number,
  epochs: LeaderEpochCache,
): Promise<RecoveryReport> {
  const report: RecoveryReport = {
    cleanShutdown: matches(marker, segments.at(-1)!),
    recoveredSegments: 0,
    rebuiltIndexes: 0,
    truncated: null,
    deletedSegments: 0,
  };
  const firstToRecover = report.cleanShutdown
    ? segments.length
    : recoveryStart(segments, recoveryPoint);
  for (let i = 0; i < segments.length - 1; i++) {
    segments[i].nextOffset = segments[i + 1].baseOffset;
    if (i < firstToRecover) await openClosedSegment(segments[i], report);
  }
  const kept = report.cleanShutdown
    ? await verifyTail(segments, report, epochs)
    : await recoverSegments(segments, firstToRecover, report, epochs);
  for (const segment of segments.splice(kept)) {
    await segment.delete();
    report.deletedSegments++;
  }
  return report;
}

interface DirectoryFiles {
  segmentBases: Array<{ offset: number; name: string }>;
  snapshotOffsets: number[];
}

/** Lists the directory, removing temporary files and orphaned indexes. */
async function listFiles(context: SegmentContext): Promise<DirectoryFiles> {
  const { fs, dir } = context;
  const names = await fs.readdir(dir);
  const logs = new Set<number>();
  const files: DirectoryFiles = { segmentBases: [], snapshotOffsets: [] };
  for (const name of names) {
    const parsed = parseOffsetName(name);
    if (parsed?.kind === 'log') logs.add(parsed.offset);
    if (parsed?.kind === 'snapshot') files.snapshotOffsets.push(parsed.offset);
  }
  for (const name of names) {
    const parsed = parseOffsetName(name);
    if (name.endsWith(TEMP_SUFFIX)) await fs.unlink(join(dir, name));
    else if (
      (parsed?.kind === 'index' || parsed?.kind === 'timeindex') &&
      !logs.has(parsed.offset)
    ) {
      await fs.unlink(join(dir, name));
    }
  }
  files.segmentBases = [...logs]
    .sort((a, b) => a - b)
    .map((offset) => ({ offset, name: String(offset).padStart(20, '0') }));
  return files;
}

function matches(marker: CleanShutdown | null, last: LogSegment): boolean {
  return (
    marker !== null &&
    marker.activeBaseOffset === last.baseOffset &&
    marker.activeSize === last.size
  );
}

/** Index of the segment holding the recovery point: it and all later ones get scanned. */
function recoveryStart(segments: readonly LogSegment[], recoveryPoint: number): number {
  let i = 0;
  while (i + 1 < segments.length && segments[i + 1].baseOffset <= recoveryPoint) i++;
  return i;
}

/**
 * A trusted closed segment: its indexes must exist with whole entries (else they are
 * rebuilt now), and its largest timestamp comes from the time index's last entry.
 */
async function openClosedSegment(segment: LogSegment, report: RecoveryReport): Promise<void> {
  const { fs } = segment.context;
  const indexStat = await fs.stat(segment.paths.index);
  const timeStat = await fs.stat(segment.paths.timeIndex);
  const sane =
    indexStat !== null &&
    timeStat !== null &&
    indexStat.size % 8 === 0 &&
    timeStat.size % TIME_INDEX_ENTRY_SIZE === 0;
  if (!sane) {
    await segment.rebuild(0, segment.size, false);
    segment.seal();
    await segment.persistIndexes();
    report.rebuiltIndexes++;
    return;
  }
  if (timeStat.size === 0) return segment.setMaxTimestamp(null);
  const handle = await fs.open(segment.paths.timeIndex, 'r');
  try {
    const tail = await readFully(
      handle,
      timeStat.size - TIME_INDEX_ENTRY_SIZE,
      TIME_INDEX_ENTRY_SIZE,
    );
    segment.setMaxTimestamp(lastTimeIndexEntry(segment.baseOffset, tail));
  } finally {
    await handle.close();
  }
}

/**
 * Scans segments[from..] batch by batch. Returns how many segments to keep: all, or up
 * to and including the one where invalid data starts (which is truncated there).
 */
async function recoverSegments(
  segments: LogSegment[],
  from: number,
  report: RecoveryReport,
  epochs: LeaderEpochCache,
): Promise<number> {
  const assignEpoch = epochAssigner(epochs);
  for (let i = from; i < segments.length; i++) {
    const segment = segments[i];
    const result = await segment.rebuild(0, segment.size, true, assignEpoch);
    report.recoveredSegments++;
    const next = segments[i + 1];
    // A power loss can empty an unsynced segment while a later one survives: cut the
    // log at the hole rather than leave offsets missing in its middle.
    const hole =
      result.problem === null && next !== undefined && segment.nextOffset !== next.baseOffset;
    const lastKept = result.problem !== null || hole || next === undefined;
    if (result.problem !== null)
      await truncateInvalidTail(segment, result.end, result.problem, report);
    if (hole) {
      report.truncated = {
        segmentBaseOffset: next.baseOffset,
        position: 0,
        bytes: next.size,
        logEndOffset: segment.nextOffset,
        reason: `offsets ${segment.nextOffset} to ${next.baseOffset - 1} are missing`,
      };
    }
    if (!lastKept) {
      segment.seal();
      await segment.sync();
      await segment.persistIndexes();
    }
    if (lastKept) return i + 1;
  }
  return segments.length;
}

/** After a clean shutdown: verify the last segment from its last index entry on. */
async function verifyTail(
  segments: LogSegment[],
  report: RecoveryReport,
  epochs: LeaderEpochCache,
): Promise<number> {
  const last = segments.at(-1)!;
  await last.loadIndexes();
  const from = last.loadedOffsetIndex.lastEntry()?.position ?? 0;
  const result = await last.rebuild(from, last.size, true, epochAssigner(epochs));
  if (result.problem !== null) await truncateInvalidTail(last, result.end, result.problem, report);
  return segments.length;
}

async function truncateInvalidTail(
  segment: LogSegment,
  end: number,
  reason: string,
  report: RecoveryReport,
): Promise<void> {
  report.truncated = {
    segmentBaseOffset: segment.baseOffset,
    position: end,
    bytes: segment.size - end,
    logEndOffset: segment.nextOffset,
    reason,
  };
  await segment.truncateTo(end);
}

/** Re-derives leader-epoch entries from scanned batches, as Kafka's recovery does. */
function epochAssigner(epochs: LeaderEpochCache): (buffer: Buffer, at: number) => void {
  return (buffer, at) => {
    const epoch = leaderEpochAt(buffer, at);
    if (epoch > epochs.latestEpoch()) epochs.assignInMemory(epoch, baseOffsetAt(buffer, at));
  };
}

/** segment.ms counts from the first batch's timestamp (Kafka's rule), else from now. */
async function firstBatchTime(segment: LogSegment, now: number): Promise<number> {
  if (segment.size < TIMESTAMPS_HEADER_BYTES) return now;
  const header = await segment.read(0, TIMESTAMPS_HEADER_BYTES);
  const timestamp = header.length === TIMESTAMPS_HEADER_BYTES ? maxTimestampAt(header, 0) : -1;
  return timestamp >= 0 && timestamp <= now ? timestamp : now;
}

function logReport(
  logger: Logger,
  dir: string,
  report: RecoveryReport,
  logEndOffset: number,
): void {
  if (report.truncated) {
    logger.warn('recovery truncated the log', {
      dir,
      ...report.truncated,
      deletedSegments: report.deletedSegments,
    });
  }
  // A brand-new or empty log has nothing worth an info line (a broker opens dozens at start).
  const worthTelling = report.rebuiltIndexes > 0 || (!report.cleanShutdown && logEndOffset > 0);
  if (!report.cleanShutdown || report.rebuiltIndexes > 0) {
    logger[worthTelling ? 'info' : 'debug']('recovered log', {
      dir,
      logEndOffset,
      recoveredSegments: report.recoveredSegments,
      rebuiltIndexes: report.rebuiltIndexes,
    });
  }
}
