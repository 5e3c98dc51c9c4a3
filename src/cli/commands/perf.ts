/**
 * `weir perf produce|consume|e2e`: load generators in the spirit of
 * kafka-producer-perf-test / kafka-consumer-perf-test, with HDR-style latency percentiles,
 * a sweep over the producer count that finds the saturation point (table + SVG chart), a
 * check of the produced count against the broker's log end offsets, and `--json` for
 * scripts (the last stdout line is one JSON object; human output then goes to stderr).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CompressionType } from '../../records/index.js';
import {
  COMMON_OPTIONS,
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  acks as acksOption,
  compression as compressionOption,
  expectPositionals,
  integer,
  parse,
} from '../args.js';
import {
  BrokerError,
  LATEST_TIMESTAMP,
  createTopics,
  listOffsets,
  sleep,
  type KafkaClient,
} from '../client/index.js';
import { dispatch, usageText, withClient, type Command, type Subcommand } from '../command.js';
import { json, table } from '../output.js';
import {
  prepareConsumeLoad,
  runProduceLoad,
  type LoadOutcome,
  type ProduceLoadOptions,
} from '../perf/load.js';
import { Progress, summaryLine, type PerfResult } from '../perf/stats.js';
import { renderChart } from '../perf/svg-chart.js';
import { ErrorCode } from '../../protocol/kafka/index.js';

const USAGE = `Usage: weir perf <produce|consume|e2e> [options]

Measures throughput and latency against a broker.

Subcommands:
  produce   send records as fast as possible or at a fixed rate; --sweep finds the
            producer count where throughput saturates
  consume   read records from the start of a topic
  e2e       produce and consume at once; latency from send to receipt

Run 'weir perf <subcommand> --help' for its options.

Examples:
  weir perf produce --num-records 1000000 --record-size 100 --throughput -1
  weir perf produce --throughput 50000 --producers 4 --acks 1 --json
  weir perf produce --num-records 200000 --sweep 1,2,4,8 --chart sweep.svg
  weir perf consume --num-records 1000000
  weir perf e2e --num-records 100000 --throughput 10000
`;

const PRODUCE_OPTIONS = {
  ...COMMON_OPTIONS,
  topic: { type: 'string', default: 'weir-perf' },
  'num-records': { type: 'string', default: '1000000' },
  'record-size': { type: 'string', default: '100' },
  throughput: { type: 'string', default: '-1' },
  producers: { type: 'string', default: '1' },
  partitions: { type: 'string' },
  'batch-size': { type: 'string', default: '16384' },
  'linger-ms': { type: 'string', default: '5' },
  acks: { type: 'string', default: 'all' },
  compression: { type: 'string', default: 'none' },
  'buffer-memory': { type: 'string', default: String(32 * 1024 * 1024) },
  'max-in-flight': { type: 'string', default: '5' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

const PRODUCE_HELP = `  --topic TOPIC                topic to write (default weir-perf; created if missing)
  --num-records N              records to send (default 1000000)
  --record-size BYTES          value size (default 100)
  --throughput N               records/s over all producers; -1 = as fast as possible (default)
  --producers N                concurrent producers, each with its own connection (default 1)
  --partitions N               partitions when the topic has to be created (default: broker's)
  --batch-size BYTES           producer batch size (default 16384)
  --linger-ms MS               producer linger (default 5)
  --acks 0|1|all               (default all)
  --compression CODEC          none (default), gzip, snappy, lz4, zstd
  --buffer-memory BYTES        bytes a producer holds before send() waits (default 33554432)
  --max-in-flight N            produce requests in flight per connection (default 5, as
                               Kafka's max.in.flight.requests.per.connection)
  --json                       end with one JSON line: records, bytes, seconds, recordsPerSec,
                               mbPerSec, latencyMs {p50, p95, p99, p999, max}
  --quiet                      no progress line`;

type ProduceValues = ReturnType<typeof parse<typeof PRODUCE_OPTIONS>>['values'];

function loadOptions(values: ProduceValues): ProduceLoadOptions & { partitions: number } {
  const throughput = integer(values.throughput, 'throughput', -1)!;
  if (throughput === 0)
    throw new UsageError('--throughput expects records/s > 0, or -1 for no limit');
  return {
    bootstrapServers: values['bootstrap-server'],
    topic: values.topic,
    numRecords: integer(values['num-records'], 'num-records', 1)!,
    recordSize: integer(values['record-size'], 'record-size', 0, 64 * 1024 * 1024)!,
    throughput,
    producers: integer(values.producers, 'producers', 1, 1000)!,
    partitions: integer(values.partitions, 'partitions', 1) ?? -1,
    batchSize: integer(values['batch-size'], 'batch-size', 1)!,
    lingerMs: integer(values['linger-ms'], 'linger-ms', 0)!,
    acks: acksOption(values.acks)!,
    compression: compressionOption(values.compression) ?? CompressionType.NONE,
    bufferMemory: integer(values['buffer-memory'], 'buffer-memory', 1024)!,
    maxInFlight: integer(values['max-in-flight'], 'max-in-flight', 1, 1000)!,
  };
}

/** Creates the topic when it is missing; returns its partition ids. */
async function ensureTopic(
  client: KafkaClient,
  topic: string,
  partitions: number,
  quiet: boolean,
): Promise<number[]> {
  try {
    return (await client.topic(topic)).partitions.map((p) => p.partition);
  } catch (error) {
    if ((error as { code?: string }).code !== 'WEIR_CLIENT_UNKNOWN_TOPIC') throw error;
  }
  const [result] = await createTopics(client, [
    { name: topic, partitions, replicationFactor: -1, configs: {} },
  ]);
  if (
    result &&
    result.errorCode !== ErrorCode.NONE &&
    result.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS
  ) {
    throw new BrokerError(result.errorCode, `create topic '${topic}'`, result.errorMessage);
  }
  const info = await client.topic(topic, true);
  if (!quiet)
    process.stderr.write(`Created topic '${topic}' with ${info.partitions.length} partitions\n`);
  return info.partitions.map((p) => p.partition);
}

