/**
 * Running the real `weir` command (node bin/weir.js, the built CLI) against a broker
 * started in this process, and reading what the broker stored with the test's own raw
 * client, so the CLI is never checked only against itself.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker, type Broker } from '../../src/index.js';
import { ApiKey } from '../../src/protocol/kafka/index.js';
import type { ListOffsetsResponse } from '../../src/protocol/kafka/generated/messages/list-offsets.js';
import { RawKafkaClient } from '../helpers/raw-kafka-client.js';

/** The repository root (holds package.json), from the sources or the compiled dist/ copy. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) dir = dirname(dir);
  return dir;
})();

export const WEIR = join(REPO_ROOT, 'bin', 'weir.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `weir ...args`, feeding `input` on stdin; kills it after `timeoutMs`. */
export function weir(
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WEIR, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, WEIR_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`weir ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** An in-memory broker tuned for fast tests (groups rebalance at once). */
export function startTestBroker(config: Record<string, string | number> = {}): Promise<Broker> {
  return startBroker({
    port: 0,
    dataDir: 'memory',
    config: {
      'group.initial.rebalance.delay.ms': 0,
      'offsets.topic.num.partitions': 3,
      ...config,
    },
  });
}

/** Log end offsets per partition, asked with the test's raw client (ListOffsets v1, latest). */
export async function logEndOffsets(
  port: number,
  topic: string,
  partitions: number,
): Promise<bigint[]> {
  const client = await RawKafkaClient.connect(port);
  try {
    const response = await client.send<ListOffsetsResponse>(ApiKey.ListOffsets, 1, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 1000,
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
            partitionIndex,
            currentLeaderEpoch: -1,
            timestamp: -1n,
          })),
        },
      ],
    });
    const result = response.topics[0]!.partitions.sort(
      (a, b) => a.partitionIndex - b.partitionIndex,
    );
    for (const p of result)
      if (p.errorCode !== 0) throw new Error(`ListOffsets error ${p.errorCode}`);
    return result.map((p) => p.offset);
  } finally {
    client.close();
  }
}

/** Asserts the one-line error contract: a single `weir <command>: ...` line, no stack trace. */
export function oneLineError(result: RunResult, command: string, pattern: RegExp): void {
  const lines = result.stderr.trimEnd().split('\n');
  if (
    lines.length !== 1 ||
    !lines[0]!.startsWith(`weir ${command}: `) ||
    !pattern.test(lines[0]!)
  ) {
    throw new Error(`expected one line 'weir ${command}: ${pattern}', got:\n${result.stderr}`);
  }
  if (/\n\s+at /.test(result.stderr)) throw new Error(`stack trace on stderr:\n${result.stderr}`);
}
