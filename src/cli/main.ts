/**
 * Entry point of the `weir` command: dispatches to one command per file under commands/.
 * Only the CLI writes to the console. Exit codes: 0 success, 1 failure (one-line error
 * on stderr), 64 usage error.
 */
import { START_USAGE, startCommand } from './commands/start.js';

const USAGE = `Usage: weir <command> [options]

Commands:
  start     start a broker with embedded defaults
  help      show this help

Run 'weir <command> --help' for a command's options.
`;

const EXIT_FAILURE = 1;
const EXIT_USAGE = 64;

export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      case 'start':
        return await startCommand(rest);
      default:
        process.stderr.write(`weir: unknown command '${command}'\n${USAGE}`);
        return EXIT_USAGE;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`weir ${command}: ${message}\n`);
    if (command === 'start' && /expects|Unknown option|unexpected argument/i.test(message)) {
      process.stderr.write(START_USAGE);
      return EXIT_USAGE;
    }
    return EXIT_FAILURE;
  }
}