async function logEndSum(
  client: KafkaClient,
  topic: string,
  partitions: number[],
): Promise<bigint> {
  const ends = await listOffsets(client, topic, partitions, LATEST_TIMESTAMP);
  return [...ends.values()].reduce((a, b) => a + b, 0n);
}

/** Human output goes to stdout, or to stderr when stdout is reserved for --json. */
function human(values: { json?: boolean | undefined }): (text: string) => void {
  return (text) => (values.json ? process.stderr : process.stdout).write(text);
}

function failIfErrors(outcome: LoadOutcome): void {
  if (outcome.firstError) {
    throw new Error(`${outcome.failed} records failed; first error: ${outcome.firstError.message}`);
  }
}

const produce: Subcommand = {
  summary: 'producer load',
  usage: usageText(
    'weir perf produce [options]',
    `Sends --num-records records of --record-size bytes and reports records/s, MB/s and the
latency from send to acknowledgement (p50, p95, p99, p99.9, max), then checks that the
topic's log end offsets grew by the number of acknowledged records. With --sweep it runs
once per producer count and prints throughput against latency, marks the saturation point
(the fewest producers within 5% of the best throughput) and writes an SVG chart.`,
    `${PRODUCE_HELP}
  --sweep N,N,...              run once per producer count, e.g. 1,2,4,8
  --chart PATH                 where --sweep writes its chart (default weir-perf-sweep.svg)`,
    [
      'weir perf produce --num-records 1000000 --record-size 100 --throughput -1',
      'weir perf produce --throughput 20000 --acks 1 --compression lz4 --json | tail -1 | jq .latencyMs.p99',
      'weir perf produce --num-records 200000 --sweep 1,2,4,8 --chart sweep.svg',
    ],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...PRODUCE_OPTIONS,
      sweep: { type: 'string' },
      chart: { type: 'string' },
    });
    expectPositionals(positionals, []);
    const options = loadOptions(values);
    const sweep = values.sweep?.split(',').map((n) => integer(n.trim(), 'sweep', 1, 1000)!);
    const out = human(values);
    return withClient(values['bootstrap-server'], async (client) => {
      const partitions = await ensureTopic(
        client,
        options.topic,
        options.partitions,
        values.quiet ?? false,
      );
      if (sweep) return runSweep(client, options, partitions, sweep, values);
      const before = await logEndSum(client, options.topic, partitions);
      const progress = new Progress('sent', !values.quiet);
      const outcome = await runProduceLoad(options, progress).finally(() => progress.stop());
      out(summaryLine('sent', outcome.result, outcome.histogram));
      const acked = BigInt(outcome.result.records);
      let grown = (await logEndSum(client, options.topic, partitions)) - before;
      // acks=0 gives no answer: wait for the broker to catch up before comparing.
      for (let i = 0; grown < acked && options.acks === 0 && i < 50; i++) {
        await sleep(100);
        grown = (await logEndSum(client, options.topic, partitions)) - before;
      }
      out(
        `Broker log end offsets of '${options.topic}' grew by ${grown} (${acked} records acknowledged${grown === acked ? ', they match' : ''})\n`,
      );
      if (values.json) process.stdout.write(`${json(outcome.result)}\n`);
      failIfErrors(outcome);
      if (grown < acked && options.acks !== 0) {
        process.stderr.write(
          `weir perf: the broker holds ${acked - grown} fewer records than were acknowledged\n`,
        );
        return EXIT_FAILURE;
      }
      return EXIT_OK;
    });
  },
};

