/**
 * `weir produce TOPIC`: one record per input line, from stdin or --file, like
 * kafka-console-producer.sh. Lines may carry a key (--key-separator); every record gets the
 * --header pairs. Exits 0 once every record is acknowledged, 1 on the first failure.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  COMMON_OPTIONS,
  EXIT_OK,
  acks,
  compression,
  expectPositionals,
  integer,
  keyValues,
  parse,
  UsageError,
} from '../args.js';
import { ClientError, Producer } from '../client/index.js';
import { usageText, withClient, type Command } from '../command.js';

const USAGE = usageText(
  'weir produce TOPIC [options]',
  "Sends each line of stdin (or --file) as one record. With --key-separator, the text\nbefore the first separator is the key. A topic that does not exist is created when the\nbroker allows it (auto.create.topics.enable), as with Kafka's producer.",
  `  --file PATH                  read lines from PATH instead of stdin
  --key-separator SEP          split each line into KEY SEP VALUE
  --header KEY=VALUE           a header on every record; repeatable
  --partition N                send every record to partition N (default: by key hash)
  --acks 0|1|all               acknowledgement required (default all)
  --compression CODEC          none (default), gzip, snappy, lz4 or zstd
  --batch-size BYTES           batch size (default 16384)
  --linger-ms MS               how long a batch waits to fill (default 5)`,
  [
    'echo hello | weir produce greetings',
    "printf 'user-1:login\\nuser-2:logout\\n' | weir produce events --key-separator :",
    'weir produce events --file events.txt --header source=import --compression zstd',
  ],
);

export const produceCommand: Command = {
  name: 'produce',
  summary: 'send lines of stdin or a file as records',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      file: { type: 'string' },
      'key-separator': { type: 'string' },
      header: { type: 'string', multiple: true },
      partition: { type: 'string' },
      acks: { type: 'string' },
      compression: { type: 'string' },
      'batch-size': { type: 'string' },
      'linger-ms': { type: 'string' },
    });
    const [topic] = expectPositionals(positionals, ['TOPIC']);
    const separator = values['key-separator'];
    if (separator === '') throw new UsageError('--key-separator must not be empty');
    const headers = Object.entries(keyValues(values.header, 'header')).map(([key, value]) => ({
      key,
      value: Buffer.from(value, 'utf8'),
    }));
    const partition = integer(values.partition, 'partition', 0);
    const options = {
      acks: acks(values.acks) ?? -1,
      compression: compression(values.compression),
      batchSize: integer(values['batch-size'], 'batch-size', 1),
      lingerMs: integer(values['linger-ms'], 'linger-ms', 0),
    };
    const input = values.file === undefined ? process.stdin : createReadStream(values.file);
    // Open the file before connecting, so a wrong path fails as such.
    await new Promise<void>((resolve, reject) => {
      if (input === process.stdin) return resolve();
      input.once('open', () => resolve());
      input.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new ClientError(
            'WEIR_CLIENT_INVALID',
            `cannot read ${values.file}: ${error.code ?? error.message}`,
          ),
        ),
      );
    });
    return withClient(values['bootstrap-server'], async (client) => {
      const producer = new Producer(client, {
        acks: options.acks,
        ...(options.compression !== undefined ? { compression: options.compression } : {}),
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(options.lingerMs !== undefined ? { lingerMs: options.lingerMs } : {}),
      });
      let failure: Error | null = null;
      const onAck = (error: Error | null): void => {
        failure ??= error;
      };
      let lineNumber = 0;
      const lines = createInterface({ input, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          lineNumber++;
          if (failure) break;
          let key: Buffer | null = null;
          let value = line;
          if (separator !== undefined) {
            const at = line.indexOf(separator);
            if (at < 0)
              throw new ClientError(
                'WEIR_CLIENT_INVALID',
                `line ${lineNumber} has no key separator '${separator}'`,
              );
            key = Buffer.from(line.slice(0, at), 'utf8');
            value = line.slice(at + separator.length);
          }
          producer.send(
            {
              topic,
              key,
              value: Buffer.from(value, 'utf8'),
              headers,
              ...(partition !== undefined ? { partition } : {}),
            },
            onAck,
          );
          await producer.waitForSpace();
        }
      } finally {
        lines.close();
        await producer.close();
      }
      if (failure) throw failure;
      return EXIT_OK;
    });
  },
};
