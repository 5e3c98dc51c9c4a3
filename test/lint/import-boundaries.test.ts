/**
 * Tests for the `weir/import-boundaries` ESLint rule (eslint-rules/import-boundaries.js),
 * which enforces DESIGN.md §2, and for its wiring in eslint.config.js.
 *
 * This file runs compiled from dist/test/lint/, so the rule and the config are found from
 * the repository root (the working directory of `npm test`), not from this file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, RuleTester, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = process.cwd();
const rule = (
  (await import(pathToFileURL(path.join(ROOT, 'eslint-rules/import-boundaries.js')).href)) as {
    default: Rule.RuleModule;
  }
).default;

/** An absolute filename under the repository root. */
const at = (file: string): string => path.join(ROOT, file);

/** Expects a forbiddenLayer report from `importer` into the layer `target`. */
const layerError = (importer: string, target: string): { message: RegExp } => ({
  message: new RegExp(`^'${importer}' may not import '${target}' \\(src/`),
});

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester({
  languageOptions: {
    parser: tseslint.parser,
    ecmaVersion: 2022,
    sourceType: 'module',
  },
});

ruleTester.run('import-boundaries', rule, {
  valid: [
    {
      name: 'protocol imports records, common, its own wire code and pure built-ins',
      filename: at('src/protocol/kafka/generated/produce.ts'),
      code: [
        "import { RecordBatch } from '../../../records/batch.js';",
        "import { CodedError } from '../../../common/errors.js';",
        "import { Reader } from '../wire/reader.js';",
        "import { Buffer } from 'node:buffer';",
        "import { gzipSync } from 'node:zlib';",
      ].join('\n'),
    },
    {
      name: 'records imports common and node:zlib',
      filename: at('src/records/compression.ts'),
      code: "import { CodedError } from '../common/errors.js';\nimport zlib from 'node:zlib';",
    },
    {
      name: 'storage does file I/O and imports records',
      filename: at('src/storage/log/segment.ts'),
      code: "import { open } from 'node:fs/promises';\nimport { crc32c } from '../../records/crc32c.js';",
    },
    {
      name: 'cluster/replication may use protocol/kafka to talk to peers',
      filename: at('src/cluster/replication/fetcher.ts'),
      code: "import { encodeFetchRequest } from '../../protocol/kafka/generated/fetch.js';\nimport { PartitionLog } from '../../storage/log/partition-log.js';",
    },
    {
      name: 'coordinator uses cluster/partition and protocol/kafka types',
      filename: at('src/coordinator/group/group.ts'),
      code: "import type { Partition } from '../../cluster/partition/partition.js';\nimport type { JoinGroupResponse } from '../../protocol/kafka/generated/join-group.js';",
    },
    {
      name: 'the Kafka front end uses protocol/kafka, cluster and coordinator',
      filename: at('src/server/kafka/handlers/00-produce.ts'),
      code: [
        "import { decodeProduceRequest } from '../../../protocol/kafka/generated/produce.js';",
        "import type { Partition } from '../../../cluster/partition/partition.js';",
        "import { GroupCoordinator } from '../../../coordinator/group/coordinator.js';",
        "import { Connection } from '../connection.js';",
        "import net from 'node:net';",
      ].join('\n'),
    },
    {
      name: 'index.ts and main.ts may import server/ and admin/',
      filename: at('src/main.ts'),
      code: "export { startKafkaServer } from './server/kafka/server.js';\nimport { startAdmin } from './admin/http/server.js';\nimport './index.js';",
    },
    {
      name: 'the CLI writes to the network and imports common',
      filename: at('src/cli/start.ts'),
      code: "import net from 'node:net';\nimport { createLogger } from '../common/logger.js';",
    },
    {
      name: '`weir start` reaches the composition root to run a broker in-process',
      filename: at('src/cli/commands/start.ts'),
      code: "import { startBroker } from '../../main.js';",
    },
    {
      name: 'files outside src/ are not checked',
      filename: at('test/unit/protocol/fixtures.ts'),
      code: "import net from 'node:net';\nimport { x } from '../../../src/server/kafka/server.js';",
    },
    {
      name: 'npm packages are not checked',
      filename: at('src/protocol/kafka/wire/reader.ts'),
      code: "import fc from 'fast-check';",
    },
  ],
  invalid: [
    {
      name: 'protocol may not import node:net',
      filename: at('src/protocol/kafka/wire/framing.ts'),
      code: "import net from 'node:net';",
      errors: [
        {
          messageId: 'forbiddenBuiltin',
          data: { importer: 'protocol', specifier: 'node:net' },
        },
      ],
    },
    {
      name: 'protocol may not import the bare fs, fs/promises, timers or child_process',
      filename: at('src/protocol/kafka/wire/reader.ts'),
      code: [
        "import fs from 'fs';",
        "import { readFile } from 'node:fs/promises';",
        "import { setTimeout } from 'node:timers';",
        "import { spawn } from 'child_process';",
        "import https from 'node:https';",
      ].join('\n'),
      errors: [
        { messageId: 'forbiddenBuiltin', line: 1 },
        { messageId: 'forbiddenBuiltin', line: 2 },
        { messageId: 'forbiddenBuiltin', line: 3 },
        { messageId: 'forbiddenBuiltin', line: 4 },
        { messageId: 'forbiddenBuiltin', line: 5 },
      ],
    },
    {
      name: 'records may not import node:fs or net',
      filename: at('src/records/batch.ts'),
      code: "import { readFileSync } from 'node:fs';\nimport 'net';",
      errors: [{ messageId: 'forbiddenBuiltin' }, { messageId: 'forbiddenBuiltin' }],
    },
    {
      name: 'storage may not import protocol',
      filename: at('src/storage/log/segment.ts'),
      code: "import { ErrorCode } from '../../protocol/kafka/generated/errors.js';",
      errors: [
        {
          messageId: 'forbiddenLayer',
          data: {
            importer: 'storage',
            target: 'protocol',
            targetPath: 'protocol/kafka/generated/errors.js',
            allowed: 'common, records, storage',
          },
        },
      ],
    },
    {
      name: 'storage may not import cluster, coordinator or server (re-exports and type imports too)',
      filename: at('src/storage/index.ts'),
      code: [
        "export * from '../cluster/metadata/topics.js';",
        "export { x } from '../coordinator/group/group.js';",
        "import type { Handler } from '../server/kafka/handler.js';",
      ].join('\n'),
      errors: [
        layerError('storage', 'cluster'),
        layerError('storage', 'coordinator'),
        layerError('storage', 'server'),
      ],
    },
    {
      name: 'only cluster/replication in cluster/ may use protocol/kafka',
      filename: at('src/cluster/partition/partition.ts'),
      code: "import { ApiKey } from '../../protocol/kafka/generated/api-keys.js';",
      errors: [layerError('cluster', 'protocol')],
    },
    {
      name: 'cluster/replication may not use protocol/amqp',
      filename: at('src/cluster/replication/fetcher.ts'),
      code: "import { x } from '../../protocol/amqp/generated/frames.js';",
      errors: [layerError('cluster/replication', 'protocol')],
    },
    {
      name: 'coordinator may use cluster/partition only, not cluster/metadata',
      filename: at('src/coordinator/group/group.ts'),
      code: "import { Topics } from '../../cluster/metadata/topics.js';",
      errors: [layerError('coordinator', 'cluster')],
    },
    {
      name: 'only index.ts and main.ts may import server/ and admin/',
      filename: at('src/cluster/controller/controller.ts'),
      code: "import { a } from '../../server/kafka/server.js';\nimport { b } from '../../admin/http/server.js';",
      errors: [layerError('cluster', 'server'), layerError('cluster', 'admin')],
    },
    {
      name: 'front ends never import each other',
      filename: at('src/amqp/connection.ts'),
      code: "import { a } from '../server/kafka/connection.js';\nimport { b } from '../stomp/frames.js';",
      errors: [layerError('amqp', 'server'), layerError('amqp', 'stomp')],
    },
    {
      name: 'the Kafka front end may not import the AMQP front end',
      filename: at('src/server/kafka/handlers/01-fetch.ts'),
      code: "const m = await import('../../../amqp/queue.js');",
      errors: [layerError('server', 'amqp')],
    },
    {
      name: 'common imports nothing else in src/, not even via import types',
      filename: at('src/common/clock.ts'),
      code: "type Batch = import('../records/batch.js').RecordBatch;\nimport '../index.js';",
      errors: [layerError('common', 'records'), layerError('common', 'root')],
    },
    {
      name: 'the CLI does not reach into storage',
      filename: at('src/cli/produce.ts'),
      code: "import { x } from '../storage/index.js';",
      errors: [layerError('cli', 'storage')],
    },
    {
      name: 'the CLI never imports the server directly',
      filename: at('src/cli/commands/start.ts'),
      code: "import { KafkaServer } from '../../server/kafka/kafka-server.js';",
      errors: [layerError('cli', 'server')],
    },
    {
      name: 'a file outside every layer is reported',
      filename: at('src/util/helpers.ts'),
      code: 'export const x = 1;',
      errors: [{ messageId: 'unknownLayer', data: { file: 'util/helpers.ts' } }],
    },
  ],
});

describe('eslint.config.js', () => {
  const eslint = new ESLint({ cwd: ROOT });

  async function ruleIds(code: string, file: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: at(file) });
    assert.ok(result);
    return result.messages.map((message) => message.ruleId ?? message.message);
  }

  it('enables the boundary rule for src/', async () => {
    assert.deepEqual(
      await ruleIds("import net from 'node:net';\nvoid net;\n", 'src/protocol/kafka/wire/x.ts'),
      ['weir/import-boundaries'],
    );
  });

  it('forbids console in src/ except src/cli/', async () => {
    const code = "console.log('hi');\n";
    assert.deepEqual(await ruleIds(code, 'src/records/x.ts'), ['no-console']);
    assert.deepEqual(await ruleIds(code, 'src/cli/x.ts'), []);
  });

  it('ignores generated code', async () => {
    assert.equal(await eslint.isPathIgnored(at('src/protocol/kafka/generated/x.ts')), true);
    assert.equal(await eslint.isPathIgnored(at('src/protocol/kafka/schemas/x.json')), true);
    assert.equal(await eslint.isPathIgnored(at('src/protocol/kafka/wire/x.ts')), false);
  });
});
