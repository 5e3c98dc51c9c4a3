// Runs every compiled benchmark (dist/bench/**/*.bench.js) one after another, so each
// has the machine to itself. Arguments filter by path, like scripts/run-tests.mjs.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findBenches(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findBenches(path));
    else if (name.endsWith('.bench.js')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const benches = findBenches('dist/bench').filter(
  (file) => filters.length === 0 || filters.some((filter) => file.includes(filter)),
);
let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n## ${bench}\n`);
  const result = spawnSync(process.execPath, [bench], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
