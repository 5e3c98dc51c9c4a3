/**
 * `weir topic create|list|describe|alter|delete`: topic administration over the Kafka
 * protocol (CreateTopics, Metadata, ListOffsets, DescribeConfigs, DescribeLogDirs,
 * CreatePartitions, IncrementalAlterConfigs, DeleteTopics), like kafka-topics.sh.
 */
import {
  COMMON_OPTIONS,
  EXIT_OK,
  expectPositionals,
  integer,
  keyValues,
  parse,
  UsageError,
} from '../args.js';
import {
  BrokerError,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  alterTopicConfigs,
  createPartitions,
  createTopics,
  deleteTopics,
  describeTopicConfigs,
  listOffsets,
  partitionSizes,
  unknownTopic,
  type KafkaClient,
  type TopicInfo,
} from '../client/index.js';
import { dispatch, usageText, withClient, type Command, type Subcommand } from '../command.js';
import { humanBytes, json, table } from '../output.js';
import { ErrorCode } from '../../protocol/kafka/index.js';

const USAGE = `Usage: weir topic <create|list|describe|alter|delete> [options]

Creates, lists, describes, changes and deletes topics.

Subcommands:
  create TOPIC      create a topic (--partitions, --replication-factor, --config)
  list              list topic names
  describe [TOPIC]  partitions, leaders, ISR, log start/end offsets, sizes and configs
  alter TOPIC       add partitions or change configs
  delete TOPIC...   delete topics

Run 'weir topic <subcommand> --help' for its options.

Examples:
  weir topic create orders --partitions 6 --config retention.ms=604800000
  weir topic describe orders
  weir topic alter orders --partitions 12
`;

/** A topic named positionally or with --topic (kafka-topics.sh style). */
function topicArgument(positionals: string[], flag: string | undefined): string {
  const names = flag !== undefined ? [flag, ...positionals] : positionals;
  expectPositionals(names, ['TOPIC']);
  return names[0]!;
}

const create: Subcommand = {
  summary: 'create a topic',
  usage: usageText(
    'weir topic create TOPIC [options]',
    'Creates a topic. Without --partitions/--replication-factor the broker defaults apply\n(num.partitions, default.replication.factor).',
    `  --partitions N               number of partitions
  --replication-factor N       copies of each partition
  --config KEY=VALUE           a topic config (retention.ms, cleanup.policy, ...); repeatable
  --if-not-exists              succeed if the topic already exists
  --topic TOPIC                the topic, instead of the positional argument`,
    [
      'weir topic create orders --partitions 6',
      'weir topic create audit --config retention.ms=604800000 --config cleanup.policy=compact',
    ],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      topic: { type: 'string' },
      partitions: { type: 'string' },
      'replication-factor': { type: 'string' },
      config: { type: 'string', multiple: true },
      'if-not-exists': { type: 'boolean' },
    });
    const name = topicArgument(positionals, values.topic);
    const partitions = integer(values.partitions, 'partitions', 1) ?? -1;
    const replicationFactor =
      integer(values['replication-factor'], 'replication-factor', 1, 32767) ?? -1;
    const configs = keyValues(values.config, 'config');
    return withClient(values['bootstrap-server'], async (client) => {
      const [result] = await createTopics(client, [
        { name, partitions, replicationFactor, configs },
      ]);
      if (
        result &&
        result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS &&
        values['if-not-exists']
      ) {
        return EXIT_OK;
      }
      if (result && result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
        throw new BrokerError(result.errorCode, `topic '${name}' already exists`, null, true);
      }
      if (result && result.errorCode !== ErrorCode.NONE) {
        throw new BrokerError(result.errorCode, `create topic '${name}'`, result.errorMessage);
      }
      const info = await client.topic(name, true);
      process.stdout.write(
        `Created topic '${name}' (${info.partitions.length} partitions, replication factor ${info.partitions[0]?.replicas.length ?? 0})\n`,
      );
      return EXIT_OK;
    });
  },
};

