import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scheduleRetention, selectExpiredSegments } from '../../../src/storage/index.js';
import { silentLogger } from '../../../src/common/logger.js';
import { eventually } from '../helpers.js';

const DAY = 86_400_000;
const segments = [
  { baseOffset: 0, size: 100, maxTimestamp: 1 * DAY, modifiedMs: 0 },
  { baseOffset: 10, size: 100, maxTimestamp: -1, modifiedMs: 2 * DAY },
  { baseOffset: 20, size: 100, maxTimestamp: 5 * DAY, modifiedMs: 0 },
  { baseOffset: 30, size: 50, maxTimestamp: 1 * DAY, modifiedMs: 0 },
];

describe('selectExpiredSegments', () => {
  it('retention.ms deletes the expired prefix, using mtime when a segment has no timestamp', () => {
    const decision = selectExpiredSegments(
      segments,
      { retentionMs: 2 * DAY, retentionBytes: -1 },
      4.5 * DAY,
      0,
    );
    assert.deepEqual(decision, { count: 2, reason: 'retention.ms' });
  });

  it('never deletes the active (last) segment, however old', () => {
    const decision = selectExpiredSegments(
      segments,
      { retentionMs: 0, retentionBytes: -1 },
      100 * DAY,
      0,
    );
    assert.equal(decision.count, 3);
  });

  it('retention.bytes deletes oldest segments while at least retention.bytes remain', () => {
    assert.equal(
      selectExpiredSegments(segments, { retentionMs: -1, retentionBytes: 150 }, 0, 0).count,
      2,
    );
    assert.equal(
      selectExpiredSegments(segments, { retentionMs: -1, retentionBytes: 151 }, 0, 0).count,
      1,
    );
    assert.equal(
      selectExpiredSegments(segments, { retentionMs: -1, retentionBytes: 0 }, 0, 0).count,
      3,
    );
  });

  it('deletes segments wholly below the log start offset', () => {
    assert.deepEqual(
      selectExpiredSegments(segments, { retentionMs: -1, retentionBytes: -1 }, 0, 20),
      {
        count: 2,
        reason: 'log-start-offset',
      },
    );
    assert.equal(
      selectExpiredSegments(segments, { retentionMs: -1, retentionBytes: -1 }, 0, 19).count,
      1,
    );
  });

  it('-1 keeps everything', () => {
    assert.deepEqual(
      selectExpiredSegments(segments, { retentionMs: -1, retentionBytes: -1 }, 1e15, 0),
      {
        count: 0,
        reason: null,
      },
    );
  });
});

describe('scheduleRetention', () => {
  it('runs the check periodically, never overlapping, and survives a failing check', async () => {
    let runs = 0;
    let running = 0;
    let maxRunning = 0;
    const schedule = scheduleRetention(
      async () => {
        runs++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 15));
        running--;
        if (runs === 1) throw new Error('disk gone');
      },
      5,
      silentLogger,
    );
    await eventually(() => runs >= 3);
    schedule.stop();
    const stoppedAt = runs;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(runs >= 2, `ran ${runs} times`);
    assert.equal(maxRunning, 1);
    assert.ok(runs - stoppedAt <= 1, 'stops');
  });
});
