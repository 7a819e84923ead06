// npm run build: the package as it ships, from a clean dist/lib.
// 1. tsc type-checks the handlers and the CLI and compiles the example app (dist/bin);
// 2. jsii compiles the library (dist/lib) and writes its assembly (.jsii), from which
//    jsii-pacmak makes the Python, Java, .NET and Go packages and jsii-docgen the API.md;
//    it runs after tsc, so that dist/lib is jsii's output (with its runtime type information);
// 3. esbuild bundles the handlers and the CLI (scripts/bundle.mjs).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// Files of modules that moved or went away must not stay in the package; jsii compiles afresh.
rmSync(join(root, 'dist', 'lib'), { recursive: true, force: true });
rmSync(join(root, 'dist', 'tsconfig.tsbuildinfo'), { force: true });
run(bin('tsc'), ['-p', 'tsconfig.json']);
run(bin('jsii'), ['--generate-tsconfig', 'tsconfig.jsii.json', '--fail-on-warnings', '--silence-warnings', 'metadata/missing-dev-dependency']);
run(process.execPath, [join(root, 'scripts', 'bundle.mjs')]);