const list: Subcommand = {
  summary: 'list topics',
  usage: usageText(
    'weir topic list [options]',
    'Lists topic names, one per line. Internal topics (__consumer_offsets) only with --internal.',
    `  --internal                   include internal topics
  --json                       one JSON array of {name, partitions, replicationFactor, internal}`,
    ['weir topic list', 'weir topic list --json | jq -r ".[].name"'],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      internal: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    expectPositionals(positionals, []);
    return withClient(values['bootstrap-server'], async (client) => {
      const topics = (await client.listTopics()).filter((t) => values.internal || !t.isInternal);
      if (values.json) {
        const rows = topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.length,
          replicationFactor: t.partitions[0]?.replicas.length ?? 0,
          internal: t.isInternal,
        }));
        process.stdout.write(`${json(rows)}\n`);
      } else {
        process.stdout.write(topics.map((t) => `${t.name}\n`).join(''));
      }
      return EXIT_OK;
    });
  },
};

interface PartitionRow {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  logStartOffset: bigint;
  logEndOffset: bigint;
  sizeBytes: bigint | null;
}

async function describeOne(
  client: KafkaClient,
  topic: TopicInfo,
): Promise<{
  name: string;
  topicId: string;
  internal: boolean;
  partitions: PartitionRow[];
  configs: Record<string, string | null>;
}> {
  const ids = topic.partitions.map((p) => p.partition);
  const [starts, ends, sizes, configs] = await Promise.all([
    listOffsets(client, topic.name, ids, EARLIEST_TIMESTAMP),
    listOffsets(client, topic.name, ids, LATEST_TIMESTAMP),
    partitionSizes(client, topic.name),
    describeTopicConfigs(client, topic.name),
  ]);
  return {
    name: topic.name,
    topicId: topic.topicId,
    internal: topic.isInternal,
    partitions: topic.partitions.map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
      logStartOffset: starts.get(p.partition) ?? -1n,
      logEndOffset: ends.get(p.partition) ?? -1n,
      sizeBytes: sizes?.get(p.partition) ?? null,
    })),
    // Like kafka-topics.sh: only the values set on the topic itself.
    configs: Object.fromEntries(
      configs
        .filter((c) => c.source === 1)
        .map((c) => [c.name, c.isSensitive ? '(sensitive)' : c.value]),
    ),
  };
}

const describe: Subcommand = {
  summary: 'describe topics',
  usage: usageText(
    'weir topic describe [TOPIC...] [options]',
    'Shows each partition with its leader, replicas, in-sync replicas, log start and end\noffsets and size on disk (when the broker serves DescribeLogDirs), and the configs set\non the topic. Without a TOPIC, describes every topic.',
    `  --internal                   with no TOPIC, include internal topics
  --json                       one JSON array with the same information
  --topic TOPIC                a topic, instead of the positional argument`,
    [
      'weir topic describe orders',
      'weir topic describe --json | jq ".[] | .partitions[].logEndOffset"',
    ],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      topic: { type: 'string' },
      internal: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const names = values.topic !== undefined ? [values.topic, ...positionals] : positionals;
    return withClient(values['bootstrap-server'], async (client) => {
      const topics =
        names.length === 0
          ? (await client.listTopics()).filter((t) => values.internal || !t.isInternal)
          : await Promise.all(names.map((n) => client.topic(n)));
      const described = [];
      for (const topic of topics) described.push(await describeOne(client, topic));
      if (values.json) {
        process.stdout.write(`${json(described)}\n`);
        return EXIT_OK;
      }
      const blocks = described.map((t) => {
        const configs = Object.entries(t.configs)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        const rf = t.partitions[0]?.replicas.length ?? 0;
        const head = `Topic: ${t.name}  Id: ${t.topicId}  Partitions: ${t.partitions.length}  ReplicationFactor: ${rf}  Configs: ${configs || '-'}\n`;
        return (
          head +
          table(
            ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START', 'LOG-END', 'SIZE'],
            t.partitions.map((p) => [
              p.partition,
              p.leader,
              p.replicas.join(',') || '-',
              p.isr.join(',') || '-',
              p.logStartOffset,
              p.logEndOffset,
              p.sizeBytes === null ? '-' : humanBytes(p.sizeBytes),
            ]),
          )
        );
      });
      process.stdout.write(blocks.join('\n'));
      return EXIT_OK;
    });
  },
};

