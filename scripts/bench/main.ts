/**
 * npm run bench: scale, handler and deploy-overhead measurements, ours and the
 * AwsCustomResource baseline in the same run. Prints the report, writes it to
 * docs/performance.md with a chart in docs/performance.svg (a run with other
 * settings writes to .sim-out/bench/ instead), and exits non-zero when a target
 * of the library does not hold on this machine.
 *
 *   node main.js <synth-stack.js>      BENCH_RUNS (default 3), BENCH_JOBS (default 1,10,100,450)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join, relative } from 'path';
import { measureDeployOverhead, POLL_INTERVAL_SECONDS } from './deploy';
import { measureHandlers } from './handlers';
import { measureWaitCost } from './long-wait';
import { BenchResults, markdown, svgChart, targets } from './report';
import { measureScale } from './scale';

const root = join(__dirname, '..', '..');
const [synthScript] = process.argv.slice(2);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const HANDLER_RUNS = 15;
const jobCounts = (process.env.BENCH_JOBS ?? '1,10,100,450').split(',').map(Number);
if (!jobCounts.includes(1) || !jobCounts.includes(100)) throw new Error('BENCH_JOBS must include 1 and 100 (the synth target compares them)');
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const version = (pkg: string) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;
  const cpu = cpus();
  const environment = [
    new Date().toISOString().slice(0, 10),
    `Node.js ${process.version}`,
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}`,
    `aws-cdk-lib ${version('aws-cdk-lib')}`,
    `${runs} synth runs per point, ${HANDLER_RUNS} cold loads per handler`,
  ].join(', ');

  log(`1/4 Scale: N = ${jobCounts.join(', ')}, ${runs} runs each`);
  const scale = measureScale(jobCounts, runs, synthScript, log);
  log('2/4 Handler cold load');
  const handlers = measureHandlers(HANDLER_RUNS);
  log('3/4 Deploy overhead in the local simulation');
  const deploy = await measureDeployOverhead();
  log('4/4 The cost of waiting hours: the short path and the long-wait path');
  const waitCost = await measureWaitCost(log);

  const results: BenchResults = { environment, scale, handlers, deploy, waitCost, pollSeconds: POLL_INTERVAL_SECONDS };
  const report = markdown(results);
  const defaults = process.env.BENCH_RUNS === undefined && process.env.BENCH_JOBS === undefined;
  const dir = defaults ? join(root, 'docs') : join(root, '.sim-out', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'performance.md'), `${report}\n![Template size and synth time against N](performance.svg)\n`);
  writeFileSync(join(dir, 'performance.svg'), svgChart(scale));
  process.stdout.write(`${report}\nWritten: ${relative(root, join(dir, 'performance.md'))}, ${relative(root, join(dir, 'performance.svg'))}\n`);
  const missed = targets(results).filter((t) => !t.holds);
  for (const t of missed) log(`TARGET MISSED: ${t.target}: ${t.measured}`);
  return missed.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(error);
  process.exitCode = 1;
});
