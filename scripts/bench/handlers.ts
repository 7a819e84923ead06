/**
 * Handler cold load: the time a fresh Node.js process takes to load a
 * handler's code (what a Lambda cold start adds before the first event), the
 * median of several processes, for our bundle and for aws-cdk-lib's own
 * custom-resource handlers.
 */
import { spawnSync } from 'child_process';
import { statSync } from 'fs';
import { join } from 'path';

export interface HandlerRow {
  readonly handler: string;
  readonly bytes: number;
  readonly coldLoadMedianMs: number;
  readonly coldLoadMinMs: number;
  readonly coldLoadMaxMs: number;
  readonly note: string;
}

const root = join(__dirname, '..', '..');

/** Milliseconds to require the modules in a fresh process. */
function coldLoad(modules: readonly string[]): number {
  const script = `const { performance } = require('perf_hooks'); const t = performance.now();
${modules.map((m) => `require(${JSON.stringify(m)});`).join('\n')}
process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`loading ${modules.join(', ')} failed: ${run.stderr}`);
  return Number(run.stdout);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function measureHandlers(runs: number): HandlerRow[] {
  const cdkLib = join(root, 'node_modules', 'aws-cdk-lib');
  const ours = join(root, 'dist', 'handlers', 'jobs', 'index.js');
  const awsCustomResource = join(cdkLib, 'custom-resource-handlers', 'dist', 'custom-resources', 'aws-custom-resource-handler', 'index.js');
  const framework = join(cdkLib, 'custom-resources', 'lib', 'provider-framework', 'runtime', 'framework.js');
  // What the Lambda runtime provides to handlers that do not bundle the SDK.
  const runtimeSdk = (client: string) => require.resolve(`@aws-sdk/${client}`, { paths: [root] });
  const cases: { handler: string; modules: string[]; bytes: number; note: string }[] = [
    { handler: 'cdk-backup-jobs onEvent/isComplete (dist/handlers/jobs)', modules: [ours], bytes: statSync(ours).size, note: 'one minified bundle with @aws-sdk/client-backup and client-dynamodb inside' },
    { handler: 'AwsCustomResource handler, asset only', modules: [awsCustomResource], bytes: statSync(awsCustomResource).size, note: 'the SDK is not in the asset' },
    {
      handler: 'AwsCustomResource handler + @aws-sdk/client-backup',
      modules: [awsCustomResource, runtimeSdk('client-backup')],
      bytes: statSync(awsCustomResource).size,
      note: 'what its first StartBackupJob call loads from the Lambda runtime\'s SDK (here: node_modules)',
    },
    {
      handler: 'Provider framework onEvent + @aws-sdk/client-lambda (both; ours also runs it)',
      modules: [framework, runtimeSdk('client-lambda')],
      bytes: statSync(framework).size,
      note: 'aws-cdk-lib\'s framework function that invokes our onEvent',
    },
  ];
  // Warm the file system cache first (a Lambda's code is on local disk), then interleave the
  // handlers run by run, so that a busy moment of the machine hits them alike.
  cases.forEach((c) => coldLoad(c.modules));
  const times = cases.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) cases.forEach((c, i) => times[i].push(coldLoad(c.modules)));
  return cases.map(({ handler, bytes, note }, i) => ({
    handler, bytes, coldLoadMedianMs: median(times[i]), coldLoadMinMs: Math.min(...times[i]), coldLoadMaxMs: Math.max(...times[i]), note,
  }));
}
