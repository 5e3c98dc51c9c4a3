/**
 * Weir's benchmark suite (issue 7): in one run, how close Weir gets to what this machine
 * can physically do, and how it compares with RabbitMQ and NATS JetStream on the same
 * machine, cross-checked with third-party clients (kcat, KafkaJS).
 *
 *   1. ceilings     plain Node: TCP receive → file append (ceiling 1); file read → TCP send
 *                   (ceiling 2, warm and cold); 1 KiB ping-pong (latency floor)
 *   2c. paired      the 1 KiB acks=1 target: ceiling 1, weir perf and the raw client back
 *                   to back from one page-cache state (memory recycled / fresh), 5 pairs
 *                   each; each Weir run is judged against its own pair's ceiling
 *   2. produce      weir perf produce: acks 1/all × 1/4 producers × 100 B/1 KiB × batch
 *                   16 KiB/1 MiB × none/lz4; records/s, MB/s, fraction of ceiling 1
 *   raw             the broker alone: a pre-encoded load generator (workers/raw-client.ts)
 *                   that resends one built batch, so the client costs almost nothing
 *   3. consume      weir perf consume (and a raw fetch loop) from a pre-filled topic, page
 *                   cache warm and cold
 *   4. e2e          weir perf e2e at 1k, 10k, 50k records/s of 1 KiB, acks=all
 *   5. saturation   1→16 producers at max rate; chart in bench/charts/saturation.svg
 *   6. peers        RabbitMQ and NATS JetStream (started and stopped here), same workloads
 *   7. crosscheck   kcat and KafkaJS drive the produce/consume workload of part 2/3
 *
 * Every Weir broker runs in its own process (`node bin/weir.js start`), with its RSS
 * sampled from /proc/<pid>/status; every load generator is another process.
 *
 * Run:   npm run bench                            (every bench; this one in full, ~15 min)
 *        npm run build && node dist/bench/suite/broker.bench.js [--quick] [--only a,b]
 *           [--profile] [--write | --no-write]
 * --quick (or WEIR_BENCH_QUICK=1): smaller runs and fewer cases, ~3 min.
 * --from-json .tmp/bench-suite/results.json: only re-render the chart and the report.
 * --profile: afterwards, rerun the workloads behind the targets with the broker and the
 *   load generator under --cpu-prof and summarise the hot spots (.tmp/bench-suite/profiles).
 * Full runs rewrite the generated part of bench/RESULTS.md (between the weir-suite
 * markers) and bench/charts/saturation.svg; quick runs write to .tmp/bench-suite/ unless
 * --write is given.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureCeilings, produceCeiling } from './ceilings.js';
import { renderSaturationChart, saturationIndex } from './lib/chart.js';
import {
  kcatAvailable,
  kcatConsume,
  kcatProduce,
  writeRecordFile,
  type KcatResult,
} from './lib/kcat.js';
import { evict, PAGE_STATES, preparePages } from './lib/page-cache.js';
import {
  natsAvailable,
  rabbitAvailable,
  startNats,
  startRabbit,
  type PeerServer,
} from './lib/peers.js';
import { repoRoot, runJson, workerScript, type RssSummary } from './lib/proc.js';
import { renderFlameGraph } from './lib/flamegraph.js';
import { summariseProfile } from './lib/profile.js';
import {
  perfArgs,
  perfCommand,
  segmentFiles,
  startWeir,
  weirPerf,
  weirPerfAvailable,
  type PerfOptions,
  type PerfResult,
  type WeirBroker,
} from './lib/weir.js';
import { writeReport } from './report.js';
import { ceilingOf, mbps, type ProduceCase, type RawCase, type SuiteResults } from './results.js';

// ------------------------------------------------------------------ configuration

const argv = process.argv.slice(2);
const quick = argv.includes('--quick') || process.env['WEIR_BENCH_QUICK'] === '1';
const onlyArg = argv[argv.indexOf('--only') + 1];
const only = argv.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : null;
const profile = argv.includes('--profile');
const write = argv.includes('--write') || (!quick && !argv.includes('--no-write'));
const runs = (section: string): boolean => only === null || only.has(section);

const KiB = 1024;
const MiB = 1024 * KiB;

const CONFIG = {
  quick,
  ceilingBytes: quick ? 256 * MiB : 1024 * MiB,
  ceilingReps: quick ? 1 : 3,
  pingCount: quick ? 5000 : 20000,
  /**
   * Records per produce and consume case, by record size: about a second or more per case
   * at the rates reached, so start-up (connections, JIT warm-up) stays a small part of it.
   * A produce case stays under 1 GiB, the segment size: a roll would add the rolled
   * segment's flush to disk (as in Kafka) to a run the ceiling does not fsync.
   */
  produceRecords: { 100: quick ? 500_000 : 4_000_000, 1024: quick ? 100_000 : 500_000 } as Record<
    number,
    number
  >,
  consumeRecords: { 100: quick ? 600_000 : 6_000_000, 1024: quick ? 200_000 : 2_000_000 } as Record<
    number,
    number
  >,
  consumeWarmReps: quick ? 1 : 3,
  consumeColdReps: quick ? 1 : 3,
  e2eRates: [1000, 10_000, 50_000],
  e2eSeconds: quick ? 3 : 10,
  saturationProducers: [1, 2, 4, 8, 16],
  saturationRecords: quick ? 60_000 : 300_000,
  peerRecords: quick ? 30_000 : 200_000,
  peerE2eSeconds: quick ? 2 : 5,
  peerWindow: 1000,
  peerPrefetch: 1000,
  /** Pairs (ceiling 1, weir perf, pre-encoded client) per page-cache state. */
  pairedPairs: quick ? 1 : 5,
  crossRecords: { 100: quick ? 500_000 : 2_000_000, 1024: quick ? 100_000 : 500_000 } as Record<
    number,
    number
  >,
  kafkajsRecords: quick ? 50_000 : 200_000,
  /** Records per pre-encoded (raw client) produce case, by record size. */
  rawRecords: { 100: quick ? 1_000_000 : 3_000_000, 1024: quick ? 200_000 : 500_000 } as Record<
    number,
    number
  >,
};

