// npm run demo: build, synthesize the example stack, and simulate its deployment
// and its destruction locally (no AWS account, no Docker).
// npm run demo -- --long: the same with an 8-hour backup and a 10-hour timeout (the long-wait path).
// npm run demo -- --removal: the table guarded by a BackupBeforeRemoval; an update replaces it, then the stack is deleted.
// npm run demo -- --dr: the backup copied to a disaster-recovery vault in another Region before the migration runs.
// npm run demo -- --gate: the whole pre-migration gate: backup, malware scan, validated restore, DR copy, then the migration.
// --no-build: use the package as built (npm test builds it first, and tests that run beside the demo read it).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTool } from './bundle-tool.mjs';
import { runOnSupported } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Node.js 22 or newer; on an older one, this runs on Node.js 24 fetched from the npm registry.
runOnSupported(fileURLToPath(import.meta.url));
const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };

function step(title, command, args) {
  const started = Date.now();
  process.stdout.write(`${title} ... `);
  const run = spawnSync(command, args, { cwd: root, env, encoding: 'utf8' });
  if (run.status !== 0) {
    process.stdout.write('failed\n');
    process.stdout.write(run.stdout ?? '');
    process.stderr.write(run.stderr ?? '');
    process.exit(run.status ?? 1);
  }
  process.stdout.write(`done (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

const long = process.argv.includes('--long');
const removal = process.argv.includes('--removal');
const gate = process.argv.includes('--gate');
const dr = process.argv.includes('--dr') || gate;
console.log(`cdk-backup-jobs demo: the example stack (bin/), deployed and destroyed locally${long ? ', with an 8-hour backup (the long-wait path)' : ''}${removal ? ', its table guarded by a BackupBeforeRemoval and replaced by an update' : ''}${dr ? ', its backup copied to another Region before the migration' : ''}${gate ? ', and the whole gate: the uploads\' backup scanned for malware and the restore validated' : ''}\n`);
if (process.argv.includes('--no-build')) console.log('1. Build: skipped (--no-build: the package as built)');
else step('1. Build (TypeScript checks, jsii, then the handler bundles with esbuild)', 'npm', ['run', '--silent', 'build']);
const context = [...(long ? ['-c', 'snapshotTimeoutHours=10'] : []), ...(removal ? ['-c', 'guardTable=true'] : []),
  ...(dr ? ['-c', 'drVaultArn=arn:aws:backup:us-west-2:123456789012:backup-vault:dr'] : []), ...(gate ? ['-c', 'gate=true'] : [])];
step(`2. Synthesize the example stack into cdk.out (cdk synth${context.length ? ` ${context.join(' ')}` : ''})`, 'npx',
  ['cdk', 'synth', '--app', 'node dist/bin/app.js', '--no-notices', '--quiet', ...context]);
if (removal) {
  // The update: a new partition key (CloudFormation replaces the table) and the next migration.
  const update = [...context, '-c', 'partitionKey=orderId', '-c', 'migrationVersion=0002'];
  step(`   and the update into cdk.out.replaced (cdk synth ${update.join(' ')})`, 'npx',
    ['cdk', 'synth', '--app', 'node dist/bin/app.js', '--no-notices', '--quiet', '--output', 'cdk.out.replaced', ...update]);
}

// The local simulation (local/) is written in TypeScript: bundle it to run it with plain Node.
await bundleTool([join(root, 'local', 'demo.ts')], join(root, '.sim-out'));
const runner = join(root, '.sim-out', 'demo.js');
const demo = spawnSync(process.execPath, ['--no-warnings', runner, join(root, 'cdk.out'), 'BackupJobsExample',
  ...(long ? ['--long'] : []), ...(removal ? ['--removal', join(root, 'cdk.out.replaced')] : [])], { cwd: root, env, stdio: 'inherit' });
process.exit(demo.status ?? 1);