async function runSweep(
  client: KafkaClient,
  options: ProduceLoadOptions,
  partitions: number[],
  counts: number[],
  values: { json?: boolean | undefined; quiet?: boolean | undefined; chart?: string | undefined },
): Promise<number> {
  const out = human(values);
  const steps: (PerfResult & { producers: number })[] = [];
  for (const producers of counts) {
    const before = await logEndSum(client, options.topic, partitions);
    const progress = new Progress(`sent (${producers} producers)`, !values.quiet);
    const outcome = await runProduceLoad({ ...options, producers }, progress).finally(() =>
      progress.stop(),
    );
    failIfErrors(outcome);
    const grown = (await logEndSum(client, options.topic, partitions)) - before;
    out(
      `${producers} producer(s): ${summaryLine('sent', outcome.result, outcome.histogram).trimEnd()}; log end offsets +${grown}\n`,
    );
    steps.push({ ...outcome.result, producers });
  }
  const best = Math.max(...steps.map((s) => s.recordsPerSec));
  const knee = steps.findIndex((s) => s.recordsPerSec >= 0.95 * best);
  out(
    `\n${table(
      ['PRODUCERS', 'RECORDS/S', 'MB/S', 'P50-MS', 'P95-MS', 'P99-MS', 'P99.9-MS', 'MAX-MS', ''],
      steps.map((s, i) => [
        s.producers,
        s.recordsPerSec.toFixed(1),
        s.mbPerSec.toFixed(2),
        s.latencyMs.p50,
        s.latencyMs.p95,
        s.latencyMs.p99,
        s.latencyMs.p999,
        s.latencyMs.max,
        i === knee ? '<- saturation' : '',
      ]),
    )}`,
  );
  const kneeStep = steps[knee]!;
  out(
    `Saturation at ${kneeStep.producers} producer(s): ${kneeStep.recordsPerSec.toFixed(0)} records/s; more producers add latency, not throughput.\n`,
  );
  const chartPath = resolve(values.chart ?? 'weir-perf-sweep.svg');
  writeFileSync(
    chartPath,
    renderChart({
      title: `weir perf produce: ${options.recordSize}-byte records, acks=${options.acks === -1 ? 'all' : options.acks}`,
      xLabel: 'throughput (records/s)',
      yLabel: 'latency (ms)',
      series: ['p50', 'p99'],
      points: steps.map((s) => ({
        label: `${s.producers}p`,
        x: s.recordsPerSec,
        ys: [s.latencyMs.p50, s.latencyMs.p99],
      })),
      mark: knee,
    }),
  );
  out(`Chart written to ${chartPath}\n`);
  if (values.json) {
    const { producers, ...result } = kneeStep;
    process.stdout.write(`${json({ ...result, producers, sweep: steps })}\n`);
  }
  return EXIT_OK;
}

