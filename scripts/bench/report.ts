/**
 * The benchmark's report: the targets with their measured values, the tables
 * (markdown) and one chart (SVG) of template size and synth time against N.
 */
import type { DeployRow } from './deploy';
import type { HandlerRow } from './handlers';
import type { WaitCostRow } from './long-wait';
import { VARIANTS, ScaleRow } from './scale';
import type { Variant } from './synth-stack';
import { LIMITS } from './template-metrics';

export interface BenchResults {
  readonly environment: string;
  readonly scale: readonly ScaleRow[];
  readonly handlers: readonly HandlerRow[];
  readonly deploy: readonly DeployRow[];
  readonly waitCost: readonly WaitCostRow[];
  readonly pollSeconds: number;
}

export interface Target {
  readonly target: string;
  readonly measured: string;
  readonly holds: boolean;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 2) => n.toFixed(digits);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function row(scale: readonly ScaleRow[], variant: Variant, jobs: number): ScaleRow {
  const found = scale.find((r) => r.variant === variant && r.jobs === jobs);
  if (!found) throw new Error(`no measurement of ${variant} with ${jobs} jobs`);
  return found;
}

/** Per extra job, from the smallest N to each larger N. */
function perExtraJob(scale: readonly ScaleRow[], variant: Variant, pick: (r: ScaleRow) => number): { jobs: number; value: number }[] {
  const rows = scale.filter((r) => r.variant === variant).sort((a, b) => a.jobs - b.jobs);
  const [first, ...rest] = rows;
  return rest.map((r) => ({ jobs: r.jobs, value: (pick(r) - pick(first)) / (r.jobs - first.jobs) }));
}

export function targets(results: BenchResults): Target[] {
  const { scale } = results;
  const jobCounts = [...new Set(scale.map((r) => r.jobs))].sort((a, b) => a - b);
  const most = jobCounts[jobCounts.length - 1];
  const fewest = jobCounts[0];
  const perJobResources = perExtraJob(scale, 'shared', (r) => r.resources);
  const perJobBytes = perExtraJob(scale, 'shared', (r) => r.minifiedBytes);
  const largest = row(scale, 'shared', most);
  const synthRatio = row(scale, 'shared', 100).synthSeconds / row(scale, 'shared', fewest).synthSeconds;
  const ours = results.handlers[0];
  // The baseline that loads what ours loads for the same call: its handler and the AWS Backup client.
  const baseline = results.handlers.find((h) => h.handler.startsWith('AwsCustomResource handler + '));
  const worstOverhead = Math.max(...results.deploy.map((d) => d.overheadMaxSeconds));
  return [
    {
      target: 'each extra job (vault and role shared) adds exactly one resource',
      measured: perJobResources.map((p) => `${fixed(p.value)} (1 → ${p.jobs})`).join(', '),
      holds: perJobResources.every((p) => p.value === 1),
    },
    {
      target: 'each extra job adds at most 600 bytes of minified template',
      measured: perJobBytes.map((p) => `${int(p.value)} B (1 → ${p.jobs})`).join(', '),
      holds: perJobBytes.every((p) => p.value <= 600),
    },
    {
      target: `${most} jobs fit in one stack: at most ${LIMITS.resources} resources`,
      measured: `${int(largest.resources)} resources`,
      holds: largest.resources <= LIMITS.resources,
    },
    {
      target: `${most} jobs fit in one stack: template at most ${int(LIMITS.templateBytes)} bytes`,
      measured: `${int(largest.bytes)} B as synthesized (${int(largest.minifiedBytes)} B minified)`,
      holds: largest.bytes <= LIMITS.templateBytes,
    },
    {
      target: `${most} jobs fit IAM: a role's inline policies at most ${int(LIMITS.roleInlinePolicies)} characters`,
      measured: `${int(largest.largestRoleInlinePolicies)} characters (${int(row(scale, 'shared', fewest).largestRoleInlinePolicies)} with ${fewest} job)`,
      holds: largest.largestRoleInlinePolicies <= LIMITS.roleInlinePolicies,
    },
    {
      target: `synth with 100 jobs at most 1.3x synth with ${fewest}`,
      measured: `${ratio(row(scale, 'shared', 100).synthSeconds, row(scale, 'shared', fewest).synthSeconds)} (${fixed(row(scale, 'shared', 100).synthSeconds)} s / ${fixed(row(scale, 'shared', fewest).synthSeconds)} s)`,
      holds: synthRatio <= 1.3,
    },
    {
      target: 'handler cold load at most 1.2x the AwsCustomResource handler\'s with the AWS Backup client it loads',
      measured: baseline
        ? `${ratio(ours.coldLoadMedianMs, baseline.coldLoadMedianMs)} (${fixed(ours.coldLoadMedianMs, 1)} ms / ${fixed(baseline.coldLoadMedianMs, 1)} ms, medians)`
        : 'baseline missing',
      holds: baseline !== undefined && ours.coldLoadMedianMs <= 1.2 * baseline.coldLoadMedianMs,
    },
    {
      target: `deploy overhead beyond the job at most one poll interval + 2 s (${results.pollSeconds + 2} s)`,
      measured: `${fixed(worstOverhead, 1)} s at worst`,
      holds: worstOverhead <= results.pollSeconds + 2,
    },
    ...waitTargets(results.waitCost),
  ];
}

