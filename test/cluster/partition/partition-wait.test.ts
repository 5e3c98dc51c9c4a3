/** Partition's waiter list: how long-polling fetches park until the high watermark moves. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Partition } from '../../../src/cluster/partition/partition.js';
import { silentLogger } from '../../../src/common/logger.js';
import { RecordBatchView } from '../../../src/records/index.js';
import { FaultInjectingFileSystem } from '../../../src/storage/index.js';
import { makeBatch, openLog } from '../../storage/helpers.js';

async function openPartition(): Promise<Partition> {
  const log = await openLog({ fs: new FaultInjectingFileSystem(), dir: '/data/t-0' });
  return new Partition('t', 'id', 0, log, () => ({ logAppendTime: false }), silentLogger);
}

async function append(partition: Partition, records = 1): Promise<void> {
  const outcome = await partition.append(new RecordBatchView(makeBatch(records)));
  assert.ok(outcome.ok);
}

describe('Partition waiters', () => {
  it('wakes a waiter once, on the append that moves the high watermark, and forgets it', async () => {
    const partition = await openPartition();
    let wakes = 0;
    assert.equal(
      partition.waitForAdvance(partition.highWatermark, () => wakes++),
      true,
    );
    assert.equal(partition.waiterCount, 1);
    await append(partition);
    assert.equal(wakes, 1);
    assert.equal(partition.waiterCount, 0);
    await append(partition);
    assert.equal(wakes, 1, 'a woken waiter is not called again');
    await partition.close();
  });

  it('does not park when the high watermark already moved past what the caller saw', async () => {
    const partition = await openPartition();
    const seen = partition.highWatermark;
    await append(partition, 3);
    assert.equal(
      partition.waitForAdvance(seen, () => assert.fail('must not be called')),
      false,
    );
    assert.equal(partition.waiterCount, 0);
    await partition.close();
  });

  it('cancelWait removes a waiter; a waiter that parks again while woken waits for the next advance', async () => {
    const partition = await openPartition();
    const cancelled = (): void => assert.fail('cancelled waiter called');
    partition.waitForAdvance(partition.highWatermark, cancelled);
    partition.cancelWait(cancelled);
    partition.cancelWait(cancelled);
    assert.equal(partition.waiterCount, 0);

    let wakes = 0;
    const again = (): void => {
      wakes++;
      partition.waitForAdvance(partition.highWatermark, again);
    };
    partition.waitForAdvance(partition.highWatermark, again);
    await append(partition);
    assert.equal(wakes, 1);
    assert.equal(partition.waiterCount, 1);
    await append(partition);
    assert.equal(wakes, 2);
    partition.cancelWait(again);
    await partition.close();
  });

  it('close wakes every waiter', async () => {
    const partition = await openPartition();
    let wakes = 0;
    for (let i = 0; i < 3; i++) partition.waitForAdvance(partition.highWatermark, () => wakes++);
    await partition.close();
    assert.equal(wakes, 3);
    assert.equal(partition.waiterCount, 0);
  });
});
