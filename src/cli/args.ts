/**
 * Command-line parsing shared by every command: node:util parseArgs with strict options,
 * turned into one-line UsageErrors (exit 64) with the wording users expect, plus the
 * option types the commands share (integers, KEY=VALUE pairs, the bootstrap server).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CodedError } from '../common/errors.js';
import { CompressionType } from '../records/index.js';

/** A mistake on the command line: exit code 64 (EX_USAGE). */
export class UsageError extends CodedError {
  /** The subcommand whose --help explains the mistake (set by `dispatch`). */
  subcommand: string | null = null;

  constructor(message: string) {
    super('WEIR_CLI_USAGE', message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 64;

export const DEFAULT_BOOTSTRAP_SERVER = 'localhost:9092';

/** Options every networked command takes. */
export const COMMON_OPTIONS = {
  'bootstrap-server': { type: 'string', default: DEFAULT_BOOTSTRAP_SERVER },
  help: { type: 'boolean', short: 'h' },
} as const;

export const COMMON_HELP = `  --bootstrap-server SERVERS   broker(s) to talk to, host:port[,host:port...] (default ${DEFAULT_BOOTSTRAP_SERVER})
  -h, --help                   show this help`;

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with positionals allowed and errors as UsageError. */
export function parse<T extends Options>(
  args: readonly string[],
  options: T,
): {
  values: ReturnType<
    typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>
  >['values'];
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(args, options),
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    throw new UsageError(usageMessage(error));
  }
}

/**
 * parseArgs refuses `--throughput -1` (a value that looks like an option); numbers are
 * never options here, so such pairs become `--throughput=-1`.
 */
function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    if (
      name !== null &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      /^-\d/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function usageMessage(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  const option = /'(-[^']*)'/.exec(message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option ?? message}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(message)
        ? `option '${option?.replace(/^.*(--[\w-]+).*$/, '$1') ?? ''}' needs a value`.replace(
            " ''",
            '',
          )
        : message.split('\n')[0]!;
    default:
      return message.split('\n')[0]!;
  }
}

/** An integer option within [min, max]; undefined when not given. */
export function integer(
  value: string | undefined,
  flag: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? min === Number.MIN_SAFE_INTEGER
          ? 'an integer'
          : `an integer >= ${min}`
        : `an integer in ${min}..${max}`;
    throw new UsageError(`--${flag} expects ${range}, got '${value}'`);
  }
  return n;
}

/** A 64-bit offset option (>= 0). */
export function offset(value: string, flag: string): bigint {
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${flag} expects an offset (an integer >= 0), got '${value}'`);
  return BigInt(value);
}

/** KEY=VALUE pairs of a repeatable option. */
export function keyValues(
  pairs: readonly string[] | undefined,
  flag: string,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} expects KEY=VALUE, got '${pair}'`);
    result[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return result;
}

export function acks(value: string | undefined): 0 | 1 | -1 | undefined {
  if (value === undefined) return undefined;
  switch (value) {
    case '0':
      return 0;
    case '1':
      return 1;
    case 'all':
    case '-1':
      return -1;
    default:
      throw new UsageError(`--acks expects 0, 1 or all, got '${value}'`);
  }
}

const COMPRESSION: Readonly<Record<string, CompressionType>> = {
  none: CompressionType.NONE,
  gzip: CompressionType.GZIP,
  snappy: CompressionType.SNAPPY,
  lz4: CompressionType.LZ4,
  zstd: CompressionType.ZSTD,
};

export function compression(value: string | undefined): CompressionType | undefined {
  if (value === undefined) return undefined;
  const type = COMPRESSION[value.toLowerCase()];
  if (type === undefined)
    throw new UsageError(`--compression expects none, gzip, snappy, lz4 or zstd, got '${value}'`);
  return type;
}

/** Exactly `count` positionals, named in `what` for the message. */
export function expectPositionals(
  positionals: readonly string[],
  what: readonly string[],
  optional = 0,
): string[] {
  const min = what.length - optional;
  if (positionals.length < min) throw new UsageError(`missing ${what[positionals.length]}`);
  if (positionals.length > what.length)
    throw new UsageError(`unexpected argument '${positionals[what.length]}'`);
  return [...positionals];
}