/** The long-wait path against the short path in the same run: polls per waited hour, invocations, overhead. */
function waitTargets(rows: readonly WaitCostRow[]): Target[] {
  const short = rows.find((w) => w.path === 'short');
  const long = rows.filter((w) => w.path === 'long-wait');
  const eight = long.find((w) => w.jobHours === 8);
  if (!short || !eight || long.length === 0) return [{ target: 'the cost of waiting measured on both paths', measured: 'missing', holds: false }];
  const perHour = (w: WaitCostRow, n: number) => n / w.waitedHours;
  const pollRatio = perHour(eight, eight.polls) / perHour(short, short.polls);
  const invocations = [...new Set(long.map((w) => w.invocations))];
  const beyond = (w: WaitCostRow) => w.overheadSeconds - 0.05 * w.waitedHours * 3600;
  const worst = Math.max(...long.map(beyond));
  return [
    {
      target: 'an 8-hour wait polls at most 1/10 as often per hour as the short path',
      measured: `${fixed(perHour(eight, eight.polls), 1)} against ${fixed(perHour(short, short.polls), 1)} polls per hour (${ratio(perHour(eight, eight.polls), perHour(short, short.polls))})`,
      holds: pollRatio <= 0.1,
    },
    {
      target: 'the long-wait path\'s Lambda invocations do not grow with the job\'s length',
      measured: `${invocations.join(', ')} invocations for ${long.map((w) => `${fixed(w.jobHours, 1)} h`).join(', ')}`,
      holds: invocations.length === 1,
    },
    {
      target: 'the long-wait path sees the end within 5% of the job\'s length + 60 s',
      measured: long.map((w) => `${fixed(w.overheadSeconds, 1)} s after ${fixed(w.jobHours, 1)} h (${fixed((100 * w.overheadSeconds) / (w.waitedHours * 3600), 1)}%)`).join(', '),
      holds: worst <= 60,
    },
  ];
}

const label = (variant: Variant) => VARIANTS.find((v) => v.variant === variant)!.label;

