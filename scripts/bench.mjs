// npm run bench: build the package, then measure it against the AwsCustomResource
// baseline (scripts/bench/). The benchmark is TypeScript: bundle it to run it with plain Node.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTool } from './bundle-tool.mjs';
import { runOnSupported } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Node.js 22 or newer; on an older one, this runs on Node.js 24 fetched from the npm registry.
runOnSupported(fileURLToPath(import.meta.url));
const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const outdir = join(root, '.sim-out', 'bench');
await bundleTool([join(root, 'scripts', 'bench', 'main.ts'), join(root, 'scripts', 'bench', 'synth-stack.ts')], outdir);
const bench = spawnSync(process.execPath, ['--no-warnings', join(outdir, 'main.js'), join(outdir, 'synth-stack.js')], { cwd: root, stdio: 'inherit' });
process.exit(bench.status ?? 1);
