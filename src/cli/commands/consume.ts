/**
 * `weir consume TOPIC`: prints records as they arrive, like kafka-console-consumer.sh.
 * Without --group it reads the chosen partitions directly; with --group it joins the
 * group (range assignment), starts from the committed offsets and commits what it printed.
 * Ends after --max records, after --timeout-ms without a record, or on SIGINT/SIGTERM
 * (committing and leaving the group first), with exit code 0.
 */
import {
  COMMON_OPTIONS,
  EXIT_OK,
  UsageError,
  expectPositionals,
  integer,
  offset as offsetOption,
  parse,
} from '../args.js';
import {
  ClientError,
  Consumer,
  EARLIEST_TIMESTAMP,
  GroupConsumer,
  LATEST_TIMESTAMP,
  type ConsumedRecord,
  type KafkaClient,
  type StartPosition,
} from '../client/index.js';
import { usageText, withClient, type Command } from '../command.js';
import { write } from '../output.js';
import { DEFAULT_FORMAT, compileFormat, recordJson } from '../record-format.js';

const USAGE = usageText(
  'weir consume TOPIC [options]',
  `Prints the records of TOPIC, one per line, as they arrive. Without --group it starts at
the end of each partition (or --from-beginning, or --offset); with --group it starts at
the group's committed offsets and commits what it printed. Stops after --max records,
after --timeout-ms without a record, or on Ctrl-C.

Format placeholders: {topic} {partition} {offset} {timestamp} {timestamp:iso} {key}
{value} {headers} {header:NAME}; escapes \\t \\n. Null keys and values print as "null".`,
  `  --group GROUP                consume as a member of GROUP and commit offsets
  --from-beginning             start at the earliest offset when there is no committed one
  --offset earliest|latest|N   where to start (not with --group)
  --partition N                read only partition N; repeatable (not with --group)
  --max N                      exit after N records
  --timeout-ms MS              exit when no record arrives for MS milliseconds
  --format TEMPLATE            how to print a record (default '${DEFAULT_FORMAT}')
  --json                       print each record as a JSON object (key, value as UTF-8)`,
  [
    'weir consume orders --from-beginning --max 10',
    "weir consume orders --group billing --format '{partition}:{offset} {key}={value}'",
    'weir consume orders --partition 0 --offset 42 --json | jq .value',
  ],
);

const COMMIT_INTERVAL_MS = 5_000;
const POLL_MS = 200;

function startPosition(offset: string | undefined, fromBeginning: boolean): StartPosition {
  if (offset === undefined || offset === 'latest') {
    return {
      timestamp: fromBeginning && offset === undefined ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP,
    };
  }
  if (offset === 'earliest') return { timestamp: EARLIEST_TIMESTAMP };
  return { offset: offsetOption(offset, 'offset') };
}

interface Source {
  poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]>;
  commit(): Promise<void>;
  close(): Promise<void>;
}

async function directSource(
  client: KafkaClient,
  topic: string,
  partitions: readonly number[] | undefined,
  start: StartPosition,
  fromBeginning: boolean,
): Promise<Source> {
  const info = await client.topic(topic);
  const all = info.partitions.map((p) => p.partition);
  for (const p of partitions ?? []) {
    if (!all.includes(p)) {
      throw new ClientError(
        'WEIR_CLIENT_UNKNOWN_TOPIC',
        `topic '${topic}' has no partition ${p} (it has ${all.length})`,
      );
    }
  }
  const consumer = new Consumer(client, { offsetReset: fromBeginning ? 'earliest' : 'latest' });
  await consumer.assign(new Map([[topic, new Map((partitions ?? all).map((p) => [p, start]))]]));
  return {
    poll: (max, timeout) => consumer.poll(max, timeout),
    commit: async () => {},
    close: async () => consumer.close(),
  };
}

export const consumeCommand: Command = {
  name: 'consume',
  summary: 'print the records of a topic',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      group: { type: 'string' },
      'from-beginning': { type: 'boolean' },
      offset: { type: 'string' },
      partition: { type: 'string', multiple: true },
      max: { type: 'string' },
      'timeout-ms': { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [topic] = expectPositionals(positionals, ['TOPIC']);
    const max = integer(values.max, 'max', 1);
    const timeoutMs = integer(values['timeout-ms'], 'timeout-ms', 0);
    const partitions = values.partition?.map((p) => integer(p, 'partition', 0)!);
    const fromBeginning = values['from-beginning'] ?? false;
    if (values.group !== undefined && (values.offset !== undefined || partitions !== undefined)) {
      throw new UsageError(
        '--offset and --partition cannot be used with --group (use weir group reset-offsets)',
      );
    }
    if (values.json && values.format !== undefined)
      throw new UsageError('--json and --format exclude each other');
    const start = startPosition(values.offset, fromBeginning);
    const format = values.json ? recordJson : compileFormat(values.format ?? DEFAULT_FORMAT);

    return withClient(values['bootstrap-server'], async (client) => {
      let source: Source;
      if (values.group !== undefined) {
        await client.topic(topic);
        source = new GroupConsumer(client, {
          groupId: values.group,
          topics: [topic],
          offsetReset: fromBeginning ? 'earliest' : 'latest',
        });
      } else {
        source = await directSource(client, topic, partitions, start, fromBeginning);
      }
      let stopping = false;
      const stop = (): void => {
        stopping = true;
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const closedStdout = new Promise<void>((resolve) =>
        process.stdout.once('error', () => resolve()),
      );
      void closedStdout.then(stop);
      let count = 0;
      let failed = false;
      try {
        let lastRecordAt = Date.now();
        let lastCommitAt = Date.now();
        while (!stopping && (max === undefined || count < max)) {
          const wait =
            timeoutMs === undefined
              ? POLL_MS
              : Math.min(POLL_MS, Math.max(0, lastRecordAt + timeoutMs - Date.now()));
          const records = await source.poll(max === undefined ? 10_000 : max - count, wait);
          if (records.length > 0) {
            lastRecordAt = Date.now();
            count += records.length;
            let out = '';
            for (const record of records) out += `${format(record)}\n`;
            await Promise.race([write(out), closedStdout]);
          } else if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) {
            break;
          }
          if (Date.now() - lastCommitAt >= COMMIT_INTERVAL_MS) {
            await source.commit();
            lastCommitAt = Date.now();
          }
        }
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // After a failure, report that failure, not a second one from closing.
        await source.close().catch((error: unknown) => {
          if (!failed) throw error;
        });
      }
      process.stderr.write(`Processed a total of ${count} records\n`);
      return EXIT_OK;
    });
  },
};