const RAW_PRODUCE_CASES: RawCase[] = [
  { kind: 'produce', recordSize: 1024, acks: '1', batchSize: 16 * KiB, inFlight: 5 },
  { kind: 'produce', recordSize: 1024, acks: '1', batchSize: 16 * KiB, inFlight: 64 },
  { kind: 'produce', recordSize: 1024, acks: '1', batchSize: MiB, inFlight: 5 },
  { kind: 'produce', recordSize: 1024, acks: 'all', batchSize: 16 * KiB, inFlight: 64 },
  { kind: 'produce', recordSize: 100, acks: '1', batchSize: 16 * KiB, inFlight: 64 },
  { kind: 'produce', recordSize: 100, acks: '1', batchSize: MiB, inFlight: 5 },
];

function rawArgs(c: RawCase, bootstrap: string, topic: string, records: number): string[] {
  return c.kind === 'produce'
    ? [
        workerScript('raw-client'),
        'produce',
        bootstrap,
        topic,
        String(records),
        String(c.recordSize),
        String(c.batchSize),
        String(c.inFlight),
        c.acks === 'all' ? '-1' : '1',
      ]
    : [
        workerScript('raw-client'),
        'fetch',
        bootstrap,
        topic,
        String(records),
        String(c.partitionMaxBytes ?? MiB),
        String(c.recordSize),
      ];
}

/** Runs the pre-encoded load generator with the broker's RSS sampled. */
async function measuredRaw(
  broker: WeirBroker,
  c: RawCase,
  topic: string,
  records: number,
): Promise<{ result: PerfResult | null; rss: RssSummary; error?: string }> {
  broker.rss.start(100);
  try {
    const result = await runJson<PerfResult>(
      process.execPath,
      rawArgs(c, broker.bootstrap, topic, records),
      {
        timeoutMs: 300_000,
      },
    );
    return { result, rss: broker.rss.stop() };
  } catch (error) {
    return { result: null, rss: broker.rss.stop(), error: errorText(error) };
  }
}

function describeRaw(c: RawCase): string {
  return c.kind === 'produce'
    ? `raw produce ${c.recordSize} B acks=${c.acks} batch=${(c.batchSize ?? 0) / KiB} KiB in-flight=${c.inFlight}`
    : `raw fetch ${c.recordSize} B ${c.cache} ${(c.partitionMaxBytes ?? 0) / MiB} MiB/fetch`;
}

// ------------------------------------------------------------------ helpers

const root = repoRoot();
const work = join(tmpdir(), `weir-bench-suite-${process.pid}`);
mkdirSync(work, { recursive: true });
const outDir = join(root, '.tmp', 'bench-suite');
mkdirSync(outDir, { recursive: true });
const started = Date.now();

function log(line: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${t}s] ${line}\n`);
}

function describe(result: PerfResult): string {
  const l = result.latencyMs;
  return `${Math.round(result.recordsPerSec).toLocaleString('en-US')} rec/s, ${mbps(result).toFixed(1)} MB/s${l ? `, p99 ${l.p99} ms` : ''}`;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 3).join(' ');
}

function environment(): Record<string, string> {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  const dirty = git(['status', '--porcelain']).length > 0;
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    kernel: readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' '),
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ' + uncommitted changes' : ''}`,
    flags: argv.join(' ') || '(none)',
    loadBefore: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

async function withBroker<T>(
  name: string,
  body: (broker: WeirBroker) => Promise<T>,
  config: Record<string, string> = {},
): Promise<T> {
  const broker = await startWeir({ dataDir: join(work, `weir-${name}`), config });
  try {
    return await body(broker);
  } finally {
    await broker.stop().catch((error) => log(`broker stop: ${errorText(error)}`));
    rmSync(broker.dataDir, { recursive: true, force: true });
  }
}

/** Runs `weir perf` with the broker's RSS sampled for the duration. */
async function measured(
  broker: WeirBroker,
  mode: 'produce' | 'consume' | 'e2e',
  options: PerfOptions,
): Promise<{ result: PerfResult | null; rss: RssSummary; error?: string }> {
  broker.rss.start(100);
  try {
    const result = await weirPerf(mode, broker.bootstrap, {
      ...options,
      extra: ['--quiet', ...(options.extra ?? [])],
    });
    return { result, rss: broker.rss.stop() };
  } catch (error) {
    return { result: null, rss: broker.rss.stop(), error: errorText(error) };
  }
}

