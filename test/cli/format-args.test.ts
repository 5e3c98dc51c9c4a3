import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError, integer, keyValues, parse } from '../../src/cli/args.js';
import { parseBootstrapServers, type ConsumedRecord } from '../../src/cli/client/index.js';
import { table } from '../../src/cli/output.js';
import { compileFormat, recordJson } from '../../src/cli/record-format.js';

const record: ConsumedRecord = {
  topic: 't',
  partition: 2,
  offset: 41n,
  timestamp: 1_700_000_000_000n,
  key: null,
  value: Buffer.from('hello'),
  headers: [
    { key: 'a', value: Buffer.from('1') },
    { key: 'b', value: null },
    { key: 'a', value: Buffer.from('2') },
  ],
};

describe('consume formats', () => {
  it('fills placeholders and escapes', () => {
    const format = compileFormat(
      '{topic}/{partition}@{offset} {timestamp:iso}\\t{key}={value} [{headers}] {header:a}{header:zz}\\\\',
    );
    assert.equal(
      format(record),
      't/2@41 2023-11-14T22:13:20.000Z\tnull=hello [a=1,b=null,a=2] 2\\',
    );
    assert.equal(compileFormat('{timestamp}')(record), '1700000000000');
  });

  it('rejects unknown placeholders', () => {
    assert.throws(
      () => compileFormat('{valeu}'),
      (e: Error) => e instanceof UsageError && /\{valeu\}/.test(e.message),
    );
  });

  it('prints one JSON object per record', () => {
    assert.deepEqual(JSON.parse(recordJson(record)), {
      topic: 't',
      partition: 2,
      offset: 41,
      timestamp: 1_700_000_000_000,
      key: null,
      value: 'hello',
      headers: { a: '2', b: null },
    });
  });
});

describe('argument parsing', () => {
  it('accepts negative numbers as option values', () => {
    const { values } = parse(['--throughput', '-1', '--x=3'], {
      throughput: { type: 'string' },
      x: { type: 'string' },
    });
    assert.equal(values.throughput, '-1');
    assert.equal(integer(values.throughput, 'throughput', -1), -1);
  });

  it('turns parse errors into short UsageErrors', () => {
    assert.throws(() => parse(['--nope'], {}), /^UsageError: unknown option '--nope'$/);
    assert.throws(() => integer('1.5', 'n', 1), /--n expects an integer >= 1, got '1.5'/);
    assert.throws(
      () => integer('70000', 'port', 0, 65535),
      /--port expects an integer in 0\.\.65535/,
    );
    assert.deepEqual(keyValues(['a=1', 'b==2'], 'config'), { a: '1', b: '=2' });
    assert.throws(() => keyValues(['=1'], 'config'), UsageError);
  });

  it('parses bootstrap server lists', () => {
    assert.deepEqual(parseBootstrapServers('a:1, b ,[::1]:3'), [
      { host: 'a', port: 1 },
      { host: 'b', port: 9092 },
      { host: '::1', port: 3 },
    ]);
    assert.throws(() => parseBootstrapServers('a:99999'), /invalid bootstrap server 'a:99999'/);
    assert.throws(() => parseBootstrapServers(' , '), /no bootstrap server/);
  });

  it('aligns tables without trailing spaces', () => {
    assert.equal(
      table(
        ['A', 'LONGER'],
        [
          ['xyz', 1],
          ['q', ''],
        ],
      ),
      'A    LONGER\nxyz  1\nq\n',
    );
  });
});
