/**
 * The FileSystem contract (src/storage/fs/file-system.ts), run against the real disk and
 * the in-memory FaultInjectingFileSystem: both must behave the same for everything
 * storage relies on.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readFully, writeFully, writeFullyNow } from '../../../src/storage/index.js';
import { FILE_SYSTEMS, assertRejectsCode } from '../helpers.js';

for (const { name, make } of FILE_SYSTEMS) {
  describe(`FileSystem contract: ${name}`, () => {
    const setup = async (): Promise<ReturnType<typeof make>> => {
      const made = make();
      await made.fs.mkdir(made.dir);
      return made;
    };

    it('creates, writes with writev at positions and reads back', async () => {
      const { fs, dir } = await setup();
      const handle = await fs.open(join(dir, 'a.log'), 'w+');
      assert.equal(await handle.writev([Buffer.from('hello '), Buffer.from('world')], 0), 11);
      assert.equal(await handle.writev([Buffer.from('W')], 6), 1);
      assert.equal(await handle.size(), 11);
      const buffer = Buffer.alloc(11);
      assert.equal(await handle.read(buffer, 0, 11, 0), 11);
      assert.equal(buffer.toString(), 'hello World');
      await handle.close();
    });

    it('writeNow writes at positions on the calling thread, as writev does', async () => {
      const { fs, dir } = await setup();
      const handle = await fs.open(join(dir, 'a.log'), 'w+');
      assert.ok(handle.writeNow, 'both file systems offer writeNow');
      assert.equal(handle.writeNow([Buffer.from('hello '), Buffer.from('world')], 0), 11);
      assert.equal((await readFully(handle, 0, 11)).toString(), 'hello world', 'visible at once');
      writeFullyNow(handle, [Buffer.from('W'), Buffer.alloc(0), Buffer.from('!')], 6);
      writeFullyNow(handle, [Buffer.from('xy')], 13);
      assert.equal(await handle.size(), 15);
      assert.deepEqual([...(await readFully(handle, 6, 9))], [...Buffer.from('W!rld\0\0xy')]);
      await handle.close();
      assert.throws(() => handle.writeNow!([Buffer.from('x')], 0), { code: 'EBADF' });
      const readOnly = await fs.open(join(dir, 'a.log'), 'r');
      assert.throws(() => readOnly.writeNow!([Buffer.from('x')], 0));
      await readOnly.close();
    });

    it('reads short at the end of the file and zero past it', async () => {
      const { fs, dir } = await setup();
      const handle = await fs.open(join(dir, 'a.log'), 'w+');
      await writeFully(handle, [Buffer.from('abcdef')], 0);
      const buffer = Buffer.alloc(10);
      assert.equal(await handle.read(buffer, 2, 8, 3), 3);
      assert.equal(buffer.subarray(2, 5).toString(), 'def');
      assert.equal(await handle.read(buffer, 0, 4, 6), 0);
      assert.equal(await handle.read(buffer, 0, 4, 100), 0);
      assert.equal((await readFully(handle, 4, 10)).toString(), 'ef');
      await handle.close();
    });

    it('zero-fills a gap when writing past the end', async () => {
      const { fs, dir } = await setup();
      const handle = await fs.open(join(dir, 'a.log'), 'w+');
      await writeFully(handle, [Buffer.from('xy')], 4);
      assert.deepEqual([...(await readFully(handle, 0, 6))], [0, 0, 0, 0, 0x78, 0x79]);
      await handle.close();
    });

    it('truncates down and up (zero-filled), and stat reports the size', async () => {
      const { fs, dir } = await setup();
      const path = join(dir, 'a.log');
      const handle = await fs.open(path, 'w+');
      await writeFully(handle, [Buffer.from('0123456789')], 0);
      await handle.truncate(4);
      assert.equal(await handle.size(), 4);
      assert.equal((await fs.stat(path))?.size, 4);
      await handle.truncate(6);
      assert.deepEqual([...(await readFully(handle, 0, 10))], [0x30, 0x31, 0x32, 0x33, 0, 0]);
      await handle.sync();
      await handle.close();
    });

    it("'w+' empties an existing file, 'r+' keeps it, and 'r' refuses writes", async () => {
      const { fs, dir } = await setup();
      const path = join(dir, 'a.log');
      await fs.writeFileAtomic(path, Buffer.from('keep'));
      const kept = await fs.open(path, 'r+');
      assert.equal(await kept.size(), 4);
      await kept.close();
      const readOnly = await fs.open(path, 'r');
      await assert.rejects(readOnly.writev([Buffer.from('x')], 0));
      await readOnly.close();
      const emptied = await fs.open(path, 'w+');
      assert.equal(await emptied.size(), 0);
      await emptied.close();
    });

    it('opening a missing file for reading fails with ENOENT', async () => {
      const { fs, dir } = await setup();
      await assertRejectsCode(fs.open(join(dir, 'missing.log'), 'r+'), 'ENOENT');
      await assertRejectsCode(fs.readFile(join(dir, 'missing.log')), 'ENOENT');
    });

    it('writes files atomically and reads them whole', async () => {
      const { fs, dir } = await setup();
      const path = join(dir, 'checkpoint');
      await fs.writeFileAtomic(path, Buffer.from('one'));
      await fs.writeFileAtomic(path, Buffer.from('two!'));
      assert.equal((await fs.readFile(path)).toString(), 'two!');
      assert.deepEqual(await fs.readdir(dir), ['checkpoint']);
    });

    it('lists, renames and unlinks entries; unlink of a missing file is fine', async () => {
      const { fs, dir } = await setup();
      await fs.writeFileAtomic(join(dir, 'a'), Buffer.from('1'));
      await fs.writeFileAtomic(join(dir, 'b'), Buffer.from('2'));
      await fs.rename(join(dir, 'a'), join(dir, 'c'));
      assert.deepEqual((await fs.readdir(dir)).sort(), ['b', 'c']);
      await fs.unlink(join(dir, 'b'));
      await fs.unlink(join(dir, 'b'));
      assert.deepEqual(await fs.readdir(dir), ['c']);
      assert.equal(await fs.stat(join(dir, 'b')), null);
      await fs.syncDir(dir);
    });

    it('keeps an unlinked file readable through a handle opened before', async () => {
      const { fs, dir } = await setup();
      const path = join(dir, 'a.log');
      const handle = await fs.open(path, 'w+');
      await writeFully(handle, [Buffer.from('still here')], 0);
      await fs.unlink(path);
      assert.equal((await readFully(handle, 0, 10)).toString(), 'still here');
      await handle.close();
      assert.equal(await fs.stat(path), null);
    });

    it('mkdir creates parents, stat tells directories, rmdir removes a tree', async () => {
      const { fs, dir } = await setup();
      const nested = join(dir, 'x', 'y');
      await fs.mkdir(nested);
      await fs.mkdir(nested);
      assert.equal((await fs.stat(nested))?.isDirectory, true);
      await fs.writeFileAtomic(join(nested, 'f'), Buffer.from('1'));
      assert.equal((await fs.stat(join(nested, 'f')))?.isDirectory, false);
      await fs.rmdir(join(dir, 'x'));
      assert.equal(await fs.stat(join(dir, 'x')), null);
      await fs.rmdir(join(dir, 'x'));
      assert.deepEqual(await fs.readdir(dir), []);
      await assertRejectsCode(fs.readdir(join(dir, 'x')), 'ENOENT');
    });

    it('a closed handle refuses further use', async () => {
      const { fs, dir } = await setup();
      const handle = await fs.open(join(dir, 'a.log'), 'w+');
      await handle.close();
      await assert.rejects(handle.read(Buffer.alloc(1), 0, 1, 0));
    });
  });
}