function produceOptions(c: ProduceCase, topic: string, numRecords: number): PerfOptions {
  return {
    topic,
    numRecords,
    recordSize: c.recordSize,
    producers: c.producers,
    batchSize: c.batchSize,
    lingerMs: 5,
    acks: c.acks,
    compression: c.compression,
    ...(c.maxInFlight !== undefined ? { maxInFlight: c.maxInFlight } : {}),
  };
}

/** The peers' comparison row: acks=all, 16 KiB batches, the peers' 1 MB unacknowledged window. */
const WINDOW_MATCHED_CASE: ProduceCase = {
  acks: 'all',
  producers: 1,
  recordSize: 1024,
  batchSize: 16 * KiB,
  compression: 'none',
  maxInFlight: 64,
};

function produceCases(): ProduceCase[] {
  const cases: ProduceCase[] = [];
  if (quick) {
    for (const recordSize of [100, 1024]) {
      for (const acks of ['1', 'all'] as const) {
        cases.push({ acks, producers: 1, recordSize, batchSize: 16 * KiB, compression: 'none' });
      }
    }
    cases.push({ acks: '1', producers: 1, recordSize: 100, batchSize: MiB, compression: 'none' });
    cases.push({ acks: '1', producers: 1, recordSize: 1024, batchSize: MiB, compression: 'none' });
    cases.push({
      acks: '1',
      producers: 4,
      recordSize: 1024,
      batchSize: 16 * KiB,
      compression: 'none',
    });
    cases.push({
      acks: '1',
      producers: 1,
      recordSize: 1024,
      batchSize: 16 * KiB,
      compression: 'lz4',
    });
    cases.push(WINDOW_MATCHED_CASE);
    return cases;
  }
  for (const recordSize of [100, 1024]) {
    for (const acks of ['1', 'all'] as const) {
      for (const producers of [1, 4]) {
        for (const batchSize of [16 * KiB, MiB]) {
          for (const compression of ['none', 'lz4'] as const) {
            cases.push({ acks, producers, recordSize, batchSize, compression });
          }
        }
      }
    }
  }
  cases.push(WINDOW_MATCHED_CASE);
  return cases;
}

// ------------------------------------------------------------------ sections

async function sectionProduce(results: SuiteResults): Promise<void> {
  const cases = produceCases();
  for (const [i, c] of cases.entries()) {
    const reps = !quick && isTargetCase(c) ? 3 : 1;
    for (let rep = 0; rep < reps; rep++) {
      await produceOnce(results, c, i);
    }
  }
}

/** The rows the targets are judged on run three times in full mode. */
function isTargetCase(c: ProduceCase): boolean {
  if (c.producers !== 1 || c.compression !== 'none') return false;
  if (c.acks === '1') return true;
  return c.recordSize === 1024 && c.batchSize === 16 * KiB;
}

async function produceOnce(results: SuiteResults, c: ProduceCase, i: number): Promise<void> {
  const topic = `produce-${i}`;
  const row = await withBroker(`produce-${i}`, (broker) =>
    measured(broker, 'produce', produceOptions(c, topic, CONFIG.produceRecords[c.recordSize]!)),
  );
  results.produce.push({
    params: c,
    result: row.result,
    rss: row.rss,
    ...(row.error ? { error: row.error } : {}),
  });
  log(
    `produce ${c.recordSize} B acks=${c.acks} producers=${c.producers} batch=${c.batchSize / KiB} KiB ${c.compression}: ${row.result ? describe(row.result) : `FAILED ${row.error}`}; RSS peak ${(row.rss.peak / MiB).toFixed(0)} MiB`,
  );
}

/**
 * The 1 KiB acks=1 target, judged on pairs: ceiling 1, `weir perf` and the pre-encoded
 * client run back to back, each from the same page-cache state (lib/page-cache.ts), and
 * each pair gives its own ratio. The ceiling measured apart (section 1) moved 537-1614
 * MB/s between runs, more than the margin the target is judged on; most of that is
 * whether the run's page cache reused memory freed a moment before.
 */
async function sectionPaired(results: SuiteResults): Promise<void> {
  const records = CONFIG.produceRecords[1024]!;
  const bytes = records * 1024;
  const c: ProduceCase = {
    acks: '1',
    producers: 1,
    recordSize: 1024,
    batchSize: MiB,
    compression: 'none',
  };
  const raw: RawCase = {
    kind: 'produce',
    recordSize: 1024,
    acks: '1',
    batchSize: MiB,
    inFlight: 5,
  };
  for (const state of PAGE_STATES) {
    for (let pair = 0; pair < CONFIG.pairedPairs; pair++) {
      const prepare = (): Promise<void> => preparePages(state, work, Math.round(bytes * 1.5));
      const errors: string[] = [];
      const file = join(work, 'paired-ceiling.dat');
      const ceilingMBps = await produceCeiling(file, bytes, prepare).catch((error: unknown) => {
        errors.push(`ceiling: ${errorText(error)}`);
        return null;
      });
      rmSync(file, { force: true });
      const perf = await withBroker('paired', async (broker) => {
        await prepare();
        return measured(broker, 'produce', produceOptions(c, 'paired', records));
      });
      const rawRun = await withBroker('paired-raw', async (broker) => {
        await prepare();
        return measuredRaw(broker, raw, 'paired', records);
      });
      if (perf.error) errors.push(`weir perf: ${perf.error}`);
      if (rawRun.error) errors.push(`pre-encoded: ${rawRun.error}`);
      results.paired!.push({
        state,
        pair,
        ceilingMBps,
        perf: perf.result,
        raw: rawRun.result,
        errors,
      });
      const ratio = (r: PerfResult | null): string =>
        r && ceilingMBps
          ? `${mbps(r).toFixed(0)} MB/s = ${((100 * mbps(r)) / ceilingMBps).toFixed(0)}%`
          : 'FAILED';
      log(
        `paired ${state} ${pair + 1}: ceiling 1 ${ceilingMBps?.toFixed(0) ?? 'FAILED'} MB/s; weir perf ${ratio(perf.result)}; pre-encoded ${ratio(rawRun.result)}${errors.length ? ` (${errors.join('; ')})` : ''}`,
      );
    }
  }
}

