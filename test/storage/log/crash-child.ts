/**
 * Child process of crash.test.ts: opens the log in argv[2] on the real disk and appends
 * crashBatch(seq) for seq = argv[3], argv[3] + 1, ... forever, a few appends in flight
 * at a time (some carrying two batches), printing "ack <seq> <count> <baseOffset>
 * <lastOffset>" to stdout once each append resolves. It never exits on its own: the
 * parent kills it with SIGKILL.
 */
import { DEFAULT_LOG_CONFIG, PartitionLog, realFileSystem } from '../../../src/storage/index.js';
import { crashBatch } from './crash-batches.js';

const dir = process.argv[2];
let seq = Number(process.argv[3]);
const IN_FLIGHT = 6;

const log = await PartitionLog.open({
  fs: realFileSystem(),
  dir,
  config: { ...DEFAULT_LOG_CONFIG, segmentBytes: 48 * 1024, indexIntervalBytes: 512 },
});
process.stdout.write(`ready ${log.logEndOffset} ${log.recovery.cleanShutdown}\n`);

async function producer(): Promise<void> {
  for (;;) {
    const first = seq;
    const count = first % 5 === 4 ? 2 : 1;
    seq += count;
    const batches =
      count === 1 ? crashBatch(first) : Buffer.concat([crashBatch(first), crashBatch(first + 1)]);
    const result = await log.append(batches);
    process.stdout.write(`ack ${first} ${count} ${result.baseOffset} ${result.lastOffset}\n`);
    if (first % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, () => producer()));
