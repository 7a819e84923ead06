/**
 * Copy jobs under random faults: fast-check drives random sequences of deploys
 * of a backup and its copy to a disaster-recovery vault (new triggers, RETAIN
 * or DESTROY, a short timeout, the long-wait path) through the simulation,
 * with random faults: a sibling failing at a random moment (CloudFormation
 * cancels the copy's request while its waiter polls on), Lambda delivering a
 * request twice, throttled DescribeCopyJob, copies that end FAILED or PARTIAL
 * or outlast the timeout, and either behaviour of when DescribeCopyJob names
 * the copy. Every sequence ends with the stack deleted.
 *
 * After each sequence:
 * - every request was answered within its ServiceTimeout (or cancelled);
 * - every copy job belongs to exactly one request (by its token), and none was
 *   started after CloudFormation stopped waiting for its request;
 * - every copy a DESTROY request made is gone once it ended (but one an update
 *   kept: it replaced the job with a RETAIN one); every copy a RETAIN request
 *   made is kept.
 *
 * The seed is fixed and printed; FC_SEED=<n> FC_RUNS=<n> replay or explore others.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as fc from 'fast-check';
import { CopyJob, RecoveryPoint } from '../../lib';
import { CustomResourceOperation, RequestFaults, Simulation, SynthesizedStack } from '../../local/simulation';
import { COPY_ARN_VISIBILITIES, CopyArnVisibility } from '../../local/stand-in/copy-job-states';
import { backupJobStack, checkSequences, endOf, requestInvariants, sometimes, useSimulation } from './harness';

const sim = useSimulation();

const SEED = Number(process.env.FC_SEED ?? 20261204);
const RUNS = Number(process.env.FC_RUNS ?? 150);
const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';

/** The stacks a sequence deploys: each copy trigger has one removal policy, so a copy's policy is its request's. */
const VARIANTS: { trigger: string; removalPolicy: RemovalPolicy; timeout?: Duration }[] = [
  { trigger: 'r1', removalPolicy: RemovalPolicy.RETAIN },
  { trigger: 'r2', removalPolicy: RemovalPolicy.RETAIN },
  { trigger: 'd1', removalPolicy: RemovalPolicy.DESTROY },
  { trigger: 'd2', removalPolicy: RemovalPolicy.DESTROY },
  { trigger: 'short', removalPolicy: RemovalPolicy.DESTROY, timeout: Duration.minutes(5) },
  { trigger: 'long', removalPolicy: RemovalPolicy.DESTROY, timeout: Duration.hours(2) },
];
let stacks: SynthesizedStack[];
beforeAll(() => {
  stacks = VARIANTS.map((v) => backupJobStack({}, (stack, _table, job) => {
    new CopyJob(stack, 'DrCopy', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', DR_VAULT),
      trigger: v.trigger,
      removalPolicy: v.removalPolicy,
      timeout: v.timeout,
    });
  }));
  process.stdout.write(`copy invariants: fast-check seed ${SEED}, ${RUNS} sequences (replay with FC_SEED=${SEED})\n`);
});

interface CopyStep {
  readonly variant: number;
  readonly outcome: 'COMPLETED' | 'FAILED' | 'PARTIAL';
  readonly durationSeconds: number;
  readonly visibility: CopyArnVisibility;
  readonly cancelAfterMs?: number;
  readonly redeliverAfterMs?: number;
  readonly throttled: number;
}

const step: fc.Arbitrary<CopyStep> = fc.record({
  variant: fc.integer({ min: 0, max: VARIANTS.length - 1 }),
  outcome: fc.constantFrom('COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED', 'PARTIAL'),
  // Mostly short copies, now and then one that outlasts the short timeout (5 minutes).
  durationSeconds: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 10, max: 120 }) }, { weight: 2, arbitrary: fc.integer({ min: 310, max: 400 }) }),
  visibility: fc.constantFrom(...COPY_ARN_VISIBILITIES),
  cancelAfterMs: sometimes(0.3, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  redeliverAfterMs: sometimes(0.2, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  throttled: sometimes(0.1, fc.integer({ min: 1, max: 2 })).map((n) => n ?? 0),
});

