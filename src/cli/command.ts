/**
 * What a `weir` command is: a name, a one-line summary for `weir --help`, and `run`, which
 * returns the exit code. Commands with subcommands (topic, group, perf) dispatch on their
 * first argument with `dispatch`.
 */
import { COMMON_HELP, EXIT_OK, UsageError } from './args.js';
import { KafkaClient } from './client/index.js';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: readonly string[]): Promise<number>;
}

export interface Subcommand {
  summary: string;
  usage: string;
  run(args: readonly string[]): Promise<number>;
}

/** Runs `args[0]` of `subcommands`, or prints the command's usage for --help / nothing. */
export async function dispatch(
  usage: string,
  subcommands: Readonly<Record<string, Subcommand>>,
  args: readonly string[],
): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    throw new UsageError(`missing subcommand (${Object.keys(subcommands).join(', ')})`);
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return EXIT_OK;
  }
  const sub = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (!sub) {
    throw new UsageError(`unknown subcommand '${name}' (${Object.keys(subcommands).join(', ')})`);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(sub.usage);
    return EXIT_OK;
  }
  try {
    return await sub.run(rest);
  } catch (error) {
    if (error instanceof UsageError) error.subcommand ??= name;
    throw error;
  }
}

/** The usage block of a subcommand: synopsis, description, options, examples. */
export function usageText(
  synopsis: string,
  description: string,
  options: string,
  examples: readonly string[],
): string {
  return `Usage: ${synopsis}

${description}

Options:
${options ? `${options}\n` : ''}${COMMON_HELP}

Examples:
${examples.map((e) => `  ${e}`).join('\n')}
`;
}

/** Connects, runs `fn`, and closes the connections whatever happens. */
export async function withClient<T>(
  bootstrapServers: string,
  fn: (client: KafkaClient) => Promise<T>,
): Promise<T> {
  const client = await KafkaClient.connect({ bootstrapServers, clientId: 'weir-cli' });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
