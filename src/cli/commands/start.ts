/**
 * `weir start`: runs a broker in this process until SIGTERM/SIGINT.
 *
 * Configuration, later sources winning: Kafka defaults < --config FILE (server.properties
 * keys) < WEIR_* environment variables < --set key=value < --host/--port/--data-dir.
 * On a signal: stop accepting, finish in-flight requests, flush and close every log
 * (clean-shutdown markers), exit 0.
 */
import { readFileSync } from 'node:fs';
import { startBroker } from '../../main.js';
import { UsageError, parse } from '../args.js';
import type { Command } from '../command.js';
import { configFromEnvironment, parseProperties } from '../properties.js';

export const START_USAGE = `Usage: weir start [options]

Starts a Kafka-compatible broker with embedded defaults.

Options:
  --host HOST         address to listen on (default 127.0.0.1; or 'listeners')
  --port PORT         port to listen on (default 9092; 0 picks a free port)
  --data-dir DIR      where partitions and metadata live (default ./weir-data)
  --config FILE       a server.properties file (num.partitions, log.retention.hours, ...)
  --set KEY=VALUE     a config value; repeatable
  --log-level LEVEL   debug, info (default), warn or error
  -h, --help          show this help

Environment: WEIR_<KEY> sets a config key, e.g. WEIR_NUM_PARTITIONS=3.

Examples:
  weir start
  weir start --port 0 --data-dir /tmp/weir --set num.partitions=6
`;

async function runStart(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', short: 'h' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.help) {
    process.stdout.write(START_USAGE);
    return 0;
  }
  const config: Record<string, string> = {
    ...(values.config ? parseProperties(readFileSync(values.config, 'utf8')) : {}),
    ...configFromEnvironment(process.env),
  };
  for (const pair of values.set ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--set expects KEY=VALUE, got '${pair}'`);
    config[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError(`--port expects 0-65535, got '${values.port}'`);
  }
  const logLevel = values['log-level'] as 'debug' | 'info' | 'warn' | 'error';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new UsageError(`--log-level expects debug, info, warn or error, got '${logLevel}'`);
  }
  const broker = await startBroker({
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(port !== undefined ? { port } : {}),
    dataDir: values['data-dir'] ?? config['log.dirs'] ?? './weir-data',
    config,
    logLevel,
  });
  process.stdout.write(
    `weir: listening on ${broker.host}:${broker.port} (bootstrap ${broker.bootstrapServers}), data in ${broker.dataDir}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.stdout.write(`weir: ${signal}, shutting down\n`);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await broker.stop();
  process.stdout.write('weir: stopped cleanly\n');
  return 0;
}

export const startCommand: Command = {
  name: 'start',
  summary: 'start a broker with embedded defaults',
  usage: START_USAGE,
  run: runStart,
};