async function sectionRawProduce(results: SuiteResults): Promise<void> {
  for (const [i, c] of RAW_PRODUCE_CASES.entries()) {
    for (let rep = 0; rep < (quick ? 1 : 3); rep++) await rawProduceOnce(results, c, i);
  }
}

async function rawProduceOnce(results: SuiteResults, c: RawCase, i: number): Promise<void> {
  const row = await withBroker(`raw-${i}`, (broker) =>
    measuredRaw(broker, c, `raw-${i}`, CONFIG.rawRecords[c.recordSize]!),
  );
  results.raw.push({
    params: c,
    result: row.result,
    rss: row.rss,
    ...(row.error ? { error: row.error } : {}),
  });
  log(
    `${describeRaw(c)}: ${row.result ? describe(row.result) : `FAILED ${row.error}`}; RSS peak ${(row.rss.peak / MiB).toFixed(0)} MiB`,
  );
}

/**
 * Node 20's libuv (1.46) submits file writes and reads through io_uring, which runs a
 * buffered write's copy into the page cache on the calling (event-loop) thread; with
 * UV_USE_IO_URING=0 the same calls go to libuv's thread pool and the copy runs on the
 * other core. Alternating pairs of fresh brokers, the same pre-encoded workloads.
 */
async function sectionIoUring(results: SuiteResults): Promise<void> {
  const pairs = quick ? 1 : 3;
  const records = CONFIG.rawRecords[1024]!;
  const cases: RawCase[] = [
    { kind: 'produce', recordSize: 1024, acks: '1', batchSize: 16 * KiB, inFlight: 64 },
    { kind: 'produce', recordSize: 1024, acks: '1', batchSize: MiB, inFlight: 5 },
    { kind: 'fetch', recordSize: 1024, cache: 'warm', partitionMaxBytes: MiB },
  ];
  for (let pair = 0; pair < pairs; pair++) {
    const order: ('default' | 'off')[] = pair % 2 === 0 ? ['default', 'off'] : ['off', 'default'];
    for (const uring of order) {
      const env: Record<string, string> = uring === 'off' ? { UV_USE_IO_URING: '0' } : {};
      const broker = await startWeir({ dataDir: join(work, `weir-uring-${uring}`), env });
      try {
        for (const c of cases) {
          // The fetch reads what the 1 MiB-batch produce just wrote.
          const row = await measuredRaw(
            broker,
            c,
            c.batchSize === MiB || c.kind === 'fetch' ? 'big' : 'small',
            records,
          );
          results.iouring.push({
            params: { ...c, uring, pair },
            result: row.result,
            rss: row.rss,
            ...(row.error ? { error: row.error } : {}),
          });
          log(
            `io_uring ${uring}: ${describeRaw(c)}: ${row.result ? describe(row.result) : `FAILED ${row.error}`}`,
          );
        }
      } finally {
        await broker.stop().catch((error) => log(`broker stop: ${errorText(error)}`));
        rmSync(broker.dataDir, { recursive: true, force: true });
      }
    }
  }
}

async function sectionConsume(results: SuiteResults): Promise<void> {
  for (const recordSize of [1024, 100]) {
    const records = CONFIG.consumeRecords[recordSize]!;
    await withBroker(`consume-${recordSize}`, async (broker) => {
      const topic = `consume-${recordSize}`;
      const fill = await measured(broker, 'produce', {
        topic,
        numRecords: records,
        recordSize,
        acks: '1',
        batchSize: MiB,
        lingerMs: 5,
      });
      results.prefill.push({ params: { recordSize, records }, result: fill.result, rss: fill.rss });
      log(
        `prefill ${records} × ${recordSize} B: ${fill.result ? describe(fill.result) : `FAILED ${fill.error}`}; RSS 25%/50%/end ${[fill.rss.quarter, fill.rss.half, fill.rss.last].map((b) => (b / MiB).toFixed(0)).join('/')} MiB`,
      );
      if (!fill.result) return;
      const files = segmentFiles(broker.dataDir, topic);
      for (const cache of ['warm', 'cold'] as const) {
        const reps = cache === 'warm' ? CONFIG.consumeWarmReps : CONFIG.consumeColdReps;
        for (let rep = 0; rep < reps; rep++) {
          for (const fetchSize of consumeFetchSizes(recordSize)) {
            let note = '';
            if (cache === 'cold')
              note = ` (${((await evict(files)) / MiB).toFixed(1)} MiB left in cache)`;
            const row = await measured(broker, 'consume', {
              topic,
              numRecords: records,
              recordSize,
              fetchSize,
            });
            results.consume.push({
              params: { recordSize, cache, rep, records, fetchSize },
              result: row.result,
              rss: row.rss,
              ...(row.error ? { error: row.error } : {}),
            });
            log(
              `consume ${recordSize} B ${cache} --fetch-size ${fetchSize}${note}: ${row.result ? describe(row.result) : `FAILED ${row.error}`}; RSS peak ${(row.rss.peak / MiB).toFixed(0)} MiB`,
            );
          }
        }
      }
      for (const cache of ['warm', 'cold'] as const) {
        const reps = cache === 'warm' ? CONFIG.consumeWarmReps : CONFIG.consumeColdReps;
        for (let rep = 0; rep < reps; rep++) {
          for (const partitionMaxBytes of [MiB, 8 * MiB]) {
            if (cache === 'cold') await evict(files);
            const c: RawCase = { kind: 'fetch', recordSize, cache, partitionMaxBytes };
            const row = await measuredRaw(broker, c, topic, records);
            results.raw.push({
              params: c,
              result: row.result,
              rss: row.rss,
              ...(row.error ? { error: row.error } : {}),
            });
            log(`${describeRaw(c)}: ${row.result ? describe(row.result) : `FAILED ${row.error}`}`);
          }
        }
      }
    });
  }
}

