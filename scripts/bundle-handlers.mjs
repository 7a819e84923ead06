// Bundles each handler in lambda/<name>/index.ts into dist/handlers/<name>/index.js:
// one minified file with the AWS SDK inside, so that Lambda runs exactly the
// SDK version the tests ran, and a user's synth needs neither esbuild nor Docker.
import { build } from 'esbuild';
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const handlers = readdirSync(join(root, 'lambda')).filter(
  (name) => name !== 'core' && existsSync(join(root, 'lambda', name, 'index.ts')),
);

for (const name of handlers) {
  const outfile = join(root, 'dist', 'handlers', name, 'index.js');
  await build({
    entryPoints: [join(root, 'lambda', name, 'index.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    // Lambda runs nodejs24.x; node20 syntax also lets the local simulation load the bundle on older Node.
    target: 'node20',
    format: 'cjs',
    // Prefer the SDK's ES modules, so that unused commands are shaken out.
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  console.error(`bundled ${name}: ${(statSync(outfile).size / 1024).toFixed(1)} KiB`);
}
