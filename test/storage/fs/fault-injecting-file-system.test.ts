/** What only the fake does: injected faults, crashes and power loss. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FaultInjectingFileSystem,
  readFully,
  writeFully,
  writeFullyNow,
} from '../../../src/storage/index.js';
import { assertRejectsCode, withFakeFile } from '../helpers.js';

async function contents(fs: FaultInjectingFileSystem, path: string): Promise<string> {
  return (await fs.readFile(path)).toString();
}

describe('FaultInjectingFileSystem', () => {
  it('fails a matching call with the given code, once by default', async () => {
    const { fs, handle } = await withFakeFile();
    fs.injectFault({ op: 'sync', path: '/d/f', error: 'ENOSPC' });
    await assertRejectsCode(handle.sync(), 'ENOSPC');
    await handle.sync();
  });

  it('skips `after` matching calls and hits `times` calls', async () => {
    const { fs, handle } = await withFakeFile();
    fs.injectFault({ op: 'writev', path: /\/f$/, after: 1, times: 2 });
    await writeFully(handle, [Buffer.from('a')], 0);
    await assertRejectsCode(handle.writev([Buffer.from('b')], 1), 'EIO');
    await assertRejectsCode(handle.writev([Buffer.from('b')], 1), 'EIO');
    await writeFully(handle, [Buffer.from('c')], 1);
    assert.equal(await contents(fs, '/d/f'), 'ac');
  });

  it('a failing write can land a prefix first', async () => {
    const { fs, handle } = await withFakeFile();
    fs.injectFault({ op: 'writev', bytes: 3 });
    await assertRejectsCode(handle.writev([Buffer.from('ab'), Buffer.from('cdef')], 0), 'EIO');
    assert.equal(await contents(fs, '/d/f'), 'abc');
  });

  it('a short write reports fewer bytes, and writeFully completes it', async () => {
    const { fs, handle } = await withFakeFile();
    fs.injectFault({ op: 'writev', bytes: 2, short: true });
    assert.equal(await handle.writev([Buffer.from('abcd')], 0), 2);
    fs.injectFault({ op: 'writev', bytes: 1, short: true, times: 3 });
    await writeFully(handle, [Buffer.from('wx'), Buffer.from('yz')], 2);
    assert.equal(await contents(fs, '/d/f'), 'abwxyz');
  });

  it('writev rules hit writeNow too, which throws at once', async () => {
    const { fs, handle } = await withFakeFile();
    fs.injectFault({ op: 'writev', error: 'ENOSPC', bytes: 3 });
    assert.throws(() => handle.writeNow!([Buffer.from('ab'), Buffer.from('cdef')], 0), {
      code: 'ENOSPC',
    });
    assert.equal(await contents(fs, '/d/f'), 'abc', 'a prefix landed first');
    fs.injectFault({ op: 'writev', bytes: 1, short: true, times: 3 });
    assert.equal(handle.writeNow!([Buffer.from('wx')], 3), 1);
    writeFullyNow(handle, [Buffer.from('xy'), Buffer.from('z')], 4);
    assert.equal(await contents(fs, '/d/f'), 'abcwxyz');
  });

  it('writeNow is never in flight: a crash neither drops nor tears it, later ones fail', async () => {
    const { fs, handle } = await withFakeFile();
    handle.writeNow!([Buffer.from('kept')], 0);
    fs.crash({ tornWrites: true });
    assert.throws(() => handle.writeNow!([Buffer.from('lost')], 4), { code: 'FS_CRASHED' });
    assert.equal(await contents(fs, '/d/f'), 'kept');
  });

  it('{ writeNow: false } leaves writeNow out of its handles', async () => {
    const fs = new FaultInjectingFileSystem({ writeNow: false });
    await fs.mkdir('/d');
    const handle = await fs.open('/d/f', 'w+');
    assert.equal(handle.writeNow, undefined);
    await writeFully(handle, [Buffer.from('abc')], 0);
    assert.equal(await contents(fs, '/d/f'), 'abc');
  });

  it('clearFaults removes every rule', async () => {
    const { fs, handle } = await withFakeFile();
    fs.injectFault({ op: 'sync', times: Infinity });
    fs.clearFaults();
    await handle.sync();
  });

  it('crash drops writes in flight, keeps written ones, and kills old handles', async () => {
    const { fs, handle } = await withFakeFile();
    await writeFully(handle, [Buffer.from('kept')], 0);
    const inFlight = handle.writev([Buffer.from('lost')], 4);
    fs.crash();
    await assertRejectsCode(inFlight, 'FS_CRASHED');
    await assertRejectsCode(handle.read(Buffer.alloc(1), 0, 1, 0), 'FS_CRASHED');
    assert.equal(await contents(fs, '/d/f'), 'kept');
    assert.equal(fs.openFileCount, 0);
  });

  it('crash with torn writes lands a prefix of a write in flight', async () => {
    const fs = new FaultInjectingFileSystem({ seed: 7 });
    await fs.mkdir('/d');
    const handle = await fs.open('/d/f', 'w+');
    const inFlight = handle.writev([Buffer.from('0123456789abcdef')], 0);
    fs.crash({ tornWrites: true });
    await assert.rejects(inFlight);
    const torn = await contents(fs, '/d/f');
    assert.ok('0123456789abcdef'.startsWith(torn), torn);
  });

  it('power loss rolls files back to their last sync and directories to their last syncDir', async () => {
    const { fs, handle } = await withFakeFile();
    await fs.syncDir('/d');
    await writeFully(handle, [Buffer.from('synced')], 0);
    await handle.sync();
    await writeFully(handle, [Buffer.from('+unsynced')], 6);
    await writeFully(handle, [Buffer.from('S')], 0);
    const other = await fs.open('/d/new', 'w+');
    await writeFully(other, [Buffer.from('x')], 0);
    await other.sync();
    fs.powerLoss();
    assert.equal(await contents(fs, '/d/f'), 'synced');
    assert.equal(await fs.stat('/d/new'), null, 'created after the last syncDir');
  });

  it('writeFileAtomic survives power loss at once', async () => {
    const fs = new FaultInjectingFileSystem();
    await fs.mkdir('/d');
    await fs.writeFileAtomic('/d/checkpoint', Buffer.from('v1'));
    fs.powerLoss();
    assert.equal(await contents(fs, '/d/checkpoint'), 'v1');
  });

  it('a synced file keeps its durable content through later overwrites (copy-on-write)', async () => {
    const { fs, handle } = await withFakeFile();
    await fs.syncDir('/d');
    await writeFully(handle, [Buffer.from('aaaa')], 0);
    await handle.sync();
    await writeFully(handle, [Buffer.from('bb')], 1);
    await handle.truncate(2);
    assert.equal((await readFully(handle, 0, 10)).toString(), 'ab');
    fs.powerLoss();
    assert.equal(await contents(fs, '/d/f'), 'aaaa');
  });

  it('counts open handles', async () => {
    const { fs, handle } = await withFakeFile();
    const second = await fs.open('/d/f', 'r');
    assert.equal(fs.openFileCount, 2);
    await handle.close();
    await second.close();
    assert.equal(fs.openFileCount, 0);
  });
});