/**
 * Kafka's default max.partition.fetch.bytes (1 MiB) for every record size; the 1 KiB target
 * rows also run with 4 MiB, the way the produce rows also run with 1 MiB batches.
 */
function consumeFetchSizes(recordSize: number): number[] {
  return recordSize === 1024 ? [MiB, 4 * MiB] : [MiB];
}

/** Latency runs use linger 0, as Kafka's own end-to-end latency tool does. */
function e2eOptions(rate: number, topic: string): PerfOptions {
  return {
    topic,
    numRecords: rate * CONFIG.e2eSeconds,
    recordSize: 1024,
    throughput: rate,
    acks: 'all',
    lingerMs: 0,
  };
}

async function sectionE2e(results: SuiteResults): Promise<void> {
  await withBroker('e2e', async (broker) => {
    for (const rate of CONFIG.e2eRates) {
      const row = await measured(broker, 'e2e', e2eOptions(rate, `e2e-${rate}`));
      results.e2e.push({
        params: { rate, seconds: CONFIG.e2eSeconds },
        result: row.result,
        rss: row.rss,
        ...(row.error ? { error: row.error } : {}),
      });
      log(
        `e2e ${rate}/s: ${row.result ? `${describe(row.result)}, p50 ${row.result.latencyMs?.p50} ms` : `FAILED ${row.error}`}`,
      );
    }
  });
}

async function sectionSaturation(results: SuiteResults): Promise<void> {
  await withBroker('saturation', async (broker) => {
    let backlog = 0;
    for (const producers of CONFIG.saturationProducers) {
      const row = await measured(broker, 'produce', {
        topic: 'saturation',
        numRecords: CONFIG.saturationRecords,
        recordSize: 1024,
        producers,
        acks: 'all',
        batchSize: 16 * KiB,
        lingerMs: 5,
      });
      backlog += row.result ? row.result.bytes : 0;
      results.saturation.push({
        params: { producers, backlogBytes: backlog },
        result: row.result,
        rss: row.rss,
        ...(row.error ? { error: row.error } : {}),
      });
      log(
        `saturation ${producers} producer(s): ${row.result ? describe(row.result) : `FAILED ${row.error}`}; RSS peak ${(row.rss.peak / MiB).toFixed(0)} MiB, backlog ${(backlog / 1e9).toFixed(2)} GB`,
      );
    }
  });
}

async function peerRun(
  system: 'rabbit' | 'nats',
  server: PeerServer,
  results: SuiteResults['peers'][number],
): Promise<void> {
  const client = (args: string[]): Promise<PerfResult & { sent?: number }> =>
    runJson(process.execPath, [workerScript('peer-client'), system, ...args], {
      timeoutMs: 300_000,
    });
  const n = String(CONFIG.peerRecords);
  server.rss.start(200);
  try {
    results.produce = await client([
      'produce',
      server.url,
      'bench',
      n,
      '1024',
      String(CONFIG.peerWindow),
    ]);
    log(`${server.name} produce: ${describe(results.produce)}`);
    results.consume = await client([
      'consume',
      server.url,
      'bench',
      n,
      String(CONFIG.peerPrefetch),
    ]);
    log(`${server.name} consume: ${describe(results.consume)}`);
    for (const rate of CONFIG.e2eRates) {
      const result = await client([
        'e2e',
        server.url,
        `e2e${rate}`,
        String(rate),
        String(CONFIG.peerE2eSeconds),
        '1024',
        String(CONFIG.peerPrefetch),
      ]);
      results.e2e.push({ rate, result });
      log(
        `${server.name} e2e ${rate}/s: ${describe(result)}, p50 ${result.latencyMs?.p50} ms, delivered ${result.records}/${result.sent}`,
      );
    }
  } finally {
    results.rss = server.rss.stop();
  }
}

