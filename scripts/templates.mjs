// npm run templates -- <outdir>: the templates of a fixed set of stacks (scripts/templates/dump.ts),
// normalized, for comparing two versions of the library (diff -r before after).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTool } from './bundle-tool.mjs';
import { runOnSupported } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
runOnSupported(fileURLToPath(import.meta.url));
const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: npm run templates -- <outdir>');
  process.exit(2);
}
const out = join(root, '.sim-out', 'templates');
await bundleTool([join(root, 'scripts', 'templates', 'dump.ts')], out);
const run = spawnSync(process.execPath, [join(out, 'dump.js'), resolve(outdir)], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
