/**
 * Restore jobs under random faults: fast-check drives random sequences of
 * deploys of a backup and a restore of it (new triggers, RETAIN or DESTROY, a
 * short timeout, the long-wait path) through the simulation, with random
 * faults: a sibling failing at a random moment (CloudFormation cancels the
 * restore's request while its waiter polls on), Lambda delivering a request
 * twice, throttled DescribeRestoreJob, restores that end FAILED or ABORTED or
 * outlast the timeout. Every sequence ends with the stack deleted.
 *
 * After each sequence:
 * - every request was answered within its ServiceTimeout (or cancelled);
 * - every restore job belongs to exactly one request (by its token), and none
 *   was started after CloudFormation stopped waiting for its request;
 * - every table a DESTROY request's restore created is gone once the restore
 *   ended (but one an update kept: it replaced the job with a RETAIN one);
 *   every table a RETAIN request's restore created is kept;
 * - no waiter outlived the stack (the framework would wait for its deleted
 *   isComplete function).
 *
 * The seed is fixed and printed; FC_SEED=<n> FC_RUNS=<n> replay or explore others.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { RecoveryPoint, RestoreJob } from '../../lib';
import { CustomResourceOperation, RequestFaults, Simulation, SynthesizedStack } from '../../local/simulation';
import { backupJobStack, checkSequences, endOf, requestInvariants, sometimes, useSimulation } from './harness';

const sim = useSimulation();

const SEED = Number(process.env.FC_SEED ?? 20261206);
const RUNS = Number(process.env.FC_RUNS ?? 100);

/** The stacks a sequence deploys: each trigger has one removal policy and its own target table, so a restore's policy is its request's. */
const VARIANTS: { trigger: string; removalPolicy: RemovalPolicy; timeout?: Duration }[] = [
  { trigger: 'r1', removalPolicy: RemovalPolicy.RETAIN },
  { trigger: 'r2', removalPolicy: RemovalPolicy.RETAIN },
  { trigger: 'd1', removalPolicy: RemovalPolicy.DESTROY },
  { trigger: 'd2', removalPolicy: RemovalPolicy.DESTROY },
  { trigger: 'short', removalPolicy: RemovalPolicy.DESTROY, timeout: Duration.minutes(5) },
  { trigger: 'long', removalPolicy: RemovalPolicy.DESTROY, timeout: Duration.hours(2) },
];
const targetOf = (trigger: string) => `orders-restore-${trigger}`;

let stacks: SynthesizedStack[];
beforeAll(() => {
  stacks = VARIANTS.map((v) => backupJobStack({}, (stack, _table, job) => {
    new RestoreJob(stack, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      metadata: { targetTableName: targetOf(v.trigger) },
      trigger: v.trigger,
      removalPolicy: v.removalPolicy,
      timeout: v.timeout,
    });
  }));
  process.stdout.write(`restore invariants: fast-check seed ${SEED}, ${RUNS} sequences (replay with FC_SEED=${SEED})\n`);
});

interface RestoreStep {
  readonly variant: number;
  readonly outcome: 'COMPLETED' | 'FAILED' | 'ABORTED';
  readonly durationSeconds: number;
  readonly cancelAfterMs?: number;
  readonly redeliverAfterMs?: number;
  readonly throttled: number;
}

const step: fc.Arbitrary<RestoreStep> = fc.record({
  variant: fc.integer({ min: 0, max: VARIANTS.length - 1 }),
  outcome: fc.constantFrom('COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED', 'ABORTED'),
  // Mostly short restores, now and then one that outlasts the short timeout (5 minutes).
  durationSeconds: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 10, max: 120 }) }, { weight: 2, arbitrary: fc.integer({ min: 310, max: 400 }) }),
  cancelAfterMs: sometimes(0.3, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  redeliverAfterMs: sometimes(0.2, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  throttled: sometimes(0.1, fc.integer({ min: 1, max: 2 })).map((n) => n ?? 0),
});