async function sectionPeers(results: SuiteResults): Promise<void> {
  const systems: [
    'rabbit' | 'nats',
    string,
    () => Promise<boolean>,
    (dir: string) => Promise<PeerServer>,
  ][] = [
    ['rabbit', 'RabbitMQ', async () => rabbitAvailable(), startRabbit],
    ['nats', 'NATS JetStream', natsAvailable, startNats],
  ];
  for (const [system, name, available, start] of systems) {
    const entry: SuiteResults['peers'][number] = { system: name, version: '?', e2e: [] };
    results.peers.push(entry);
    if (!(await available())) {
      entry.error = 'not installed (apt-get install -y rabbitmq-server nats-server)';
      log(`${name}: skipped, ${entry.error}`);
      continue;
    }
    let server: PeerServer | undefined;
    try {
      log(`starting ${name}`);
      server = await start(join(work, system));
      entry.version = server.version;
      await peerRun(system, server, entry);
    } catch (error) {
      entry.error = errorText(error);
      log(`${name}: FAILED ${entry.error}`);
    } finally {
      await server?.stop().catch((error) => log(`${name} stop: ${errorText(error)}`));
    }
  }
  // Weir with an fsync before every acknowledgement, like RabbitMQ's confirms.
  const fsync = { 'weir.fsync.on.append': 'true' };
  results.weirFsync = {};
  await withBroker(
    'fsync',
    async (broker) => {
      const c: ProduceCase = {
        acks: 'all',
        producers: 1,
        recordSize: 1024,
        batchSize: 16 * KiB,
        compression: 'none',
      };
      const p = await measured(broker, 'produce', produceOptions(c, 'fsync', CONFIG.peerRecords));
      results.weirFsync!.produce = {
        params: c,
        result: p.result,
        rss: p.rss,
        ...(p.error ? { error: p.error } : {}),
      };
      log(`weir +fsync produce: ${p.result ? describe(p.result) : `FAILED ${p.error}`}`);
      const e = await measured(broker, 'e2e', e2eOptions(10_000, 'fsync-e2e'));
      results.weirFsync!.e2e = {
        params: { rate: 10_000, seconds: CONFIG.e2eSeconds },
        result: e.result,
        rss: e.rss,
        ...(e.error ? { error: e.error } : {}),
      };
      log(`weir +fsync e2e 10000/s: ${e.result ? describe(e.result) : `FAILED ${e.error}`}`);
    },
    fsync,
  );
}

async function sectionCrosscheck(results: SuiteResults): Promise<void> {
  const kcat = await kcatAvailable();
  if (!kcat)
    results.notes.push(
      'kcat is not installed (apt-get install -y kcat): its cross-check was skipped.',
    );
  await withBroker('crosscheck', async (broker) => {
    for (const recordSize of [1024, 100]) {
      const count = CONFIG.crossRecords[recordSize]!;
      const base = { recordSize, batchSize: 16 * KiB, acks: '1' as const };
      const push = (
        client: string,
        workload: string,
        result: KcatResult | PerfResult | null,
        error?: string,
      ): void => {
        results.crosscheck.push({
          client,
          workload,
          recordSize,
          result,
          ...(error ? { error } : {}),
        });
        log(
          `crosscheck ${client} ${workload} ${recordSize} B: ${result ? describe(result as PerfResult) : `FAILED ${error}`}`,
        );
      };
      const own = await measured(broker, 'produce', {
        ...base,
        topic: `cc-weir-${recordSize}`,
        numRecords: count,
        producers: 1,
        lingerMs: 5,
        compression: 'none',
      });
      push('weir perf', 'produce', own.result, own.error);
      const ownConsume = await measured(broker, 'consume', {
        topic: `cc-weir-${recordSize}`,
        numRecords: count,
        recordSize,
      });
      push('weir perf', 'consume', ownConsume.result, ownConsume.error);
      if (kcat) {
        const file = join(work, `kcat-${recordSize}.txt`);
        await writeRecordFile(file, count, recordSize);
        const topic = `cc-kcat-${recordSize}`;
        try {
          push(
            'kcat',
            'produce',
            await kcatProduce(broker.bootstrap, topic, file, count, recordSize, {
              acks: '1',
              'linger.ms': '5',
              'batch.size': String(16 * KiB),
              'compression.codec': 'none',
              'queue.buffering.max.messages': '2000000',
            }),
          );
          push('kcat', 'consume', await kcatConsume(broker.bootstrap, topic, recordSize));
        } catch (error) {
          push('kcat', 'produce/consume', null, errorText(error));
        } finally {
          rmSync(file, { force: true });
        }
      }
      if (recordSize === 1024) {
        const topic = 'cc-kafkajs';
        const kjs = (args: string[]): Promise<PerfResult> =>
          runJson(process.execPath, [workerScript('kafkajs-client'), ...args], {
            timeoutMs: 300_000,
          });
        try {
          push(
            'KafkaJS 2.2.4',
            'produce',
            await kjs([
              'produce',
              broker.bootstrap,
              topic,
              String(CONFIG.kafkajsRecords),
              '1024',
              '1',
              String(16 * KiB),
              '32',
            ]),
          );
          push(
            'KafkaJS 2.2.4',
            'consume',
            await kjs(['consume', broker.bootstrap, topic, String(CONFIG.kafkajsRecords)]),
          );
        } catch (error) {
          push('KafkaJS 2.2.4', 'produce/consume', null, errorText(error));
        }
      }
    }
  });
}

interface ProfileWorkload {
  name: string;
  /** File-name part of its flame graphs. */
  slug: string;
  /** Records put in `topic` first, on an unprofiled broker. */
  prefill?: PerfOptions;
  /** The load generator's node arguments for a broker at `bootstrap`. */
  client: (bootstrap: string) => string[];
  command: string;
}

