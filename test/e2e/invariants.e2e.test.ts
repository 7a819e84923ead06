/**
 * Invariants under random faults: fast-check drives random sequences of
 * deploys (new triggers, removal policies, a short timeout, and the same job
 * with another removal policy or not waited for) through the
 * simulation, each with random faults: a sibling failing at a random moment
 * (CloudFormation cancels the request while its waiter polls on), Lambda
 * delivering a request twice, a busy resource in each behaviour AWS Backup
 * shows (our job queued, or ended at once EXPIRED or FAILED), throttling and
 * 5xx answers, and jobs that end FAILED or PARTIAL. Every sequence ends with
 * the stack deleted.
 *
 * After each sequence:
 * - every request was answered within its ServiceTimeout (or cancelled);
 * - no job was started after CloudFormation stopped waiting for its request;
 * - every job belongs to exactly one request (as one of its attempts, by its
 *   token), and of a request's attempts all but the last gave way (AWS Backup
 *   ended it because of another job, or it was stopped before it started);
 * - every DESTROY recovery point is gone, every RETAIN one is kept (as the last
 *   Delete of the job's resource says: an update may change the policy, or
 *   replace a DESTROY job with a RETAIN one, which keeps it);
 * - no job runs on once the stack is gone, but one not waited for under RETAIN.
 * (IAM stays enforced: a waiter that outlives its stack's rollback is denied once its role is gone.)
 *
 * The seed is fixed and printed; FC_SEED=<n> FC_RUNS=<n> replay or explore others.
 */
import { RemovalPolicy, Duration } from 'aws-cdk-lib';
import { endedBecauseBusy } from '../../lambda/shared/backup-attempts';
import { BUSY_BEHAVIOURS, BusyBehaviour } from '../../local/stand-in/backup-job-states';
import * as fc from 'fast-check';
import { idempotencyToken } from '../../lib/core/properties';
import { CustomResourceOperation, RequestFaults, Simulation, SynthesizedStack } from '../../local/simulation';
import { backupJobStack, checkSequences, endOf, sometimes, TABLE_ARN, useSimulation } from './harness';

const sim = useSimulation();

const SEED = Number(process.env.FC_SEED ?? 20261201);
// Each sequence's calls are decided by IAM against its own roles (the simulation gives each function its
// own module instance, so no client keeps an earlier stack's credentials).
const RUNS = Number(process.env.FC_RUNS ?? 200);
/** How many attempts of one request the check maps back to it by their tokens. */
const MAX_ATTEMPTS = 20;

/**
 * The stacks a sequence deploys. The last ones change only how a job is kept
 * or waited for (a trigger of the first ones with another removal policy, or
 * not waited for): a deploy of one of them keeps the job, and may turn the
 * wait on for it again.
 */
const VARIANTS: { trigger: string; removalPolicy: RemovalPolicy; timeout?: Duration; waitForCompletion?: boolean }[] = [
  { trigger: 'r1', removalPolicy: RemovalPolicy.RETAIN },
  { trigger: 'r2', removalPolicy: RemovalPolicy.RETAIN },
  { trigger: 'd1', removalPolicy: RemovalPolicy.DESTROY },
  { trigger: 'd2', removalPolicy: RemovalPolicy.DESTROY },
  { trigger: 'short', removalPolicy: RemovalPolicy.DESTROY, timeout: Duration.minutes(5) },
  { trigger: 'd1', removalPolicy: RemovalPolicy.RETAIN },
  { trigger: 'r1', removalPolicy: RemovalPolicy.RETAIN, waitForCompletion: false },
  { trigger: 'd2', removalPolicy: RemovalPolicy.DESTROY, waitForCompletion: false },
];
let stacks: SynthesizedStack[];
beforeAll(() => {
  stacks = VARIANTS.map((v) => backupJobStack({ trigger: v.trigger, removalPolicy: v.removalPolicy, timeout: v.timeout, waitForCompletion: v.waitForCompletion }));
  process.stdout.write(`invariants: fast-check seed ${SEED}, ${RUNS} sequences (replay with FC_SEED=${SEED})\n`);
});

interface DeployStep {
  readonly variant: number;
  readonly outcome: 'COMPLETED' | 'FAILED' | 'PARTIAL';
  readonly durationSeconds: number;
  readonly busySeconds?: number;
  readonly busyBehaviour: BusyBehaviour;
  readonly cancelAfterMs?: number;
  readonly redeliverAfterMs?: number;
  readonly throttled: number;
  readonly serverErrors: number;
}

