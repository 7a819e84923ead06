/**
 * Scale: stacks of N jobs, ours and the AwsCustomResource baseline, each
 * synthesized in a fresh process (as `cdk synth` runs an app), the runs
 * interleaved so that a slow moment of the machine hits every variant alike.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { median } from './handlers';
import type { Variant } from './synth-stack';
import { TemplateMetrics, templateMetrics } from './template-metrics';

export const VARIANTS: readonly { readonly variant: Variant; readonly label: string; readonly short: string }[] = [
  { variant: 'shared', label: 'BackupJob, one vault and role shared', short: 'BackupJob, shared vault and role' },
  { variant: 'own', label: 'BackupJob, a vault and role per job (the defaults)', short: 'BackupJob, vault and role per job' },
  { variant: 'baseline-shared', label: 'AwsCustomResource, one vault and role shared', short: 'AwsCustomResource, shared vault and role' },
  { variant: 'baseline-own', label: 'AwsCustomResource, a vault and role per job', short: 'AwsCustomResource, vault and role per job' },
];

export interface ScaleRow extends TemplateMetrics {
  readonly variant: Variant;
  readonly jobs: number;
  /** Wall time of the whole synthesis process (node start to exit), median over the runs. */
  readonly synthSeconds: number;
  /** Constructing the stack and app.synth(), in the process, median over the runs. */
  readonly constructAndSynthSeconds: number;
}

export function measureScale(jobCounts: readonly number[], runs: number, synthScript: string, progress: (line: string) => void): ScaleRow[] {
  const configs = jobCounts.flatMap((jobs) => VARIANTS.map(({ variant }) => ({ variant, jobs })));
  const wall = new Map<string, number[]>();
  const inProcess = new Map<string, number[]>();
  const metrics = new Map<string, TemplateMetrics>();
  for (let run = 0; run < runs; run++) {
    for (const { variant, jobs } of configs) {
      const key = `${variant}/${jobs}`;
      const outdir = mkdtempSync(join(tmpdir(), 'cdk-backup-jobs-bench-'));
      try {
        const started = process.hrtime.bigint();
        const child = spawnSync(process.execPath, [synthScript, variant, String(jobs), outdir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
        if (child.status !== 0) throw new Error(`synthesis of ${key} failed:\n${child.stderr}`);
        const timings = JSON.parse(child.stdout) as { constructMs: number; synthMs: number; template: string };
        wall.set(key, [...(wall.get(key) ?? []), elapsed]);
        inProcess.set(key, [...(inProcess.get(key) ?? []), (timings.constructMs + timings.synthMs) / 1000]);
        if (!metrics.has(key)) metrics.set(key, templateMetrics(timings.template));
        progress(`  run ${run + 1}/${runs}  ${key.padEnd(20)} ${elapsed.toFixed(2)} s`);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    }
  }
  return configs.map(({ variant, jobs }) => {
    const key = `${variant}/${jobs}`;
    return { variant, jobs, ...metrics.get(key)!, synthSeconds: median(wall.get(key)!), constructAndSynthSeconds: median(inProcess.get(key)!) };
  });
}