function profileWorkloads(): ProfileWorkload[] {
  const perf = (
    mode: 'produce' | 'consume' | 'e2e',
    options: PerfOptions,
  ): Pick<ProfileWorkload, 'client' | 'command'> => ({
    client: (bootstrap) => perfArgs(mode, bootstrap, { ...options, extra: ['--quiet'] }),
    command: perfCommand(mode, options),
  });
  const raw = (
    c: RawCase,
    topic: string,
    records: number,
  ): Pick<ProfileWorkload, 'client' | 'command'> => ({
    client: (bootstrap) => rawArgs(c, bootstrap, topic, records),
    command: [
      'node dist/bench/suite/workers/raw-client.js',
      ...rawArgs(c, 'HOST:PORT', topic, records).slice(1),
    ].join(' '),
  });
  const k = 1024;
  const prefill = (topic: string): PerfOptions => ({
    topic,
    numRecords: CONFIG.consumeRecords[k]!,
    recordSize: k,
    acks: '1',
    batchSize: MiB,
    extra: ['--partitions', '1'],
  });
  return [
    {
      name: 'weir perf produce, 1 KiB, acks=1, 1 producer, batch 16 KiB',
      slug: 'produce-1k-perf',
      ...perf(
        'produce',
        produceOptions(
          { acks: '1', producers: 1, recordSize: k, batchSize: 16 * KiB, compression: 'none' },
          'p',
          CONFIG.produceRecords[k]!,
        ),
      ),
    },
    {
      name: 'pre-encoded produce, 1 KiB, acks=1, batch 16 KiB, 64 in flight',
      slug: 'produce-1k-raw',
      ...raw(
        { kind: 'produce', recordSize: k, acks: '1', batchSize: 16 * KiB, inFlight: 64 },
        'p',
        CONFIG.rawRecords[k]!,
      ),
    },
    {
      name: 'weir perf produce, 100 B, acks=1, 1 producer, batch 1 MiB',
      slug: 'produce-100b-perf',
      ...perf(
        'produce',
        produceOptions(
          { acks: '1', producers: 1, recordSize: 100, batchSize: MiB, compression: 'none' },
          'p',
          CONFIG.produceRecords[100]!,
        ),
      ),
    },
    {
      name: 'pre-encoded produce, 100 B, acks=1, batch 16 KiB, 64 in flight',
      slug: 'produce-100b-raw',
      ...raw(
        { kind: 'produce', recordSize: 100, acks: '1', batchSize: 16 * KiB, inFlight: 64 },
        'p',
        CONFIG.rawRecords[100]!,
      ),
    },
    {
      name: 'weir perf consume, 1 KiB, page cache warm',
      slug: 'consume-1k-perf',
      prefill: prefill('c'),
      ...perf('consume', { topic: 'c', numRecords: CONFIG.consumeRecords[k]!, recordSize: k }),
    },
    {
      name: 'pre-encoded fetch, 1 KiB, page cache warm',
      slug: 'fetch-1k-raw',
      prefill: prefill('c'),
      ...raw(
        { kind: 'fetch', recordSize: k, cache: 'warm', partitionMaxBytes: MiB },
        'c',
        CONFIG.consumeRecords[k]!,
      ),
    },
    {
      name: 'weir perf e2e, 10k records/s of 1 KiB, acks=all',
      slug: 'e2e-10k-perf',
      ...perf('e2e', e2eOptions(10_000, 'e')),
    },
  ];
}

/**
 * Reruns the workloads behind the targets with the broker and the load generator under
 * `node --cpu-prof`, keeping only the samples taken while the load ran.
 */