const step: fc.Arbitrary<DeployStep> = fc.record({
  variant: fc.integer({ min: 0, max: VARIANTS.length - 1 }),
  outcome: fc.constantFrom('COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED', 'PARTIAL'),
  // Mostly short jobs (many sequences a minute), now and then one that outlasts the short timeout (5 minutes).
  durationSeconds: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 10, max: 120 }) },
    { weight: 2, arbitrary: fc.integer({ min: 121, max: 420 }) },
  ),
  busySeconds: sometimes(0.3, fc.integer({ min: 20, max: 120 })),
  busyBehaviour: fc.constantFrom(...BUSY_BEHAVIOURS),
  cancelAfterMs: sometimes(0.35, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  redeliverAfterMs: sometimes(0.2, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  // Within the SDK's own retries, now and then: their back-off is real time, and the fixed
  // end-to-end scenarios cover longer runs of them.
  throttled: sometimes(0.03, fc.integer({ min: 1, max: 2 })).map((n) => n ?? 0),
  serverErrors: sometimes(0.03, fc.integer({ min: 1, max: 2 })).map((n) => n ?? 0),
});

/** What went wrong in one sequence (empty: every invariant holds). */
async function runSequence(simulation: Simulation, steps: readonly DeployStep[]): Promise<string[]> {
  simulation.reset();
  const service = simulation.standIn.service;
  let faults: RequestFaults | undefined;
  const cfn = simulation.cloudFormation('E2E', {
    faultsFor: (r) => (r.phase === 'deploy' && r.requestType !== 'Delete' && r.logicalId.startsWith('Snapshot') ? faults : undefined),
  });
  for (const s of steps) {
    service.backups.onNextJob(TABLE_ARN, { outcome: s.outcome, durationSeconds: s.durationSeconds, statusMessage: s.outcome === 'COMPLETED' ? undefined : 'injected' });
    service.backups.busyBehaviour = s.busyBehaviour ?? 'queue';
    if (s.busySeconds) service.backups.seedJob({ resourceArn: TABLE_ARN, scenario: { durationSeconds: s.busySeconds }, backupPlanId: 'nightly' });
    if (s.throttled) service.failNext('DescribeBackupJob', { error: 'ThrottlingException', count: s.throttled });
    if (s.serverErrors) service.failNext('StartBackupJob', { error: 'ServiceUnavailableException', count: s.serverErrors });
    faults = s.cancelAfterMs || s.redeliverAfterMs ? { cancelAfterMs: s.cancelAfterMs, redeliverAfterMs: s.redeliverAfterMs } : undefined;
    const deployed = await cfn.deploy(stacks[s.variant]);
    if (process.env.FC_STEPS) process.stdout.write(`deploy: ${deployed.status} ${deployed.failedResource ?? ''} ${deployed.reason ?? ''}\n`);
    faults = undefined;
  }
  await cfn.destroy();
  // Whatever still runs in the background (a cancelled request's waiter) ends; stopped jobs finish aborting.
  await simulation.aws.idle();
  simulation.clock.advance(5_000);
  return violations(simulation, cfn.history);
}

function violations(simulation: Simulation, history: readonly CustomResourceOperation[]): string[] {
  const problems: string[] = [];
  const service = simulation.standIn.service;
  for (const op of history) {
    if (!op.answeredInTime && !op.cancelled) problems.push(`${op.requestType} ${op.logicalId} (${op.phase}) was not answered within its ServiceTimeout`);
  }
  // Which request (and which of its attempts) each job's token belongs to.
  const requests = new Map<string, { op: CustomResourceOperation; attempt: number }>();
  for (const op of history) {
    if (op.resourceType !== 'Custom::BackupJob' || op.requestType === 'Delete') continue;
    const request = { StackId: stackIdOf(simulation, op), LogicalResourceId: op.logicalId, RequestId: op.requestId };
    requests.set(idempotencyToken(request), { op, attempt: 1 });
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) requests.set(idempotencyToken(request, `attempt-${attempt}`), { op, attempt });
  }
  const perRequest = new Map<string, { attempt: number; id: string }[]>();
  for (const job of service.backups.jobRecords().filter((j) => !j.byPlan)) {
    const found = job.token ? requests.get(job.token) : undefined;
    if (!found) {
      problems.push(`job ${job.id} belongs to no request`);
      continue;
    }
    const op = found.op;
    perRequest.set(op.requestId, [...(perRequest.get(op.requestId) ?? []), { attempt: found.attempt, id: job.id }]);
    if (job.createdAt > op.endedAt) problems.push(`job ${job.id} was started ${(job.createdAt - op.endedAt) / 1000} s after CloudFormation stopped waiting for ${op.requestType} ${op.requestId}`);
    const { destroy, leftRunning } = endOf(history, op);
    const exists = service.backups.recoveryPointExists(job.recoveryPointArn);
    const state = service.backups.jobView(job.id).state;
    if (destroy && exists) problems.push(`the recovery point of DESTROY job ${job.id} (${state}) was left after the stack was deleted`);
    if (!destroy && !exists && (state === 'COMPLETED' || state === 'PARTIAL')) problems.push(`the recovery point of RETAIN job ${job.id} was deleted`);
    if (!leftRunning && (state === 'CREATED' || state === 'PENDING' || state === 'RUNNING')) problems.push(`job ${job.id} still runs (${state}) after the stack was deleted`);
  }
  for (const [requestId, attempts] of perRequest) {
    const ordered = attempts.sort((a, b) => a.attempt - b.attempt);
    if (new Set(ordered.map((a) => a.attempt)).size !== ordered.length) problems.push(`request ${requestId} started one attempt twice`);
    for (const earlier of ordered.slice(0, -1)) {
      const view = service.backups.jobView(earlier.id);
      const gaveWay = endedBecauseBusy({ State: view.state as never, StatusMessage: view.statusMessage }) || (view.state === 'ABORTED' && view.startedAt === undefined);
      if (!gaveWay) problems.push(`request ${requestId} took attempt ${earlier.attempt + 1} although attempt ${earlier.attempt} (${earlier.id}) ended ${view.state}: ${view.statusMessage ?? ''}`);
    }
  }
  return problems;
}

