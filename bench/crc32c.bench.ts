/**
 * CRC-32C throughput: Weir's addon (native/crc32c.c, three SSE4.2 chains), the prebuilt
 * @node-rs/crc32 and the pure-TypeScript slicing-by-8 fallback, on 16 KiB (a typical
 * produced batch) and 1 MiB buffers.
 *
 * Each figure stands next to a ceiling measured in the same run on the same buffer: a
 * memcpy (`buffer.copy` into a preallocated buffer), which reads every byte once as a CRC
 * must. The ratio says how close to memory bandwidth the CRC runs, which makes results
 * comparable across machines.
 *
 * Run: npx tsc -p . && node dist/bench/crc32c.bench.js
 */
import { createRequire } from 'node:module';
import { arch, cpus, platform } from 'node:os';
import { crc32cAddon, crc32cFallback, crc32cNative } from '../src/records/crc32c.js';

const RUNS = 7;
const RUN_NANOS = 150_000_000n;

/** Median GB/s of `work(buffer)` over RUNS timed runs of about 150 ms each. */
function throughput(buffer: Buffer, work: (buffer: Buffer) => unknown): number {
  for (let i = 0; i < 200; i++) work(buffer); // warm up the JIT
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let iterations = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (elapsed < RUN_NANOS) {
      for (let i = 0; i < 16; i++) work(buffer);
      iterations += 16;
      elapsed = process.hrtime.bigint() - start;
    }
    rates.push((iterations * buffer.length) / Number(elapsed)); // bytes per ns = GB/s
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(RUNS / 2)];
}

function randomBuffer(size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buffer[i] = (i * 2654435761) >>> 24;
  return buffer;
}

function row(cells: string[]): string {
  const widths = [8, 10, 10, 14, 8];
  return cells
    .map((cell, i) => cell.padEnd(widths[i]))
    .join(' ')
    .trimEnd();
}

function main(): void {
  const require = createRequire(import.meta.url);
  const nativeVersion = (require('@node-rs/crc32/package.json') as { version: string }).version;
  console.log(
    `CRC-32C throughput, node ${process.version}, ${platform()}-${arch()}, ` +
      `${cpus()[0]?.model ?? 'unknown CPU'}; addon = native/crc32c.c, native = @node-rs/crc32 ${nativeVersion}`,
  );
  console.log(`median of ${RUNS} runs of ${Number(RUN_NANOS) / 1e6} ms; GB = 1e9 bytes`);
  console.log(row(['size', 'impl', 'GB/s', 'memcpy GB/s', 'ratio']));
  const implementations: Array<[string, ((data: Uint8Array) => number) | null]> = [
    ['addon', crc32cAddon],
    ['native', crc32cNative],
    ['fallback', crc32cFallback],
  ];
  for (const [label, size] of [
    ['16 KiB', 16 * 1024],
    ['1 MiB', 1024 * 1024],
  ] as const) {
    const buffer = randomBuffer(size);
    const target = Buffer.allocUnsafe(size);
    const ceiling = throughput(buffer, (b) => b.copy(target));
    for (const [name, crc] of implementations) {
      if (!crc) {
        console.log(row([label, name, 'unavailable']));
        continue;
      }
      const rate = throughput(buffer, crc);
      console.log(
        row([label, name, rate.toFixed(2), ceiling.toFixed(2), (rate / ceiling).toFixed(2)]),
      );
    }
  }
}

main();