async function sectionProfile(results: SuiteResults): Promise<void> {
  const dir = join(outDir, 'profiles');
  rmSync(dir, { recursive: true, force: true });
  for (const [i, w] of profileWorkloads().entries()) {
    const brokerDir = join(dir, `${i}-broker`);
    const clientDir = join(dir, `${i}-client`);
    mkdirSync(clientDir, { recursive: true });
    const entry: SuiteResults['profiles'][number] = { workload: w.name, command: w.command };
    results.profiles.push(entry);
    const dataDir = join(work, `weir-profile-${i}`);
    try {
      if (w.prefill) {
        const filler = await startWeir({ dataDir });
        await weirPerf('produce', filler.bootstrap, {
          ...w.prefill,
          extra: [...(w.prefill.extra ?? []), '--quiet'],
        });
        await filler.stop();
      }
      const broker = await startWeir({ dataDir, cpuProfDir: brokerDir, keepData: true });
      let loadSeconds = 0;
      let endUs = 0;
      try {
        const result = await runJson<{ seconds: number }>(
          process.execPath,
          [
            '--cpu-prof',
            '--cpu-prof-interval=200',
            `--cpu-prof-dir=${clientDir}`,
            ...w.client(broker.bootstrap),
          ],
          { timeoutMs: 300_000 },
        );
        loadSeconds = result.seconds;
      } finally {
        endUs = Number(process.hrtime.bigint() / 1000n);
        await broker.stop();
      }
      // Only the samples taken while the load ran (the client reports how long that was).
      const window = { fromUs: endUs - loadSeconds * 1e6, toUs: endUs };
      const first = (d: string): string | undefined =>
        existsSync(d)
          ? readdirSync(d)
              .filter((f) => f.endsWith('.cpuprofile'))
              .map((f) => join(d, f))[0]
          : undefined;
      const b = first(brokerDir);
      const c = first(clientDir);
      if (b) entry.broker = summariseProfile(b, 15, window);
      if (c) entry.client = summariseProfile(c, 15, window);
      const chartDir = write ? join(root, 'bench', 'charts') : outDir;
      mkdirSync(chartDir, { recursive: true });
      entry.flameGraphs = [];
      for (const [who, path, summary] of [
        ['broker', b, entry.broker],
        ['client', c, entry.client],
      ] as const) {
        // The broker's always; the client's when it, not the broker, was the busy one.
        if (!path || !summary || (who === 'client' && summary.idlePercent > 20)) continue;
        const file = join(chartDir, `flame-${w.slug}-${who}.svg`);
        writeFileSync(
          file,
          renderFlameGraph(
            path,
            `${who === 'broker' ? 'Weir broker' : 'load generator'}: ${w.name}`,
            window,
          ),
        );
        entry.flameGraphs.push(file.slice(join(root, 'bench').length + 1));
      }
      log(
        `profiled "${w.name}": broker ${b ?? 'no profile'} (${entry.broker?.idlePercent ?? '?'}% idle), client ${c ?? 'no profile'} (${entry.client?.idlePercent ?? '?'}% idle)`,
      );
    } catch (error) {
      entry.error = errorText(error);
      log(`profile "${w.name}": FAILED ${entry.error}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
  if (!weirPerfAvailable()) {
    log('weir perf is not built yet (dist/src/cli/commands/perf*.js); run npm run build first');
    return 1;
  }
  const results: SuiteResults = {
    startedAt: new Date().toISOString(),
    environment: environment(),
    config: CONFIG,
    produce: [],
    consume: [],
    prefill: [],
    raw: [],
    iouring: [],
    paired: [],
    e2e: [],
    saturation: [],
    peers: [],
    crosscheck: [],
    profiles: [],
    notes: [],
  };
  log(`Weir benchmark suite (${quick ? 'quick' : 'full'}), work dir ${work}`);
  const sections: [string, (r: SuiteResults) => Promise<void>][] = [
    [
      'ceilings',
      async (r) => {
        r.ceilings = await measureCeilings(
          work,
          { bytes: CONFIG.ceilingBytes, reps: CONFIG.ceilingReps, pingCount: CONFIG.pingCount },
          log,
        );
      },
    ],
    ['paired', sectionPaired],
    ['produce', sectionProduce],
    ['raw', sectionRawProduce],
    ['iouring', sectionIoUring],
    ['consume', sectionConsume],
    ['e2e', sectionE2e],
    ['saturation', sectionSaturation],
    ['peers', sectionPeers],
    ['crosscheck', sectionCrosscheck],
  ];
  try {
    for (const [name, section] of sections) {
      if (!runs(name)) continue;
      log(`== ${name}`);
      try {
        await section(results);
      } catch (error) {
        results.notes.push(`Section ${name} failed: ${errorText(error)}`);
        log(`section ${name} FAILED: ${errorText(error)}`);
      }
      writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 1));
    }
    if (runs('ceilings') && !quick) {
      log('== ceilings again (the machine is shared: the ceiling is the median of both passes)');
      results.ceilingsAfter = await measureCeilings(
        work,
        { bytes: CONFIG.ceilingBytes, reps: 2, pingCount: CONFIG.pingCount },
        log,
      );
    }
    if (profile) {
      log('== profiles');
      await sectionProfile(results);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  results.finishedAt = new Date().toISOString();
  results.environment['loadAfter'] = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 1));
  await publish(results);
  return 0;
}

/** Writes the saturation chart and the report (RESULTS.md section) from one run's results. */
async function publish(results: SuiteResults): Promise<void> {
  const chart = results.saturation.filter((s) => s.result);
  const chartPath = write
    ? join(root, 'bench', 'charts', 'saturation.svg')
    : join(outDir, 'saturation.svg');
  if (chart.length > 0) {
    mkdirSync(join(chartPath, '..'), { recursive: true });
    const points = chart.map((s) => ({
      producers: s.params.producers,
      mbPerSec: mbps(s.result!),
      p99Ms: s.result!.latencyMs?.p99 ?? 0,
    }));
    writeFileSync(
      chartPath,
      renderSaturationChart(
        'Weir: producers 1→16 at max rate (1 KiB records, acks=all, batch 16 KiB)',
        `${results.environment['cpu']}, node ${process.version}, ${results.environment['date']?.slice(0, 10)}; saturation = fewest producers within 5% of the best`,
        points,
        ceilingOf(results, 'produce'),
      ),
    );
    log(
      `chart: ${chartPath} (saturation at ${points[saturationIndex(points)]?.producers} producers)`,
    );
  }
  const target = write ? join(root, 'bench', 'RESULTS.md') : join(outDir, 'RESULTS.md');
  await writeReport(results, target, write);
  log(
    `report: ${target}${write ? ' (generated section replaced)' : ''}; raw results: ${join(outDir, 'results.json')}`,
  );
}

const fromJson = argv.includes('--from-json') ? argv[argv.indexOf('--from-json') + 1] : undefined;
if (fromJson) {
  // Re-renders the chart and the report from a saved run (e.g. after changing report.ts).
  await publish(JSON.parse(readFileSync(fromJson, 'utf8')) as SuiteResults);
  rmSync(work, { recursive: true, force: true });
} else {
  process.exitCode = await main();
}