function stackIdOf(simulation: Simulation, op: CustomResourceOperation): string {
  const event = simulation.aws.invocations.find((i) => (i.payload as { RequestId?: string })?.RequestId === op.requestId)?.payload as { StackId: string };
  return event.StackId;
}

/** Sequences the property test found failing once, kept as fixed cases. */
const FOUND: { what: string; steps: DeployStep[] }[] = [
  {
    // The Provider framework's functions shared one module instance, so its Step Functions client kept the
    // credentials of the first stack's role; the third stack (made anew after two rollbacks) was denied.
    what: 'a stack made anew after two failed deploys starts its waiter with its own role',
    steps: [
      { variant: 4, outcome: 'FAILED', durationSeconds: 166, busyBehaviour: 'expire', throttled: 0, serverErrors: 0 },
      { variant: 2, outcome: 'PARTIAL', durationSeconds: 85, busyBehaviour: 'fail', throttled: 0, serverErrors: 0 },
      { variant: 2, outcome: 'COMPLETED', durationSeconds: 13, busyBehaviour: 'fail', redeliverAfterMs: 91000, throttled: 0, serverErrors: 0 },
    ],
  },
  {
    // A DESTROY update cancelled within a minute of the failed RETAIN update before it: its rollback took that
    // update's PARTIAL job (it had "just ended") for its own and deleted its recovery point.
    what: 'the rollback of a cancelled DESTROY update leaves the recovery point of the failed RETAIN update before it',
    steps: [
      { variant: 0, outcome: 'COMPLETED', durationSeconds: 60, busyBehaviour: 'expire', cancelAfterMs: 127000, redeliverAfterMs: 14000, throttled: 0, serverErrors: 0 },
      { variant: 1, outcome: 'PARTIAL', durationSeconds: 79, busyBehaviour: 'fail', cancelAfterMs: 101000, throttled: 0, serverErrors: 0 },
      { variant: 4, outcome: 'COMPLETED', durationSeconds: 20, busySeconds: 93, busyBehaviour: 'expire', cancelAfterMs: 45000, throttled: 0, serverErrors: 0 },
    ],
  },
  {
    // A Create delivered twice: the second delivery's waiter still polled when the next update began, took
    // the resource's new status for "CloudFormation moved on" and deleted the recovery point of the job the
    // first delivery had answered with (which that update, RETAIN, keeps).
    what: 'a late waiter of an answered request leaves the job the resource names alone',
    steps: [
      { variant: 4, outcome: 'COMPLETED', durationSeconds: 193, busySeconds: 78, busyBehaviour: 'fail', redeliverAfterMs: 80000, throttled: 0, serverErrors: 0 },
      { variant: 0, outcome: 'COMPLETED', durationSeconds: 97, busyBehaviour: 'queue', redeliverAfterMs: 12000, throttled: 0, serverErrors: 0 },
      { variant: 4, outcome: 'COMPLETED', durationSeconds: 20, busySeconds: 52, busyBehaviour: 'expire', throttled: 0, serverErrors: 0 },
    ],
  },
];

test.each(FOUND)('found by the property test: $what', async ({ steps }) => {
  expect(await runSequence(sim(), steps)).toEqual([]);
}, 120_000);

// FC_STEPS='<the steps of a failure>' replays one sequence, printing each invocation with its real time.
if (process.env.FC_STEPS) test('replay FC_STEPS', async () => {
  const steps = JSON.parse(process.env.FC_STEPS!) as DeployStep[];
  const simulation = sim();
  const t0 = performance.now();
  simulation.aws.onInvocation = (i) => process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(1)} s real: ${i.logicalId} ${(i.payload as any)?.RequestType} ${i.error ? i.error.errorMessage.slice(0, 80) : ''}\n`);
  expect(await runSequence(simulation, steps)).toEqual([]);
}, 600_000);

test('random deploys with random faults keep every invariant', async () => {
  const simulation = sim();
  expect(await checkSequences(fc.array(step, { minLength: 1, maxLength: 3 }), (steps) => runSequence(simulation, steps), { seed: SEED, runs: RUNS })).toBe(RUNS);
}, 600_000);
