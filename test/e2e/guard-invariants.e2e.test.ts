/**
 * The removal guard's invariants under random faults: fast-check drives
 * random sequences of deploys of a guarded table (a replacement, the guard
 * removed, the table removed with its guard, a deploy that fails after the
 * guard and rolls back), each with random faults: backups that end FAILED or
 * EXPIRED or outlast the guard's timeout, a scheduled backup holding the table
 * (in each behaviour AWS Backup shows), a sibling failing while the guard
 * waits (CloudFormation cancels its request), Lambda delivering a request
 * twice, and CloudFormation either keeping or deleting what a failed deletion
 * depends on. Every sequence ends with the stack deleted, as the guard's
 * failure message tells a user to (a backup by hand, deletion protection off,
 * the guard retained when its handler is gone).
 *
 * After each sequence:
 * - every request was answered within its ServiceTimeout (or cancelled);
 * - no job was started after CloudFormation stopped waiting for its request,
 *   and every job belongs to one guard request (by its token);
 * - no data was lost: every table a deploy left in the stack with its guard
 *   and that is gone now had a COMPLETED backup that ended before its
 *   deletion (a table whose guard a later deploy removed is the user's);
 * - no guard's recovery point was deleted, and no job still runs.
 *
 * The seed is fixed and printed; FC_SEED=<n> FC_RUNS=<n> replay or explore others.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as fc from 'fast-check';
import { BackupBeforeRemoval, BackupJob, ProtectedResource } from '../../lib';
import { idempotencyToken } from '../../lib/core/properties';
import { AfterFailedDeletion, CustomResourceOperation, RequestFaults, Simulation, SynthesizedStack } from '../../local/simulation';
import { BUSY_BEHAVIOURS, BusyBehaviour } from '../../local/stand-in/backup-job-states';
import { checkSequences, sometimes, synthesizeStack, useSimulation } from './harness';

const sim = useSimulation();

const SEED = Number(process.env.FC_SEED ?? 20261204);
const RUNS = Number(process.env.FC_RUNS ?? 200);
const MAX_ATTEMPTS = 20;
const FAILING_TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/failing';
const tableArn = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;

/** The stacks a sequence deploys. Each keeps a BackupJob of another table, so a template never goes empty. */
const VARIANTS: { table?: 'pk' | 'id'; guarded?: boolean; failing?: boolean }[] = [
  { table: 'pk', guarded: true },
  { table: 'id', guarded: true }, // replaces the table
  { table: 'pk', guarded: false }, // removes only the guard
  {}, // removes the table with its guard
  { table: 'pk', guarded: true, failing: true }, // fails after the guard, rolls back
];

function variantStack(v: typeof VARIANTS[number]): SynthesizedStack {
  return synthesizeStack('Guarded', (stack: Stack) => {
    const other = new BackupJob(stack, 'Other', { resource: ProtectedResource.fromArn('arn:aws:dynamodb:us-east-1:123456789012:table/other') });
    let guard: BackupBeforeRemoval | undefined;
    if (v.table) {
      const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: v.table, type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
      if (v.guarded) guard = new BackupBeforeRemoval(stack, 'Guard', { resource: ProtectedResource.fromDynamoDbTable(table), timeout: Duration.minutes(5) });
    }
    if (v.failing) {
      const failing = new BackupJob(stack, 'Failing', { resource: ProtectedResource.fromArn(FAILING_TABLE) });
      if (guard) failing.node.addDependency(guard);
      failing.node.addDependency(other);
    }
  });
}

let stacks: SynthesizedStack[];
beforeAll(() => {
  stacks = VARIANTS.map(variantStack);
  process.stdout.write(`guard invariants: fast-check seed ${SEED}, ${RUNS} sequences (replay with FC_SEED=${SEED})\n`);
});

interface Step {
  readonly variant: number;
  /** How the guard's next backup ends, and how long it runs (past 5 minutes: the guard's timeout). */
  readonly outcome: 'COMPLETED' | 'FAILED' | 'EXPIRED';
  readonly durationSeconds: number;
  readonly busySeconds?: number;
  readonly busyBehaviour: BusyBehaviour;
  readonly cancelAfterMs?: number;
  readonly redeliverAfterMs?: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  variant: fc.integer({ min: 0, max: VARIANTS.length - 1 }),
  outcome: fc.constantFrom('COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED', 'EXPIRED'),
  durationSeconds: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 10, max: 120 }) }, { weight: 2, arbitrary: fc.integer({ min: 250, max: 400 }) }),
  busySeconds: sometimes(0.25, fc.integer({ min: 20, max: 120 })),
  busyBehaviour: fc.constantFrom(...BUSY_BEHAVIOURS),
  cancelAfterMs: sometimes(0.25, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  redeliverAfterMs: sometimes(0.2, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
});

