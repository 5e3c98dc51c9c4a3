/**
 * Entry point of the `weir` command: dispatches to one command per file under commands/.
 * Only the CLI writes to the console.
 *
 * Exit codes scripts can rely on: 0 success; 1 failure (broker unreachable, unknown topic
 * or group, an error from the broker, bad input data), with one line `weir <command>:
 * <message>` on stderr; 64 usage error (unknown command or option, bad option value).
 * No stack traces unless WEIR_DEBUG=1.
 */
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './args.js';
import type { Command } from './command.js';
import { consumeCommand } from './commands/consume.js';
import { groupCommand } from './commands/group.js';
import { perfCommand } from './commands/perf.js';
import { produceCommand } from './commands/produce.js';
import { startCommand } from './commands/start.js';
import { topicCommand } from './commands/topic.js';

const COMMANDS: readonly Command[] = [
  startCommand,
  topicCommand,
  produceCommand,
  consumeCommand,
  groupCommand,
  perfCommand,
];

const USAGE = `Usage: weir <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join('\n')}
  help      show this help

Every command but start talks to a broker over the Kafka protocol
(--bootstrap-server, default localhost:9092). Run 'weir <command> --help' for its
options and examples.

Examples:
  weir start --port 0 --data-dir /tmp/weir
  weir topic create orders --partitions 3
  echo 'hello' | weir produce orders
  weir consume orders --from-beginning --max 1
  weir group lag billing
  weir perf produce --num-records 1000000 --record-size 100 --throughput -1

Exit codes: 0 success, 1 failure (one line on stderr), 64 usage error.
`;

export async function main(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write('weir 0.1.0\n');
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(
      `weir: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see 'weir --help')\n`,
    );
    return EXIT_USAGE;
  }
  if (rest[0] === '--help' || rest[0] === '-h') {
    process.stdout.write(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    if (error instanceof UsageError) {
      const help = error.subcommand ? `${name} ${error.subcommand}` : name;
      process.stderr.write(`weir ${name}: ${message} (see 'weir ${help} --help')\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`weir ${name}: ${message}\n`);
    if (process.env['WEIR_DEBUG'] === '1' && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    return EXIT_FAILURE;
  }
}
