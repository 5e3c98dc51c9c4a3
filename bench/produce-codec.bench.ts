/**
 * Produce request codec throughput: decodeRequestFrame and encodeRequestFrame on a Produce
 * request carrying 1 MiB of records, at v9 (flexible) and v3 (the oldest Weir serves), in
 * two shapes: 16 partitions x 64 KiB batches, and one 1 MiB batch.
 *
 * Both directions are zero-copy for the records (decode returns slices of the frame,
 * encode references buffers >= 4 KiB), so their cost is per field, not per byte. Next to
 * each figure stands a ceiling measured in the same run on the same 1 MiB: a memcpy
 * (`Buffer.copy` into a preallocated buffer) and a `Buffer.concat` of the batches (what
 * any copying codec pays at least). ratio = codec MB/s / memcpy MB/s; above 1 means the
 * codec handles a request faster than the machine can copy its bytes once.
 * "encode+copy" also gathers the encoded chunks into one preallocated Buffer, as a socket
 * without writev would need. `Buffer.concat` allocates 1 MiB per call, so its figure
 * swings with GC state from run to run (2-17 GB/s on the reference VM); the preallocated
 * copies are the stable ceilings.
 *
 * Run: npx tsc -p . && node dist/bench/produce-codec.bench.js
 */
import { arch, cpus, platform } from 'node:os';
import {
  ApiKey,
  decodeRequestFrame,
  encodeRequestFrame,
  type AnyRequest,
} from '../src/protocol/kafka/index.js';
import type { ProduceRequest } from '../src/protocol/kafka/generated/messages/produce.js';

const RUNS = 7;
const RUN_NANOS = 150_000_000n;
const MiB = 1024 * 1024;

/** Median operations per second of `work()` over RUNS timed runs of about 150 ms each. */
function opsPerSecond(work: () => unknown): number {
  for (let i = 0; i < 500; i++) work(); // warm up the JIT
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let iterations = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (elapsed < RUN_NANOS) {
      for (let i = 0; i < 16; i++) work();
      iterations += 16;
      elapsed = process.hrtime.bigint() - start;
    }
    rates.push((iterations * 1e9) / Number(elapsed));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(RUNS / 2)]!;
}

function filledBuffer(size: number, seed: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buffer[i] = ((i + seed) * 2654435761) >>> 24;
  return buffer;
}

function produceRequest(partitions: number, batchSize: number): ProduceRequest {
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      {
        name: 'bench-topic',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitionData: Array.from({ length: partitions }, (_, index) => ({
          index,
          records: filledBuffer(batchSize, index),
        })),
      },
    ],
  };
}

function row(cells: string[]): string {
  const widths = [16, 4, 15, 10, 10, 8];
  return cells
    .map((cell, i) => cell.padEnd(widths[i]!))
    .join(' ')
    .trimEnd();
}

function main(): void {
  console.log(
    `Produce request codec, node ${process.version}, ${platform()}-${arch()}, ` +
      `${cpus()[0]?.model ?? 'unknown CPU'}`,
  );
  console.log(`median of ${RUNS} runs of ${Number(RUN_NANOS) / 1e6} ms; MB = 1e6 bytes`);

  const shapes = [
    { label: '16 x 64 KiB', partitions: 16, batchSize: 64 * 1024 },
    { label: '1 x 1 MiB', partitions: 1, batchSize: MiB },
  ];

  for (const shape of shapes) {
    const request = produceRequest(shape.partitions, shape.batchSize);
    const batches = request.topicData[0]!.partitionData.map((p) => p.records!);
    const flat = Buffer.concat(batches);
    const target = Buffer.allocUnsafe(flat.length);
    const memcpy = opsPerSecond(() => flat.copy(target));
    const gather = (chunks: Buffer[], into: Buffer): number => {
      let offset = 0;
      for (const chunk of chunks) offset += chunk.copy(into, offset);
      return offset;
    };
    const gathered = opsPerSecond(() => gather(batches, target));
    const concat = opsPerSecond(() => Buffer.concat(batches, flat.length));
    const mbps = (ops: number, bytes: number): number => (ops * bytes) / 1e6;
    const memcpyMbps = mbps(memcpy, flat.length);
    console.log('');
    console.log(`${shape.label}: ${flat.length} bytes of records`);
    console.log(row(['operation', 'ver', 'frame bytes', 'MB/s', 'req/s', 'ratio']));
    console.log(
      row([
        'memcpy ceiling',
        '-',
        String(flat.length),
        memcpyMbps.toFixed(0),
        memcpy.toFixed(0),
        '1.00',
      ]),
    );
    console.log(
      row([
        'gather copy',
        '-',
        String(flat.length),
        mbps(gathered, flat.length).toFixed(0),
        gathered.toFixed(0),
        (gathered / memcpy).toFixed(2),
      ]),
    );
    console.log(
      row([
        'Buffer.concat',
        '-',
        String(flat.length),
        mbps(concat, flat.length).toFixed(0),
        concat.toFixed(0),
        (concat / memcpy).toFixed(2),
      ]),
    );
    for (const version of [9, 3]) {
      const body = request as unknown as AnyRequest;
      const frame = Buffer.concat(encodeRequestFrame(ApiKey.Produce, version, 1, 'bench', body));
      const payload = frame.subarray(4);
      const frameTarget = Buffer.allocUnsafe(frame.length);
      // Sanity: the frame decodes back to the same records.
      const check = decodeRequestFrame(payload).body as ProduceRequest;
      if (!check.topicData[0]!.partitionData.every((p, i) => p.records!.equals(batches[i]!))) {
        throw new Error('round trip lost records');
      }
      const results: [string, number][] = [
        ['decode', opsPerSecond(() => decodeRequestFrame(payload))],
        [
          'encode',
          opsPerSecond(() => encodeRequestFrame(ApiKey.Produce, version, 1, 'bench', body)),
        ],
        [
          'encode+copy',
          opsPerSecond(() =>
            gather(encodeRequestFrame(ApiKey.Produce, version, 1, 'bench', body), frameTarget),
          ),
        ],
      ];
      for (const [name, ops] of results) {
        console.log(
          row([
            name,
            `v${version}`,
            String(frame.length),
            mbps(ops, frame.length).toFixed(0),
            ops.toFixed(0),
            (ops / memcpy).toFixed(2),
          ]),
        );
      }
    }
  }
}

main();