const sequence = fc.record({
  steps: fc.array(step, { minLength: 1, maxLength: 3 }),
  afterFailedDeletion: fc.constantFrom<AfterFailedDeletion>('delete-dependencies', 'keep-dependencies'),
  /** How the guard's backup before the stack's deletion ends. */
  last: fc.constantFrom<Step['outcome']>('COMPLETED', 'COMPLETED', 'FAILED'),
});

type Sequence = { steps: readonly Step[]; afterFailedDeletion: AfterFailedDeletion; last: Step['outcome'] };

/** What went wrong in one sequence (empty: every invariant holds). */
async function runSequence(simulation: Simulation, s: Sequence): Promise<string[]> {
  simulation.reset();
  const service = simulation.standIn.service;
  service.backups.onResource(FAILING_TABLE, { outcome: 'FAILED', statusMessage: 'injected' });
  let faults: RequestFaults | undefined;
  const cfn = simulation.cloudFormation('Guarded', {
    afterFailedDeletion: s.afterFailedDeletion,
    faultsFor: (r) => (r.phase === 'deploy' && r.logicalId.startsWith('Guard') ? faults : undefined),
  });
  /** Tables a deploy left in the stack with their guard: their data must never be lost (a table whose guard was removed is the user's). */
  const guarded = new Set<string>();
  const current = () => cfn.resourcesOfType('AWS::DynamoDB::Table').map((t) => t.physicalId);
  const prepare = (outcome: Step['outcome'], durationSeconds: number) => {
    for (const name of current()) service.backups.onResource(tableArn(name), { outcome, durationSeconds, statusMessage: outcome === 'COMPLETED' ? undefined : 'injected' });
  };
  for (const st of s.steps) {
    prepare(st.outcome, st.durationSeconds);
    service.backups.busyBehaviour = st.busyBehaviour;
    if (st.busySeconds) for (const name of current()) service.backups.seedJob({ resourceArn: tableArn(name), scenario: { durationSeconds: st.busySeconds }, backupPlanId: 'nightly' });
    faults = st.cancelAfterMs || st.redeliverAfterMs ? { cancelAfterMs: st.cancelAfterMs, redeliverAfterMs: st.redeliverAfterMs } : undefined;
    await cfn.deploy(stacks[st.variant]);
    faults = undefined;
    const hasGuard = cfn.resourcesOfType('Custom::BackupBeforeRemoval').length > 0;
    current().forEach((name) => (hasGuard ? guarded.add(name) : guarded.delete(name)));
  }
  prepare(s.last, 30);
  let result = await cfn.destroy();
  for (let tries = 0; result.status === 'DELETE_FAILED' && tries < 3; tries++) {
    // As the guard's message says: a backup by hand, deletion protection off, the guard retained if its handler
    // is gone; a while later (a scheduled backup that held the table has ended by then).
    simulation.clock.advance(15 * 60_000);
    for (const name of current()) {
      // What made the backup fail was fixed.
      service.backups.onResource(tableArn(name), { outcome: 'COMPLETED', durationSeconds: 30 });
      service.backups.seedJob({ resourceArn: tableArn(name), createdAt: simulation.clock.now() - 3600_000, backupPlanId: 'by-hand' });
      if (service.tables.tableStatus(name)) service.tables.UpdateTable({ TableName: name, DeletionProtectionEnabled: false });
    }
    const handlerGone = result.operations.some((o) => o.notInvoked);
    result = await cfn.destroy({ retain: handlerGone ? result.notDeleted!.filter((n) => n.logicalId.startsWith('Guard')).map((n) => n.logicalId) : [] });
  }
  await simulation.aws.idle();
  simulation.clock.advance(60_000);
  const problems = violations(simulation, cfn.history, guarded);
  if (result.status !== 'DELETE_COMPLETE') problems.push(`the stack could not be deleted: ${result.status} ${result.reason}`);
  return problems;
}

