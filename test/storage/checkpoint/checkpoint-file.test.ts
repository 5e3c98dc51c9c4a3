import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from '../../../src/storage/checkpoint/checkpoint-file.js';
import { ProducerSnapshots } from '../../../src/storage/checkpoint/producer-snapshots.js';
import { FaultInjectingFileSystem, StorageError } from '../../../src/storage/index.js';

describe('checkpoint files', () => {
  it("write Kafka's format and read it back", async () => {
    const fs = new FaultInjectingFileSystem();
    await fs.mkdir('/d');
    await writeCheckpoint(fs, '/d/leader-epoch-checkpoint', [
      [0, 0],
      [3, 1200],
    ]);
    assert.equal(
      (await fs.readFile('/d/leader-epoch-checkpoint')).toString(),
      '0\n2\n0 0\n3 1200\n',
    );
    assert.deepEqual(await readCheckpoint(fs, '/d/leader-epoch-checkpoint', 2), [
      [0, 0],
      [3, 1200],
    ]);
    assert.equal(await readCheckpoint(fs, '/d/missing', 2), null);
  });

  it('reject malformed content with STORAGE_CORRUPT_CHECKPOINT', () => {
    for (const text of ['', '1\n0\n', '0\n2\n1 2\n', '0\n1\n1 x\n', '0\n1\n1\n']) {
      assert.throws(
        () => parseCheckpoint(text, 2, 'x'),
        (error: unknown) =>
          error instanceof StorageError && error.code === 'STORAGE_CORRUPT_CHECKPOINT',
        JSON.stringify(text),
      );
    }
  });
});

describe('ProducerSnapshots', () => {
  it('keeps the newest two, and trims after truncation and log-start moves', async () => {
    const fs = new FaultInjectingFileSystem();
    await fs.mkdir('/d');
    const snapshots = new ProducerSnapshots(fs, '/d', []);
    assert.equal(await snapshots.latest(), null);
    await snapshots.write(10, Buffer.from('a'));
    await snapshots.write(20, Buffer.from('b'));
    await snapshots.write(30, Buffer.from('c'));
    assert.deepEqual(snapshots.offsets, [20, 30]);
    assert.deepEqual((await fs.readdir('/d')).sort(), [
      '00000000000000000020.snapshot',
      '00000000000000000030.snapshot',
    ]);
    await snapshots.deleteAfter(25);
    assert.deepEqual(await snapshots.latest(), { offset: 20, data: Buffer.from('b') });
    await snapshots.write(40, Buffer.from('d'));
    await snapshots.deleteBefore(45);
    assert.deepEqual(snapshots.offsets, [40]);
    await snapshots.deleteAll();
    assert.deepEqual(await fs.readdir('/d'), []);
  });
});