const consume: Subcommand = {
  summary: 'consumer load',
  usage: usageText(
    'weir perf consume [options]',
    `Reads --num-records records from the earliest offsets of every partition and reports
records/s, MB/s (keys and values) and the latency of each poll (how long it waited for
its records).`,
    `  --topic TOPIC                topic to read (default weir-perf)
  --num-records N              records to read (default 1000000)
  --timeout-ms MS              stop after MS without a record (default 10000)
  --fetch-size BYTES           bytes per partition per Fetch, Kafka's max.partition.fetch.bytes
                               (default 1048576, Kafka's default)
  --json                       end with one JSON line (see 'weir perf produce --help')
  --quiet                      no progress line`,
    [
      'weir perf consume --num-records 1000000',
      'weir perf consume --topic orders --num-records 5000 --json',
      'weir perf consume --num-records 1000000 --fetch-size 4194304',
    ],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      topic: { type: 'string', default: 'weir-perf' },
      'num-records': { type: 'string', default: '1000000' },
      'timeout-ms': { type: 'string', default: '10000' },
      'fetch-size': { type: 'string', default: '1048576' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    });
    expectPositionals(positionals, []);
    const numRecords = integer(values['num-records'], 'num-records', 1)!;
    const timeoutMs = integer(values['timeout-ms'], 'timeout-ms', 0)!;
    const fetchSize = integer(values['fetch-size'], 'fetch-size', 1, 256 * 1024 * 1024)!;
    return withClient(values['bootstrap-server'], async (client) => {
      await client.topic(values.topic);
      const load = await prepareConsumeLoad({
        bootstrapServers: values['bootstrap-server'],
        topic: values.topic,
        numRecords,
        timeoutMs,
        partitionMaxBytes: fetchSize,
      });
      const progress = new Progress('consumed', !values.quiet);
      const outcome = await load.run(progress).finally(() => {
        progress.stop();
        load.close();
      });
      human(values)(summaryLine('consumed', outcome.result, outcome.histogram));
      if (values.json) process.stdout.write(`${json(outcome.result)}\n`);
      if (outcome.result.records < numRecords) {
        process.stderr.write(
          `weir perf: only ${outcome.result.records} of ${numRecords} records arrived within ${timeoutMs} ms\n`,
        );
        return EXIT_FAILURE;
      }
      return EXIT_OK;
    });
  },
};

const e2e: Subcommand = {
  summary: 'end-to-end latency',
  usage: usageText(
    'weir perf e2e [options]',
    `Starts a consumer at the end of the topic, then produces --num-records records and
reports, on the consumer side, records/s, MB/s and the latency from send() to receipt
(the send time travels in each value's first 8 bytes, so --record-size is at least 8).`,
    `${PRODUCE_HELP}
  --timeout-ms MS              stop after MS without a record (default 10000)`,
    [
      'weir perf e2e --num-records 100000 --throughput 10000',
      'weir perf e2e --num-records 50000 --acks 1 --json',
    ],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...PRODUCE_OPTIONS,
      'num-records': { type: 'string', default: '100000' },
      'timeout-ms': { type: 'string', default: '10000' },
    });
    expectPositionals(positionals, []);
    const options = { ...loadOptions(values), stampValues: true };
    if (options.recordSize < 8)
      throw new UsageError('--record-size must be at least 8 for e2e (the send time)');
    const timeoutMs = integer(values['timeout-ms'], 'timeout-ms', 0)!;
    return withClient(values['bootstrap-server'], async (client) => {
      await ensureTopic(client, options.topic, options.partitions, values.quiet ?? false);
      const load = await prepareConsumeLoad({
        bootstrapServers: options.bootstrapServers,
        topic: options.topic,
        numRecords: options.numRecords,
        timeoutMs,
        from: 'latest',
        stampedValues: true,
      });
      const progress = new Progress('received', !values.quiet);
      const [consumed, produced] = await Promise.all([
        load.run(progress),
        runProduceLoad(options, new Progress('sent', false)),
      ]).finally(() => {
        progress.stop();
        load.close();
      });
      const out = human(values);
      out(
        summaryLine('sent', produced.result, produced.histogram).replace(
          'latency ms',
          'ack latency ms',
        ),
      );
      out(
        summaryLine('received', consumed.result, consumed.histogram).replace(
          'latency ms',
          'end-to-end latency ms',
        ),
      );
      if (values.json) process.stdout.write(`${json(consumed.result)}\n`);
      failIfErrors(produced);
      if (consumed.result.records < produced.result.records) {
        process.stderr.write(
          `weir perf: ${produced.result.records} records acknowledged but ${consumed.result.records} received\n`,
        );
        return EXIT_FAILURE;
      }
      return EXIT_OK;
    });
  },
};

export const perfCommand: Command = {
  name: 'perf',
  summary: 'measure producer, consumer and end-to-end throughput and latency',
  usage: USAGE,
  run: (args) => dispatch(USAGE, { produce, consume, e2e }, args),
};
