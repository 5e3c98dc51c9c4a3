import type { LocalCluster } from '../../cluster/local-cluster.js';
import type { GroupCoordinator } from '../../coordinator/index.js';
import type { ReadBufferPool } from '../../cluster/partition/partition.js';

/** What the Kafka handlers call into. Built once by the composition root (main.ts). */
export interface KafkaServices {
  cluster: LocalCluster;
  now: () => number;
  /** The group coordinator; without one the group APIs answer COORDINATOR_NOT_AVAILABLE. */
  groups?: GroupCoordinator;
  /** Recycled buffers for Fetch reads; without a pool each read allocates its own. */
  readBuffers?: ReadBufferPool;
}
