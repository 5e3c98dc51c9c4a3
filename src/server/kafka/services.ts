import type { LocalCluster } from '../../cluster/local-cluster.js';

/** What the Kafka handlers call into. Built once by the composition root (main.ts). */
export interface KafkaServices {
  cluster: LocalCluster;
  now: () => number;
}
