/**
 * DescribeLogDirs (key 35), versions 1-4.
 *
 * Behaviour: Weir keeps every partition in one data directory, so the answer has one log
 * dir: the broker's data directory, listing the requested partitions (null Topics: all
 * of them) with their size on disk. Partitions this broker does not host are left out,
 * as Kafka does. Tools use it for `topic describe` sizes.
 *
 * Version notes: v1 is v0's successor after KIP-896; v2+ flexible; v3+ top-level
 * ErrorCode; v4+ TotalBytes/UsableBytes of the volume, -1 here (not measured yet).
 * OffsetLag is 0 and IsFutureKey false: there are no replica moves between dirs.
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  DescribeLogDirsResponseDescribeLogDirsTopic,
} from '../../../protocol/kafka/generated/messages/describe-log-dirs.js';
import type { Partition } from '../../../cluster/partition/partition.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

export function describeLogDirsHandler(
  services: KafkaServices,
): Handler<DescribeLogDirsRequest, DescribeLogDirsResponse> {
  const { cluster } = services;

  function describeTopic(
    name: string,
    partitions: readonly (Partition | undefined)[],
  ): DescribeLogDirsResponseDescribeLogDirsTopic {
    return {
      name,
      partitions: partitions
        .filter((p): p is Partition => p !== undefined)
        .map((partition) => ({
          partitionIndex: partition.index,
          partitionSize: BigInt(partition.log.sizeInBytes()),
          offsetLag: 0n,
          isFutureKey: false,
        })),
    };
  }

  return (_context, request) => {
    const topics =
      request.topics === null
        ? cluster
            .topics()
            .map((topic) => describeTopic(topic.name, cluster.partitionsOf(topic.name)))
        : request.topics.map((topic) =>
            describeTopic(
              topic.topic,
              topic.partitions.map((index) => cluster.partition(topic.topic, index)),
            ),
          );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [
        {
          errorCode: ErrorCode.NONE,
          logDir: cluster.dataDir,
          topics: topics.filter((topic) => topic.partitions.length > 0),
          totalBytes: -1n,
          usableBytes: -1n,
          isCordoned: false,
        },
      ],
    };
  };
}
