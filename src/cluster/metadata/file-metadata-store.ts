/**
 * Keeps the cluster metadata document in `<dataDir>/cluster-metadata.json`.
 *
 * Durability: save() resolves after an atomic replace (temp file, fsync, rename, fsync of
 * the directory), so a crash leaves the previous or the new document, never a torn one.
 */
import { join } from 'node:path';
import type { FileSystem } from '../../storage/index.js';
import type { ClusterMetadataSnapshot, MetadataStore } from './topic-registry.js';

export const METADATA_FILE = 'cluster-metadata.json';

export class FileMetadataStore implements MetadataStore {
  private readonly path: string;

  constructor(
    private readonly fs: FileSystem,
    dataDir: string,
  ) {
    this.path = join(dataDir, METADATA_FILE);
  }

  async load(): Promise<ClusterMetadataSnapshot | null> {
    if ((await this.fs.stat(this.path)) === null) return null;
    const snapshot = JSON.parse(
      (await this.fs.readFile(this.path)).toString('utf8'),
    ) as ClusterMetadataSnapshot;
    if (snapshot.version !== 1)
      throw new Error(`${this.path}: unknown metadata version ${snapshot.version}`);
    return snapshot;
  }

  async save(snapshot: ClusterMetadataSnapshot): Promise<void> {
    await this.fs.writeFileAtomic(this.path, Buffer.from(JSON.stringify(snapshot, null, 2)));
  }
}
