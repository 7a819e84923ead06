// The integration tests in test/integ (integ.<name>.ts, @aws-cdk/integ-tests-alpha), for anyone with an
// AWS account. They deploy real resources (a DynamoDB table, backup vaults, backups, a restored table),
// assert through the AWS API, then destroy everything, recovery points included.
//
//   npm run integ -- <name> [<name> ...]   deploy, assert and destroy (needs AWS credentials; see CONTRIBUTING.md)
//   npm run integ -- --synth <name>        synthesize only, into .sim-out/integ/<name>.out
//   npm run integ -- --update-snapshots    rewrite the snapshots npm test compares the templates with
//
// With an integ-runner that reads this aws-cdk-lib's assemblies, `npx integ-runner --language typescript
// --directory test/integ` runs the same files.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { bundleTool } from './bundle-tool.mjs';
import { runOnSupported } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
runOnSupported(fileURLToPath(import.meta.url));
const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
const integDir = join(root, 'test', 'integ');
const all = readdirSync(integDir).filter((f) => /^integ\..+\.ts$/.test(f)).map((f) => f.slice('integ.'.length, -'.ts'.length));

const args = process.argv.slice(2);
const update = args.includes('--update-snapshots');
const synthOnly = args.includes('--synth');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !all.includes(n));
if (unknown.length > 0 || (!update && names.length === 0)) {
  console.error(`${unknown.length ? `no integration test ${unknown.join(', ')}; ` : ''}name one or more of: ${all.join(', ')}`);
  process.exit(2);
}

function run(command, commandArgs, options = {}) {
  console.log(`$ ${[command, ...commandArgs].join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, env, stdio: 'inherit', shell: options.shell ?? false });
  return result.status ?? 1;
}

/** Synthesizes one integration test's app into a fresh directory; the path of its bundle and of the assembly. */
async function synth(name) {
  const out = join(root, '.sim-out', 'integ');
  await bundleTool([join(integDir, `integ.${name}.ts`)], out);
  const app = join(out, `integ.${name}.js`);
  const assembly = join(out, `${name}.out`);
  rmSync(assembly, { recursive: true, force: true });
  const status = spawnSync(process.execPath, [app], { cwd: root, env: { ...env, CDK_OUTDIR: assembly }, stdio: 'inherit' }).status;
  if (status !== 0) process.exit(status ?? 1);
  return { app, assembly };
}

if (update) {
  const out = join(root, '.sim-out', 'integ');
  await bundleTool([join(root, 'scripts', 'integ', 'snapshot.ts')], out);
  const { snapshotOf } = createRequire(import.meta.url)(join(out, 'snapshot.js'));
  for (const name of all) {
    const { assembly } = await synth(name);
    const dir = join(integDir, `integ.${name}.ts.snapshot`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = snapshotOf(assembly);
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
    console.log(`snapshot of integ.${name}.ts: ${Object.keys(files).join(', ')}`);
  }
  process.exit(0);
}

let failed = 0;
for (const name of names) {
  const { app, assembly } = await synth(name);
  if (synthOnly) {
    console.log(`synthesized integ.${name}.ts into ${assembly}`);
    continue;
  }
  const cdk = ['cdk', '--no-notices', '--app', `node ${app}`];
  const manifest = JSON.parse(readFileSync(join(assembly, 'integ.json'), 'utf8'));
  const hooks = Object.values(manifest.testCases ?? {})[0]?.hooks ?? {};
  const deployed = run('npx', [...cdk, 'deploy', '--all', '--require-approval', 'never']);
  const destroyed = run('npx', [...cdk, 'destroy', '--all', '--force']);
  let hooked = 0;
  for (const command of destroyed === 0 ? hooks.postDestroy ?? [] : []) hooked ||= run(command, [], { shell: true });
  const ok = deployed === 0 && destroyed === 0 && hooked === 0;
  console.log(`integ.${name}.ts: ${ok ? 'PASSED' : `FAILED (deploy ${deployed}, destroy ${destroyed}, hooks ${hooked})`}`);
  if (!ok) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
