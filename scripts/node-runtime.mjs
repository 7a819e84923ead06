// The Node.js releases the project runs its steps on, and a way to run a step on one of them on a
// machine whose own Node.js is another: the npm registry ships Node.js binaries as packages
// (node-<platform>-<arch>), fetched once into .tools/.
//
//   node scripts/node-runtime.mjs 24    prints the directory of a Node.js 24 binary (for PATH)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The supported releases: 24 (what the library's Lambda functions run, and what the tests run on)
 * and 22 (the oldest supported: the packed package is also tried on it).
 */
export const NODE_RELEASES = { 24: '24.22.3', 22: '22.23.5' };

export function majorOf(version = process.versions.node) {
  return Number(version.split('.')[0]);
}

/** A Node.js binary of this major release: this process's own when it is one, else one fetched into .tools/. */
export function nodeBinary(major) {
  if (majorOf() === major) return process.execPath;
  const version = NODE_RELEASES[major];
  if (!version) throw new Error(`Node.js ${major} is not one of the supported releases (${Object.keys(NODE_RELEASES).join(', ')})`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(root, '.tools', `node-${version}`);
  const binary = join(dir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`This machine runs Node.js ${process.versions.node}; fetching Node.js ${version} (${pkg}) from the npm registry into .tools/\n`);
    const run = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${pkg}@${version}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (run.status !== 0 || !existsSync(binary)) {
      throw new Error(`Could not fetch Node.js ${version} (${pkg}@${version}) from the npm registry; install Node.js ${major} and run again`);
    }
  }
  return binary;
}

/** An environment in which `node`, `npm` and `npx` run on this binary. */
export function envFor(binary, env = process.env) {
  return { ...env, PATH: `${dirname(binary)}${delimiter}${env.PATH ?? ''}` };
}

/** Runs the calling script again on Node.js `major` (and exits with its status), unless it already runs on it. */
export function runOn(major, script) {
  if (majorOf() === major) return;
  const binary = nodeBinary(major);
  const run = spawnSync(binary, [script, ...process.argv.slice(2)], { stdio: 'inherit', env: envFor(binary) });
  process.exit(run.status ?? 1);
}

/** Runs the calling script again on Node.js 24 when this Node.js is older than the oldest supported release. */
export function runOnSupported(script) {
  if (majorOf() < Math.min(...Object.keys(NODE_RELEASES).map(Number))) runOn(24, script);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(dirname(nodeBinary(Number(process.argv[2] ?? 24))));
}
