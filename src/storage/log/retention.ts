/**
 * Retention: which closed segments may go. Kafka's three rules, each deleting a prefix
 * of the log (oldest segments first), and never the active segment:
 * - retention.ms: the segment's newest batch (its largest timestamp, or the file's
 *   modification time when it has none) is older than retention.ms;
 * - retention.bytes: deleting it still leaves at least retention.bytes;
 * - log start: DeleteRecords moved the log start past its last offset.
 * Deleting is the log's job (PartitionLog.applyRetention); this module only decides.
 */
import type { Logger } from '../../common/logger.js';
import type { LogConfig } from './config.js';

export interface RetentionCandidate {
  baseOffset: number;
  size: number;
  /** Largest batch timestamp, -1 when none. */
  maxTimestamp: number;
  /** File modification time, epoch ms. */
  modifiedMs: number;
}

export interface RetentionDecision {
  /** How many of the oldest segments to delete. */
  count: number;
  reason: 'retention.ms' | 'retention.bytes' | 'log-start-offset' | null;
}

/**
 * `segments` oldest first, the active one last. `logStartOffset` is the log's current
 * start (a segment below it whose successor starts at or below it holds nothing readable).
 */
export function selectExpiredSegments(
  segments: readonly RetentionCandidate[],
  config: Pick<LogConfig, 'retentionMs' | 'retentionBytes'>,
  now: number,
  logStartOffset: number,
): RetentionDecision {
  const closed = segments.length - 1;
  let decision: RetentionDecision = { count: 0, reason: null };
  const consider = (count: number, reason: RetentionDecision['reason']): void => {
    if (count > decision.count) decision = { count, reason };
  };

  if (config.retentionMs >= 0) {
    let count = 0;
    while (count < closed && now - newest(segments[count]) > config.retentionMs) count++;
    consider(count, 'retention.ms');
  }
  if (config.retentionBytes >= 0) {
    let excess = segments.reduce((sum, s) => sum + s.size, 0) - config.retentionBytes;
    let count = 0;
    while (count < closed && excess - segments[count].size >= 0) excess -= segments[count++].size;
    consider(count, 'retention.bytes');
  }
  let count = 0;
  while (count < closed && segments[count + 1].baseOffset <= logStartOffset) count++;
  consider(count, 'log-start-offset');
  return decision;
}

function newest(segment: RetentionCandidate): number {
  return segment.maxTimestamp >= 0 ? segment.maxTimestamp : segment.modifiedMs;
}

/**
 * Runs `check` every `intervalMs` (log.retention.check.interval.ms) until stopped. The
 * timer does not keep the process alive; a failing check is logged and the next one
 * still runs. Checks never overlap.
 */
export function scheduleRetention(
  check: () => Promise<void>,
  intervalMs: number,
  logger: Logger,
): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    check()
      .catch((error: unknown) => logger.warn('retention check failed', { error: String(error) }))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
