/**
 * Entry point of the `weir` command: dispatches to one command per file. Only the CLI may
 * write to the console.
 */
const USAGE = `Usage: weir <command> [options]

Commands:
  start     start a broker with embedded defaults (arrives with the broker issue)
  help      show this help
`;

export async function main(args: readonly string[]): Promise<number> {
  const [command] = args;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case 'start':
      // Placeholder until the single-node broker lands: says so instead of pretending.
      process.stdout.write(
        'weir start: the broker is not built yet; this release ships the Kafka codecs and record batches.\n',
      );
      return 0;
    default:
      process.stderr.write(`weir: unknown command '${command}'\n${USAGE}`);
      return 64;
  }
}
