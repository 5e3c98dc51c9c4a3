/**
 * Crash test with real processes: a child appends continuously to a log on the real disk
 * and reports each acknowledged append; the test kills it with SIGKILL at a random
 * moment, reopens the log (running recovery), and checks that every acknowledged batch
 * is there, byte for byte, in order, with contiguous offsets, and that the log end
 * offset continues where the log ends. Then it starts the next child on the same log.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { PartitionLog, realFileSystem, DEFAULT_LOG_CONFIG } from '../../../src/storage/index.js';
import { readAll, tempDir } from '../helpers.js';
import { crashBatch, sequenceOf } from './crash-batches.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));
const KILLS = 24;

interface Ack {
  seq: number;
  count: number;
  baseOffset: number;
  lastOffset: number;
}

/** Runs one child until it has been up `delayMs` after reporting ready, then SIGKILLs it. */
async function runChild(
  dir: string,
  startSeq: number,
  delayMs: number,
): Promise<{ acks: Ack[]; ready: string }> {
  const child = spawn(process.execPath, [CHILD, dir, String(startSeq)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
    if (killTimer === undefined && output.includes('\n')) {
      killTimer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    }
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(killTimer);
  assert.equal(signal, 'SIGKILL', `child exited on its own (code ${code}): ${output.slice(-500)}`);
  const lines = output.split('\n').slice(0, -1); // the last piece may be a torn line
  assert.match(lines[0] ?? '', /^ready /);
  const acks = lines.slice(1).map((line) => {
    const [tag, seq, count, baseOffset, lastOffset] = line.split(' ');
    assert.equal(tag, 'ack', line);
    return {
      seq: Number(seq),
      count: Number(count),
      baseOffset: Number(baseOffset),
      lastOffset: Number(lastOffset),
    };
  });
  return { acks, ready: lines[0] };
}

describe('crash test (real processes, SIGKILL)', () => {
  it(`loses no acknowledged append across ${KILLS} kills`, { timeout: 120_000 }, async (t) => {
    const dir = tempDir();
    const seed = Number(process.env.WEIR_CRASH_SEED ?? Date.now() % 100_000);
    t.diagnostic(`seed ${seed} (set WEIR_CRASH_SEED to replay the kill timings)`);
    let random = seed;
    const nextDelay = (): number => {
      random = (random * 1103515245 + 12345) & 0x7fffffff;
      return 5 + (random % 150);
    };
    /** Where each acknowledged sequence number must be: offset range. */
    const acked = new Map<number, { baseOffset: number; lastOffset: number }>();
    let nextSeq = 0;
    let expectedEnd = 0;
    let totalAcks = 0;
    let tornTails = 0;

    for (let round = 0; round < KILLS; round++) {
      const { acks, ready } = await runChild(dir, nextSeq, nextDelay());
      assert.equal(
        ready.split(' ')[1],
        String(expectedEnd),
        `round ${round}: the child reopened at the wrong end`,
      );
      totalAcks += acks.length;
      for (const ack of acks) {
        // Every append of a child lands after what the previous child left behind.
        assert.ok(ack.baseOffset >= expectedEnd, `round ${round}: ack below the recovered end`);
        acked.set(ack.seq, { baseOffset: ack.baseOffset, lastOffset: ack.lastOffset });
      }

      const log = await PartitionLog.open({
        fs: realFileSystem(),
        dir,
        config: DEFAULT_LOG_CONFIG,
      });
      assert.equal(log.recovery.cleanShutdown, false);
      if (log.recovery.truncated) tornTails++;
      const stored = await readAll(log);
      const bySeq = new Map<number, number>();
      let offset = 0;
      stored.forEach((batch, i) => {
        const seq = sequenceOf(batch);
        assert.equal(seq, i, `round ${round}: batch ${i} carries sequence ${seq}`);
        const expected = crashBatch(seq);
        expected.writeBigInt64BE(BigInt(offset), 0);
        assert.ok(
          batch.equals(expected),
          `round ${round}: batch ${seq} differs from what was appended`,
        );
        bySeq.set(seq, offset);
        offset += expected.readInt32BE(23) + 1;
      });
      assert.equal(log.logEndOffset, offset, `round ${round}: log end offset`);
      for (const [seq, where] of acked) {
        assert.equal(
          bySeq.get(seq),
          where.baseOffset,
          `round ${round}: acknowledged batch ${seq} missing or moved`,
        );
      }
      nextSeq = stored.length;
      expectedEnd = log.logEndOffset;
      // Half the rounds hand the next child a clean shutdown, half a crashed log.
      if (round % 2 === 0) await log.close();
    }
    t.diagnostic(`${totalAcks} acknowledged appends, ${nextSeq} batches, log end ${expectedEnd}`);
    t.diagnostic(`recovery cut a torn tail after ${tornTails} of ${KILLS} kills`);
    assert.ok(totalAcks > KILLS, 'the children made progress');
  });
});