const alter: Subcommand = {
  summary: 'change a topic',
  usage: usageText(
    'weir topic alter TOPIC [options]',
    'Adds partitions (their number can only grow) and sets or removes topic configs.',
    `  --partitions N               the new, larger partition count
  --config KEY=VALUE           set a topic config; repeatable
  --delete-config KEY          remove a topic config (back to the broker default); repeatable
  --topic TOPIC                the topic, instead of the positional argument`,
    [
      'weir topic alter orders --partitions 12',
      'weir topic alter orders --config retention.ms=86400000 --delete-config cleanup.policy',
    ],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      topic: { type: 'string' },
      partitions: { type: 'string' },
      config: { type: 'string', multiple: true },
      'delete-config': { type: 'string', multiple: true },
    });
    const name = topicArgument(positionals, values.topic);
    const partitions = integer(values.partitions, 'partitions', 1);
    const set = keyValues(values.config, 'config');
    const remove = values['delete-config'] ?? [];
    if (partitions === undefined && Object.keys(set).length === 0 && remove.length === 0) {
      throw new UsageError('nothing to change: give --partitions, --config or --delete-config');
    }
    return withClient(values['bootstrap-server'], async (client) => {
      const topic = await client.topic(name);
      const changes: string[] = [];
      if (partitions !== undefined && partitions !== topic.partitions.length) {
        await createPartitions(client, name, partitions);
        changes.push(`partitions ${topic.partitions.length} -> ${partitions}`);
      }
      if (Object.keys(set).length > 0 || remove.length > 0) {
        await alterTopicConfigs(client, name, set, remove);
        changes.push(
          ...Object.entries(set).map(([k, v]) => `${k}=${v}`),
          ...remove.map((k) => `-${k}`),
        );
      }
      process.stdout.write(`Altered topic '${name}': ${changes.join(', ') || 'no change'}\n`);
      return EXIT_OK;
    });
  },
};

const remove: Subcommand = {
  summary: 'delete topics',
  usage: usageText(
    'weir topic delete TOPIC... [options]',
    'Deletes topics and their data.',
    `  --if-exists                  succeed for topics that do not exist
  --topic TOPIC                a topic, instead of the positional argument`,
    ['weir topic delete orders', 'weir topic delete tmp-1 tmp-2 --if-exists'],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      topic: { type: 'string' },
      'if-exists': { type: 'boolean' },
    });
    const names = values.topic !== undefined ? [values.topic, ...positionals] : positionals;
    if (names.length === 0) throw new UsageError('missing TOPIC');
    return withClient(values['bootstrap-server'], async (client) => {
      const results = await deleteTopics(client, names);
      for (const result of results) {
        if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          if (values['if-exists']) continue;
          throw unknownTopic(result.name);
        }
        if (result.errorCode !== ErrorCode.NONE) {
          throw new BrokerError(
            result.errorCode,
            `delete topic '${result.name}'`,
            result.errorMessage,
          );
        }
        process.stdout.write(`Deleted topic '${result.name}'\n`);
      }
      return EXIT_OK;
    });
  },
};

export const topicCommand: Command = {
  name: 'topic',
  summary: 'create, list, describe, alter and delete topics',
  usage: USAGE,
  run: (args) => dispatch(USAGE, { create, list, describe, alter, delete: remove }, args),
};