function violations(simulation: Simulation, history: readonly CustomResourceOperation[], guarded: Set<string>): string[] {
  const problems: string[] = [];
  const service = simulation.standIn.service;
  for (const op of history) {
    if (!op.answeredInTime && !op.cancelled && !op.notInvoked) problems.push(`${op.requestType} ${op.logicalId} (${op.phase}) was not answered within its ServiceTimeout`);
  }
  const requests = new Map<string, CustomResourceOperation>();
  for (const op of history) {
    const event = simulation.aws.invocations.find((i) => (i.payload as { RequestId?: string })?.RequestId === op.requestId)?.payload as { StackId: string } | undefined;
    if (!event) continue;
    const request = { StackId: event.StackId, LogicalResourceId: op.logicalId, RequestId: op.requestId };
    requests.set(idempotencyToken(request), op);
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) requests.set(idempotencyToken(request, `attempt-${attempt}`), op);
  }
  for (const job of service.backups.jobRecords().filter((j) => !j.byPlan && j.resourceArn !== FAILING_TABLE && !j.resourceArn.endsWith('/other'))) {
    const op = job.token ? requests.get(job.token) : undefined;
    if (!op || op.resourceType !== 'Custom::BackupBeforeRemoval') {
      problems.push(`job ${job.id} belongs to no guard request`);
      continue;
    }
    if (job.createdAt > op.endedAt) problems.push(`job ${job.id} was started ${(job.createdAt - op.endedAt) / 1000} s after CloudFormation stopped waiting for ${op.requestType} ${op.requestId}`);
    const state = service.backups.jobView(job.id).state;
    // A backup before a deletion is left running at the timeout (it ends on its own; the deletion tried again takes it over).
    const leftRunning = op.requestType === 'Delete' && /it goes on \(not stopped\)/.test(op.failure ?? '');
    if (['CREATED', 'PENDING', 'RUNNING'].includes(state) && !leftRunning) problems.push(`job ${job.id} still runs (${state})`);
    if ((state === 'COMPLETED') && !service.backups.recoveryPointExists(job.recoveryPointArn)) problems.push(`the recovery point of guard job ${job.id} was deleted`);
  }
  for (const name of guarded) {
    if (service.tables.tableStatus(name)) continue;
    const deletedAt = service.tables.tableDeletedAt(name)!;
    const saved = service.backups.jobsOf(tableArn(name)).some((j) => j.state === 'COMPLETED' && j.completedAt! <= deletedAt);
    if (!saved) problems.push(`table ${name} was deleted without a completed backup before its deletion`);
  }
  return problems;
}

/** Sequences the property test found failing once, kept as fixed cases. */
const FOUND: { what: string; sequence: Sequence }[] = [
  {
    // The simulation named a table made again under a removed table's logical id as it had named the removed one
    // (kept, protected, after its failed backup), so the new table's rollback deleted the old table's data.
    what: 'a table removed after a failed backup (kept, protected) is not the table made again under its logical id',
    sequence: {
      steps: [
        { variant: 1, outcome: 'COMPLETED', durationSeconds: 33, busySeconds: 96, busyBehaviour: 'expire' },
        { variant: 3, outcome: 'FAILED', durationSeconds: 99, busyBehaviour: 'queue', cancelAfterMs: 52000 },
        { variant: 4, outcome: 'COMPLETED', durationSeconds: 107, busyBehaviour: 'fail' },
      ],
      afterFailedDeletion: 'delete-dependencies',
      last: 'FAILED',
    },
  },
  {
    // A backup before the cleanup phase deleted the table timed out: it is left running (not stopped) and ends on its own.
    what: 'a backup that timed out in an update\'s cleanup phase goes on, not stopped',
    sequence: {
      steps: [
        { variant: 2, outcome: 'COMPLETED', durationSeconds: 75, busyBehaviour: 'fail' },
        { variant: 1, outcome: 'EXPIRED', durationSeconds: 93, busySeconds: 27, busyBehaviour: 'fail' },
        { variant: 3, outcome: 'EXPIRED', durationSeconds: 392, busyBehaviour: 'expire', cancelAfterMs: 90000 },
      ],
      afterFailedDeletion: 'keep-dependencies',
      last: 'FAILED',
    },
  },
];

test.each(FOUND)('found by the property test: $what', async ({ sequence: s }) => {
  expect(await runSequence(sim(), s)).toEqual([]);
}, 120_000);

test('random deploys of a guarded table with random faults lose no data and keep every invariant', async () => {
  const simulation = sim();
  expect(await checkSequences(sequence, (steps) => runSequence(simulation, steps), { seed: SEED, runs: RUNS })).toBe(RUNS);
}, 600_000);