/** What went wrong in one sequence (empty: every invariant holds). */
async function runSequence(simulation: Simulation, steps: readonly RestoreStep[]): Promise<string[]> {
  simulation.reset();
  const service = simulation.standIn.service;
  let faults: RequestFaults | undefined;
  const cfn = simulation.cloudFormation('E2E', {
    faultsFor: (r) => (r.phase === 'deploy' && r.requestType !== 'Delete' && r.logicalId.startsWith('RestoreTest') ? faults : undefined),
  });
  for (const s of steps) {
    service.restores.onNextRestore({ outcome: s.outcome, durationSeconds: s.durationSeconds, statusMessage: s.outcome === 'COMPLETED' ? undefined : 'injected' });
    if (s.throttled) service.failNext('DescribeRestoreJob', { error: 'ThrottlingException', count: s.throttled });
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
  const service = simulation.standIn.service;
  const { problems, owned } = requestInvariants(simulation, history, {
    resourceType: 'Custom::RestoreJob', tokenSuffix: 'DynamoDB', noun: 'restore', plural: 'restores', jobs: service.restores.restoreRecords(),
  });
  for (const { job: restore, op } of owned) {
    const { destroy } = endOf(history, op);
    if (!restore.table || restore.status !== 'COMPLETED') continue;
    // A later restore may have made a table of the same name again: only the last maker's policy counts.
    const madeLast = service.restores.restoreRecords().filter((r) => r.table === restore.table && r.status === 'COMPLETED').pop()?.id === restore.id;
    if (!madeLast) continue;
    const deleted = service.tables.tableDeleted(restore.table);
    if (destroy && !deleted) problems.push(`the table ${restore.table} of DESTROY restore job ${restore.id} was left after the stack was deleted`);
    if (!destroy && deleted) problems.push(`the table ${restore.table} of RETAIN restore job ${restore.id} was deleted`);
  }
  // No waiter outlived the stack: the framework would ask its deleted isComplete function.
  if (simulation.aws.logs.some((l) => l.line.includes('Function not found'))) problems.push('a waiter outlived the stack (Function not found)');
  return problems;
}

/** Sequences the property test found failing once, kept as fixed cases. */
const FOUND: { what: string; steps: RestoreStep[] }[] = [
  {
    // The waiter of a cancelled RETAIN restore polled on while the restore ran, past the stack's deletion,
    // as a copy's once did (11d3983): the framework then waited for its deleted isComplete function.
    what: 'the waiter of a cancelled RETAIN restore ends once CloudFormation moved on, not with the restore',
    steps: [
      { variant: 0, outcome: 'COMPLETED', durationSeconds: 340, cancelAfterMs: 10_000, throttled: 0 },
    ],
  },
];

test.each(FOUND)('found by the property test: $what', async ({ steps }) => {
  expect(await runSequence(sim(), steps)).toEqual([]);
}, 120_000);

// FC_STEPS='<the steps of a failure>' replays one sequence.
if (process.env.FC_STEPS) test('replay FC_STEPS', async () => {
  const simulation = sim();
  simulation.aws.onInvocation = (i) => process.stdout.write(`${new Date(simulation.clock.now()).toISOString()}: ${i.logicalId} ${(i.payload as any)?.RequestType ?? ''} ${i.error ? i.error.errorMessage.slice(0, 160) : ''}\n`);
  const problems = await runSequence(simulation, JSON.parse(process.env.FC_STEPS!) as RestoreStep[]);
  if (process.env.FC_LOGS) for (const l of simulation.aws.logs) process.stdout.write(`${l.functionName}: ${l.line.slice(0, 400)}\n`);
  expect(problems).toEqual([]);
}, 600_000);

test('random restore deploys with random faults keep every invariant', async () => {
  const simulation = sim();
  expect(await checkSequences(fc.array(step, { minLength: 1, maxLength: 3 }), (steps) => runSequence(simulation, steps), { seed: SEED, runs: RUNS })).toBe(RUNS);
}, 600_000);
