// npm test: build (tsc, jsii, the handler bundles), the jsii-pacmak packages, type-check the tests,
// then every test with jest. It runs on Node.js 24, what the library's Lambda functions run; on a
// machine whose Node.js is another release, Node.js 24 is fetched from the npm registry first.
// Arguments go to jest: npm test -- test/cli.test.ts
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOn } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
runOn(24, fileURLToPath(import.meta.url));

function step(command, args) {
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

console.error(`npm test on Node.js ${process.versions.node}`);
step('npm', ['run', 'build']);
step('npm', ['run', '--silent', 'pacmak']);
step(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.dev.json']);
step(process.execPath, ['--experimental-vm-modules', '--no-warnings', join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)]);