export function markdown(results: BenchResults): string {
  const { scale } = results;
  const jobCounts = [...new Set(scale.map((r) => r.jobs))].sort((a, b) => a - b);
  const lines: string[] = [];
  const table = (header: string[], rows: string[][]) => {
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '');
  };
  lines.push('# Performance', '', `Measured by \`npm run bench\`: ${results.environment}.`, '');

  lines.push('## Targets', '');
  table(['target', 'measured', 'holds'], targets(results).map((t) => [t.target, t.measured, t.holds ? 'yes' : '**NO**']));

  lines.push('## Scale: N jobs in one stack', '',
    'Each stack backs up N DynamoDB tables (by ARN). Template as `cdk synth` writes it (path metadata, version reporting); ' +
    '"minified" is the same JSON without white space. Synth: a fresh Node.js process per synthesis, median; ' +
    '"in process" is constructing the stack plus `app.synth()` only. IAM sizes are characters without white space, ' +
    'intrinsics resolved to realistic names. The baseline is an `AwsCustomResource` per job calling StartBackupJob (it does not wait). ' +
    `Limits: ${LIMITS.resources} resources, ${int(LIMITS.templateBytes)} template bytes, ${int(LIMITS.roleInlinePolicies)} characters of inline policy per role.`, '');
  const over = (r: ScaleRow) => [
    r.resources > LIMITS.resources ? 'resources' : '',
    r.bytes > LIMITS.templateBytes ? 'template size' : '',
    r.largestRoleInlinePolicies > LIMITS.roleInlinePolicies ? 'role policy size' : '',
  ].filter(Boolean).join(', ');
  table(
    ['N', 'variant', 'synth s', 'in process s', 'template B', 'minified B', 'resources', 'Lambdas', 'largest policy', 'role inline total', 'over a limit'],
    jobCounts.flatMap((jobs) => VARIANTS.map(({ variant }) => {
      const r = row(scale, variant, jobs);
      return [String(jobs), label(variant), fixed(r.synthSeconds), fixed(r.constructAndSynthSeconds), int(r.bytes), int(r.minifiedBytes), int(r.resources), String(r.lambdas),
        int(r.largestPolicy), int(r.largestRoleInlinePolicies), over(r) || '-'];
    })),
  );

  lines.push('Ours against the baseline at the same N (ratio ours / baseline):', '');
  table(
    ['N', 'vaults and roles', 'synth', 'template bytes', 'resources', 'role inline total'],
    jobCounts.flatMap((jobs) => (['shared', 'own'] as const).map((kind) => {
      const ours = row(scale, kind, jobs);
      const base = row(scale, `baseline-${kind}`, jobs);
      return [String(jobs), kind, ratio(ours.synthSeconds, base.synthSeconds), ratio(ours.minifiedBytes, base.minifiedBytes), ratio(ours.resources, base.resources),
        ratio(ours.largestRoleInlinePolicies, base.largestRoleInlinePolicies)];
    })),
  );

  lines.push('Per extra job (from N = 1):', '');
  table(
    ['variant', ...jobCounts.slice(1).flatMap((n) => [`bytes (minified) to ${n}`, `resources to ${n}`])],
    VARIANTS.map(({ variant }) => {
      const bytes = perExtraJob(scale, variant, (r) => r.minifiedBytes);
      const resources = perExtraJob(scale, variant, (r) => r.resources);
      return [label(variant), ...bytes.flatMap((b, i) => [int(b.value), fixed(resources[i].value)])];
    }),
  );

  lines.push('## Handler: bundle size and cold load', '', 'Time to load the code in a fresh Node.js process (what a Lambda cold start adds before the first event).', '');
  table(['handler', 'bytes', 'cold load median ms', 'min–max ms', 'note'],
    results.handlers.map((h) => [h.handler, int(h.bytes), fixed(h.coldLoadMedianMs, 1), `${fixed(h.coldLoadMinMs, 1)}–${fixed(h.coldLoadMaxMs, 1)}`, h.note]));

  lines.push('## Deploy overhead (local simulation)', '',
    `Simulated CloudFormation, the real Provider framework and handler bundles, the AWS Backup stand-in over HTTP; poll interval ${results.pollSeconds} s. ` +
    'Overhead: from the job\'s end to CloudFormation receiving SUCCESS. The baseline does not wait, so it has no such overhead (and no completed backup).', '');
  table(['path', 'jobs', 'job s', 'overhead mean s', 'overhead max s', 'Describe calls per job', 'other AWS Backup calls per job', 'Lambda invocations per job', 'note'],
    results.deploy.map((d) => [d.path, String(d.jobs), fixed(d.jobSeconds, 0), fixed(d.overheadMeanSeconds, 1), fixed(d.overheadMaxSeconds, 1), fixed(d.describeCallsPerJob, 1),
      fixed(d.otherCallsPerJob, 1), fixed(d.invocationsPerJob, 1), d.note]));

  lines.push('## The cost of waiting hours (local simulation)', '',
    'One backup job and a dependent. The short path (timeouts up to 58 minutes): the Provider framework\'s waiter invokes isComplete every ' +
    `${results.pollSeconds} s. The long-wait path (past 58 minutes, up to 12 hours): the stack's poller describes the job through the Step Functions SDK integration ` +
    'with adaptive waits, and one Lambda signals the end. Per waited hour: over the job\'s own length. Overhead: from the job\'s end to the dependent being made. ' +
    'Transitions: the state transitions of every execution (the framework\'s waiter counts one per task attempt).', '');
  table(['path', 'job h', 'timeout h', 'polls', 'polls per hour', 'transitions', 'transitions per hour', 'Lambda invocations', 'invocations per hour', 'overhead s'],
    results.waitCost.map((w) => [w.path, fixed(w.jobHours, 2), fixed(w.timeoutHours, 2), String(w.polls), fixed(w.polls / w.waitedHours, 1), String(w.transitions),
      fixed(w.transitions / w.waitedHours, 1), String(w.invocations), fixed(w.invocations / w.waitedHours, 1), fixed(w.overheadSeconds, 1)]));
  return lines.join('\n');
}

