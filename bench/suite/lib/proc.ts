/**
 * Process helpers for the benchmark suite: start a server and wait for its ready line,
 * run a load generator and parse its JSON result, sample a process tree's RSS from
 * /proc, find free ports. Every child is stopped by its own pid, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the directory holding Weir's package.json). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'weir') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the weir repository root');
    dir = parent;
  }
}

/** The compiled worker scripts live next to this file's directory (dist/bench/suite/workers). */
export function workerScript(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'workers', `${name}.js`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Service {
  child: ChildProcess;
  pid: number;
  /** The regex match of the ready line. */
  ready: RegExpMatchArray;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Matched against stdout+stderr as they arrive. */
  readyPattern: RegExp;
  timeoutMs?: number;
}

/** Starts a long-running process and resolves once its output matches `readyPattern`. */
export function startService(
  command: string,
  args: readonly string[],
  options: StartOptions,
): Promise<Service> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const stop = async (graceMs = 15_000): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(2000);
      reject(
        new Error(
          `${command} did not become ready in ${options.timeoutMs ?? 30_000} ms:\n${output.slice(-2000)}`,
        ),
      );
    }, options.timeoutMs ?? 30_000);
    let settled = false;
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 1_000_000) output = output.slice(-500_000);
      if (settled) return;
      const match = options.readyPattern.exec(output);
      if (match) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, pid: child.pid!, ready: match, output: () => output, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      if (!settled) reject(error);
    });
    void exited.then((code) => {
      if (!settled) {
        clearTimeout(timer);
        settled = true;
        reject(
          new Error(`${command} exited (${code}) before it was ready:\n${output.slice(-2000)}`),
        );
      }
    });
  });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to completion (killed after `timeoutMs`), capturing its output. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; stdinFile?: string; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.length > 4_000_000) stdout = stdout.slice(-1_000_000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

/** Runs a command and parses the last line of its stdout that is a JSON object. */
export async function runJson<T>(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<T & { wallSeconds: number }> {
  const result = await run(command, args, options);
  const line = result.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (result.code !== 0 || !line) {
    throw new Error(
      `${[command, ...args].join(' ')} failed (exit ${result.code}):\n${result.stderr.slice(-3000)}${result.stdout.slice(-1000)}`,
    );
  }
  return { ...(JSON.parse(line) as T), wallSeconds: result.seconds };
}

/** Resident set size (bytes) of one process, from /proc/<pid>/status VmRSS; 0 if gone. */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Pids of `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // the process went away while we looked
    }
  }
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    result.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return result;
}

export interface RssSummary {
  /** Bytes. */
  peak: number;
  last: number;
  /** RSS at 25%, 50% and 100% of the sampled interval (to show growth with backlog). */
  quarter: number;
  half: number;
  samples: number;
}

/**
 * Samples the RSS of a process (or a whole process tree, for servers that fork helpers
 * like RabbitMQ's beam) every `intervalMs`.
 */
export class RssSampler {
  #timer: NodeJS.Timeout | undefined;
  #samples: number[] = [];
  readonly #pid: number;
  readonly #tree: boolean;

  constructor(pid: number, options: { tree?: boolean } = {}) {
    this.#pid = pid;
    this.#tree = options.tree ?? false;
  }

  current(): number {
    const pids = this.#tree ? processTree(this.#pid) : [this.#pid];
    return pids.reduce((sum, pid) => sum + rssOf(pid), 0);
  }

  start(intervalMs = 200): void {
    this.#samples = [this.current()];
    this.#timer = setInterval(() => this.#samples.push(this.current()), intervalMs);
    this.#timer.unref();
  }

  stop(): RssSummary {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#samples.push(this.current());
    const s = this.#samples;
    const at = (fraction: number): number =>
      s[Math.min(s.length - 1, Math.floor(fraction * (s.length - 1)))]!;
    return {
      peak: Math.max(...s),
      last: s[s.length - 1]!,
      quarter: at(0.25),
      half: at(0.5),
      samples: s.length,
    };
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