/** What went wrong in one sequence (empty: every invariant holds). */
async function runSequence(simulation: Simulation, steps: readonly CopyStep[]): Promise<string[]> {
  simulation.reset();
  const service = simulation.standIn.service;
  service.copies.createOtherVault(DR_VAULT);
  let faults: RequestFaults | undefined;
  const cfn = simulation.cloudFormation('E2E', {
    faultsFor: (r) => (r.phase === 'deploy' && r.requestType !== 'Delete' && r.logicalId.startsWith('DrCopy') ? faults : undefined),
  });
  for (const s of steps) {
    service.copies.onNextCopy({ outcome: s.outcome, durationSeconds: s.durationSeconds, statusMessage: s.outcome === 'COMPLETED' ? undefined : 'injected' });
    service.copies.copyArnVisibility = s.visibility;
    if (s.throttled) service.failNext('DescribeCopyJob', { error: 'ThrottlingException', count: s.throttled });
    faults = s.cancelAfterMs || s.redeliverAfterMs ? { cancelAfterMs: s.cancelAfterMs, redeliverAfterMs: s.redeliverAfterMs } : undefined;
    const deployed = await cfn.deploy(stacks[s.variant]);
    if (process.env.FC_STEPS) process.stdout.write(`deploy: ${deployed.status} ${deployed.failedResource ?? ''} ${deployed.reason ?? ''}\n`);
    faults = undefined;
  }
  await cfn.destroy();
  await simulation.aws.idle();
  return violations(simulation, cfn.history);
}

function violations(simulation: Simulation, history: readonly CustomResourceOperation[]): string[] {
  const { problems, owned } = requestInvariants(simulation, history, {
    resourceType: 'Custom::CopyJob', tokenSuffix: 'copy', noun: 'copy', plural: 'copies', jobs: simulation.standIn.service.copies.copyRecords(),
  });
  for (const { job: copy, op } of owned) {
    const { destroy } = endOf(history, op);
    const made = copy.state === 'COMPLETED' || copy.state === 'PARTIAL';
    if (destroy && made && !copy.deleted) problems.push(`the copy of DESTROY copy job ${copy.id} (${copy.state}) was left after the stack was deleted`);
    if (!destroy && copy.deleted) problems.push(`the copy of RETAIN copy job ${copy.id} was deleted`);
    if (destroy && !made && copy.state !== 'FAILED') problems.push(`DESTROY copy job ${copy.id} still runs (${copy.state}) after the stack was deleted`);
  }
  return problems;
}

/** Sequences the property test found failing once, kept as fixed cases. */
const FOUND: { what: string; steps: CopyStep[] }[] = [
  {
    // The waiter of a cancelled RETAIN copy polled on while the copy ran, past the stack's deletion: the
    // framework then waited for its deleted isComplete function. It now ends once CloudFormation moved on.
    what: 'the waiter of a cancelled RETAIN copy ends once CloudFormation moved on, not with the copy',
    steps: [
      { variant: 1, outcome: 'PARTIAL', durationSeconds: 58, visibility: 'at-start', cancelAfterMs: 10000, throttled: 0 },
      { variant: 1, outcome: 'COMPLETED', durationSeconds: 18, visibility: 'at-start', throttled: 0 },
      { variant: 4, outcome: 'COMPLETED', durationSeconds: 64, visibility: 'at-start', cancelAfterMs: 3000, throttled: 2 },
    ],
  },
];

test.each(FOUND)('found by the property test: $what', async ({ steps }) => {
  const simulation = sim();
  expect(await runSequence(simulation, steps)).toEqual([]);
  // No waiter outlived the stack (the framework would wait minutes for its deleted function).
  expect(simulation.aws.logs.filter((l) => l.line.includes('Function not found'))).toEqual([]);
}, 120_000);

// FC_STEPS='<the steps of a failure>' replays one sequence.
if (process.env.FC_STEPS) test('replay FC_STEPS', async () => {
  const simulation = sim();
  simulation.aws.onInvocation = (i) => process.stdout.write(`${new Date(simulation.clock.now()).toISOString()}: ${i.logicalId} ${(i.payload as any)?.RequestType ?? ''} ${i.error ? i.error.errorMessage.slice(0, 160) : ''}\n`);
  const problems = await runSequence(simulation, JSON.parse(process.env.FC_STEPS!) as CopyStep[]);
  if (process.env.FC_LOGS) for (const l of simulation.aws.logs) process.stdout.write(`${l.functionName}: ${l.line.slice(0, 400)}\n`);
  expect(problems).toEqual([]);
}, 600_000);

test('random copy deploys with random faults keep every invariant', async () => {
  const simulation = sim();
  expect(await checkSequences(fc.array(step, { minLength: 1, maxLength: 3 }), (steps) => runSequence(simulation, steps), { seed: SEED, runs: RUNS })).toBe(RUNS);
}, 600_000);