const COLORS: Record<Variant, string> = { 'shared': '#1f77b4', 'own': '#2ca02c', 'baseline-shared': '#d62728', 'baseline-own': '#ff7f0e' };
const DASH: Record<Variant, string> = { 'shared': '', 'own': '', 'baseline-shared': '6 4', 'baseline-own': '6 4' };

/** Two panels: template size (KB, minified) and synth time (s) against N, one line per variant. */
export function svgChart(scale: readonly ScaleRow[]): string {
  const jobCounts = [...new Set(scale.map((r) => r.jobs))].sort((a, b) => a - b);
  const width = 760;
  const height = 330;
  const panel = { w: 300, h: 200, top: 40 };
  const lefts = [70, 440];
  const parts: string[] = [];
  const text = (x: number, y: number, s: string, extra = '') => parts.push(`<text x="${x}" y="${y}" ${extra}>${s}</text>`);
  const panels: { title: string; unit: string; pick: (r: ScaleRow) => number }[] = [
    { title: 'Template size (minified)', unit: 'KB', pick: (r) => r.minifiedBytes / 1000 },
    { title: 'Synth time (fresh process, median)', unit: 's', pick: (r) => r.synthSeconds },
  ];
  panels.forEach(({ title, unit, pick }, p) => {
    const left = lefts[p];
    const max = niceMax(Math.max(...scale.map(pick)));
    const x = (i: number) => left + (i / (jobCounts.length - 1)) * panel.w;
    const y = (v: number) => panel.top + panel.h - (v / max) * panel.h;
    text(left + panel.w / 2, 24, title, 'text-anchor="middle" font-weight="bold"');
    parts.push(`<line x1="${left}" y1="${panel.top + panel.h}" x2="${left + panel.w}" y2="${panel.top + panel.h}" stroke="#333"/>`);
    parts.push(`<line x1="${left}" y1="${panel.top}" x2="${left}" y2="${panel.top + panel.h}" stroke="#333"/>`);
    for (let t = 0; t <= 4; t++) {
      const v = (max * t) / 4;
      parts.push(`<line x1="${left}" y1="${y(v)}" x2="${left + panel.w}" y2="${y(v)}" stroke="#ddd"/>`);
      text(left - 6, y(v) + 4, `${Number(v.toFixed(1))}`, 'text-anchor="end"');
    }
    text(left - 50, panel.top - 8, unit);
    jobCounts.forEach((n, i) => text(x(i), panel.top + panel.h + 16, String(n), 'text-anchor="middle"'));
    text(left + panel.w / 2, panel.top + panel.h + 34, 'jobs in the stack (N)', 'text-anchor="middle"');
    for (const { variant } of VARIANTS) {
      const points = jobCounts.map((n, i) => `${x(i).toFixed(1)},${y(pick(row(scale, variant, n))).toFixed(1)}`);
      parts.push(`<polyline fill="none" stroke="${COLORS[variant]}" stroke-width="2" ${DASH[variant] ? `stroke-dasharray="${DASH[variant]}"` : ''} points="${points.join(' ')}"/>`);
      for (const point of points) {
        const [px, py] = point.split(',');
        parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${COLORS[variant]}"/>`);
      }
    }
  });
  VARIANTS.forEach(({ variant, short: name }, i) => {
    const lx = 70 + (i % 2) * 370;
    const ly = 292 + Math.floor(i / 2) * 20;
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 28}" y2="${ly - 4}" stroke="${COLORS[variant]}" stroke-width="2" ${DASH[variant] ? `stroke-dasharray="${DASH[variant]}"` : ''}/>`);
    text(lx + 34, ly, name);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
}

function niceMax(v: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(v));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * magnitude).find((m) => m >= v) ?? v;
}
