/**
 * Small text checkpoint files in Kafka's CheckpointFile format:
 *
 *   <version>
 *   <entry count>
 *   <entry>            one line per entry, fields separated by a space
 *
 * Written atomically (temporary file, fsync, rename, directory fsync), so a crash leaves
 * the old or the new content, never a mix. Durable when `write` resolves.
 */
import type { FileSystem } from '../fs/file-system.js';
import { errorCode } from '../fs/file-system.js';
import { StorageError } from '../errors.js';

export const CHECKPOINT_VERSION = 0;

/** Entries are rows of safe integers. */
export type CheckpointEntry = readonly number[];

export async function writeCheckpoint(
  fs: FileSystem,
  path: string,
  entries: readonly CheckpointEntry[],
): Promise<void> {
  const lines = [
    String(CHECKPOINT_VERSION),
    String(entries.length),
    ...entries.map((e) => e.join(' ')),
  ];
  await fs.writeFileAtomic(path, Buffer.from(lines.join('\n') + '\n', 'utf8'));
}

/**
 * The entries of the checkpoint at `path`, each with `fields` integers; null when the
 * file does not exist. Throws STORAGE_CORRUPT_CHECKPOINT when it cannot be parsed.
 */
export async function readCheckpoint(
  fs: FileSystem,
  path: string,
  fields: number,
): Promise<number[][] | null> {
  let text: string;
  try {
    text = (await fs.readFile(path)).toString('utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
  return parseCheckpoint(text, fields, path);
}

export function parseCheckpoint(text: string, fields: number, path: string): number[][] {
  const corrupt = (why: string): StorageError =>
    new StorageError('STORAGE_CORRUPT_CHECKPOINT', `${path}: ${why}`);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length < 2) throw corrupt('missing header');
  if (lines[0] !== String(CHECKPOINT_VERSION)) throw corrupt(`unknown version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || count !== lines.length - 2) {
    throw corrupt(`declares ${lines[1]} entries, holds ${lines.length - 2}`);
  }
  return lines.slice(2).map((line, i) => {
    const values = line.split(' ').map(Number);
    if (values.length !== fields || !values.every(Number.isSafeInteger)) {
      throw corrupt(`entry ${i} is not ${fields} integers: '${line}'`);
    }
    return values;
  });
}
