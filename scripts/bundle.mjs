// The bundles the package ships, built with esbuild when the package is built:
// - each handler in lambda/<name>/index.ts -> dist/handlers/<name>/index.js, with the
//   AWS SDK inside, so that Lambda runs exactly the SDK the tests ran and a user's
//   synth needs neither esbuild nor Docker;
// - the backup-jobs CLI (bin/backup-jobs.ts, its shebang kept) -> dist/cli/backup-jobs.js, with its
//   libraries inside, so that the package adds no dependencies to a CDK app.
import { build } from 'esbuild';
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { thirdPartyLicenses } from './third-party-licenses.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  minify: true,
  platform: 'node',
  // Lambda runs nodejs24.x; node22 syntax also lets the CLI run on the oldest supported Node.js.
  target: 'node22',
  format: 'cjs',
  // Prefer the SDK's ES modules, so that unused commands are shaken out.
  mainFields: ['module', 'main'],
  legalComments: 'eof',
  logLevel: 'warning',
  // What went into each bundle: the third-party notices come from it (third-party-licenses.mjs).
  metafile: true,
};
const metafiles = [];

const handlers = readdirSync(join(root, 'lambda')).filter((name) => existsSync(join(root, 'lambda', name, 'index.ts')));
for (const name of handlers) {
  const outfile = join(root, 'dist', 'handlers', name, 'index.js');
  metafiles.push((await build({ ...common, entryPoints: [join(root, 'lambda', name, 'index.ts')], outfile })).metafile);
  console.error(`bundled ${name}: ${(statSync(outfile).size / 1024).toFixed(1)} KiB`);
}

// Code a handler loads only when it needs it, in a bundle of its own beside the handler's: the RDS and EC2
// clients a removal guard uses to turn on deletion protection (lambda/jobs/backup-before-removal/deletion-protection.ts).
const lazy = [
  ['jobs', join('lambda', 'jobs', 'backup-before-removal', 'instance-protection.ts')],
  // The Lambda client a restore's validation invokes its function with (lambda/jobs/restore-job/validation.ts).
  ['jobs', join('lambda', 'jobs', 'restore-job', 'validation-invoke.ts')],
];
for (const [handler, source] of lazy) {
  const outfile = join(root, 'dist', 'handlers', handler, `${source.split(/[\\/]/).pop().replace(/\.ts$/, '')}.js`);
  metafiles.push((await build({ ...common, entryPoints: [join(root, source)], outfile })).metafile);
  console.error(`bundled ${handler}, loaded on first use: ${(statSync(outfile).size / 1024).toFixed(1)} KiB`);
}

const cli = join(root, 'dist', 'cli', 'backup-jobs.js');
metafiles.push((await build({ ...common, entryPoints: [join(root, 'bin', 'backup-jobs.ts')], outfile: cli })).metafile);
chmodSync(cli, 0o755);
console.error(`bundled backup-jobs CLI: ${(statSync(cli).size / 1024).toFixed(1)} KiB`);

// The notices of the third-party code inside the bundles; a license that is not allowed fails the build.
const notices = thirdPartyLicenses(metafiles, root);
writeFileSync(join(root, 'dist', 'THIRD_PARTY_LICENSES'), notices.text);
console.error(`third-party notices: ${notices.count} packages in dist/THIRD_PARTY_LICENSES`);
