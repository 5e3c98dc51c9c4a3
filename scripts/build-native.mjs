#!/usr/bin/env node
/**
 * Builds Weir's optional native addon (native/crc32c.c → build/Release/weir_crc32c.node)
 * with the node-gyp that ships inside npm. Runs as the package's `install` script.
 *
 * It never downloads anything: it builds only against Node headers already on the machine
 * (npm's `nodedir` setting, or the headers beside the running node), and otherwise skips.
 * It never fails the install either: without the addon, src/records/crc32c.ts uses
 * @node-rs/crc32 or its TypeScript fallback. Set WEIR_SKIP_NATIVE=1 to skip it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function say(line) {
  process.stdout.write(`weir: ${line}\n`);
}

/** A directory with include/node/node_api.h, or null. */
function headers() {
  const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')];
  return (
    candidates.find((dir) => dir && existsSync(join(dir, 'include', 'node', 'node_api.h'))) ?? null
  );
}

/** npm's bundled node-gyp: npm names it in the environment of its scripts. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((path) => path && existsSync(path)) ?? null;
}

function main() {
  if (process.env.WEIR_SKIP_NATIVE === '1')
    return say('native CRC-32C addon skipped (WEIR_SKIP_NATIVE=1)');
  const nodedir = headers();
  const gyp = nodeGyp();
  if (!nodedir || !gyp) {
    return say(
      `native CRC-32C addon not built (${!nodedir ? 'no local Node headers' : 'node-gyp not found'}); using @node-rs/crc32`,
    );
  }
  const result = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status === 0 && existsSync(join(root, 'build', 'Release', 'weir_crc32c.node'))) {
    return say('native CRC-32C addon built (build/Release/weir_crc32c.node)');
  }
  say('native CRC-32C addon failed to build; using @node-rs/crc32. node-gyp said:');
  process.stdout.write(
    `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-15).join('\n'),
  );
}

main();
