/**
 * Scan jobs under random faults: fast-check drives random sequences of deploys
 * of a bucket's backup, its malware scan and a migration that depends on the
 * scan (new triggers, a short timeout, the long-wait path) through the
 * simulation, with random faults: a sibling failing at a random moment
 * (CloudFormation cancels the scan's request while its waiter polls on),
 * Lambda delivering a request twice, throttled DescribeScanJob, scans that
 * find threats, end FAILED, CANCELED or COMPLETED_WITH_ISSUES, or outlast the
 * timeout. Every sequence ends with the stack deleted.
 *
 * After each sequence:
 * - every request was answered within its ServiceTimeout (or cancelled);
 * - every scan job belongs to exactly one request (by its token), and none was
 *   started after CloudFormation stopped waiting for its request;
 * - after every deploy that succeeded, the migration stands on a scan that
 *   found no threats: the scan the stack's resource names ended COMPLETED or
 *   COMPLETED_WITH_ISSUES with NO_THREATS_FOUND;
 * - no waiter outlived the stack.
 *
 * The seed is fixed and printed; FC_SEED=<n> FC_RUNS=<n> replay or explore others.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as fc from 'fast-check';
import { BackupJob, ProtectedResource, RecoveryPoint, ScanJob } from '../../lib';
import { parsePhysicalId } from '../../lambda/jobs/physical-id';
import type { ScanOutcome, ScanResultStatus } from '../../local/stand-in/scan-job-states';
import { CustomResourceOperation, RequestFaults, Simulation, SynthesizedStack } from '../../local/simulation';
import { checkSequences, requestInvariants, sometimes, synthesizeStack, useSimulation } from './harness';

const sim = useSimulation();

const SEED = Number(process.env.FC_SEED ?? 20261206);
const RUNS = Number(process.env.FC_RUNS ?? 60);

const VARIANTS: { trigger: string; timeout?: Duration }[] = [
  { trigger: 's1' },
  { trigger: 's2' },
  { trigger: 'short', timeout: Duration.minutes(5) },
  { trigger: 'long', timeout: Duration.hours(2) },
];

let stacks: SynthesizedStack[];
beforeAll(() => {
  stacks = VARIANTS.map((v) => synthesizeStack('E2E', (stack: Stack) => {
    const bucket = new s3.Bucket(stack, 'Uploads', { bucketName: 'orders-uploads', versioned: true });
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromS3Bucket(bucket) });
    const scan = new ScanJob(stack, 'SnapshotScan', { recoveryPoint: RecoveryPoint.fromBackupJob(job), trigger: v.trigger, timeout: v.timeout });
    new ssm.StringParameter(stack, 'Migration', { stringValue: `migrate after scan ${scan.scanJobId}` }).node.addDependency(scan);
  }));
  process.stdout.write(`scan invariants: fast-check seed ${SEED}, ${RUNS} sequences (replay with FC_SEED=${SEED})\n`);
});

interface ScanStep {
  readonly variant: number;
  readonly outcome: ScanOutcome;
  readonly result: ScanResultStatus;
  readonly durationSeconds: number;
  readonly cancelAfterMs?: number;
  readonly redeliverAfterMs?: number;
  readonly throttled: number;
}

const step: fc.Arbitrary<ScanStep> = fc.record({
  variant: fc.integer({ min: 0, max: VARIANTS.length - 1 }),
  outcome: fc.constantFrom<ScanOutcome>('COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED_WITH_ISSUES', 'FAILED', 'CANCELED'),
  result: fc.constantFrom<ScanResultStatus>('NO_THREATS_FOUND', 'NO_THREATS_FOUND', 'THREATS_FOUND'),
  // Mostly short scans, now and then one that outlasts the short timeout (5 minutes).
  durationSeconds: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 10, max: 120 }) }, { weight: 2, arbitrary: fc.integer({ min: 310, max: 400 }) }),
  cancelAfterMs: sometimes(0.3, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  redeliverAfterMs: sometimes(0.2, fc.integer({ min: 1, max: 150 }).map((s) => s * 1000)),
  throttled: sometimes(0.1, fc.integer({ min: 1, max: 2 })).map((n) => n ?? 0),
});

/** What went wrong in one sequence (empty: every invariant holds). */
async function runSequence(simulation: Simulation, steps: readonly ScanStep[]): Promise<string[]> {
  simulation.reset();
  const service = simulation.standIn.service;
  const problems: string[] = [];
  let faults: RequestFaults | undefined;
  const cfn = simulation.cloudFormation('E2E', {
    faultsFor: (r) => (r.phase === 'deploy' && r.requestType !== 'Delete' && r.logicalId.startsWith('SnapshotScan') ? faults : undefined),
  });
  for (const s of steps) {
    service.scans.onNextScan({ outcome: s.outcome, result: s.result, durationSeconds: s.durationSeconds, statusMessage: s.outcome === 'COMPLETED' ? undefined : 'injected' });
    if (s.throttled) service.failNext('DescribeScanJob', { error: 'ThrottlingException', count: s.throttled });
    faults = s.cancelAfterMs || s.redeliverAfterMs ? { cancelAfterMs: s.cancelAfterMs, redeliverAfterMs: s.redeliverAfterMs } : undefined;
    const deployed = await cfn.deploy(stacks[s.variant]);
    faults = undefined;
    if (deployed.status === 'CREATE_COMPLETE' || deployed.status === 'UPDATE_COMPLETE') problems.push(...migrationOnACleanScan(simulation, cfn.resourcesOfType('Custom::ScanJob')[0]?.physicalId));
  }
  await cfn.destroy();
  await simulation.aws.idle();
  return [...problems, ...violations(simulation, cfn.history)];
}

/** The migration stands: the scan the stack names must have found nothing. */
function migrationOnACleanScan(simulation: Simulation, physicalId: string | undefined): string[] {
  const scanJobId = parsePhysicalId(physicalId)?.jobId;
  const scan = simulation.standIn.service.scans.scanRecords().find((s) => s.id === scanJobId);
  if (!scan) return [`a deploy succeeded and its scan resource names no scan job (${physicalId})`];
  const described = simulation.standIn.service.scans.DescribeScanJob({ ScanJobId: scan.id }) as { State: string; ScanResult?: { ScanResultStatus: string } };
  const clean = ['COMPLETED', 'COMPLETED_WITH_ISSUES'].includes(described.State) && described.ScanResult?.ScanResultStatus === 'NO_THREATS_FOUND';
  return clean ? [] : [`a deploy succeeded (the migration ran) on scan job ${scan.id}, which is ${described.State} ${described.ScanResult?.ScanResultStatus ?? ''}`];
}

function violations(simulation: Simulation, history: readonly CustomResourceOperation[]): string[] {
  const { problems } = requestInvariants(simulation, history, {
    resourceType: 'Custom::ScanJob', tokenSuffix: 'scan', noun: 'scan', plural: 'scans', jobs: simulation.standIn.service.scans.scanRecords(),
  });
  if (simulation.aws.logs.some((l) => l.line.includes('Function not found'))) problems.push('a waiter outlived the stack (Function not found)');
  return problems;
}

// FC_STEPS='<the steps of a failure>' replays one sequence.
if (process.env.FC_STEPS) test('replay FC_STEPS', async () => {
  const simulation = sim();
  const problems = await runSequence(simulation, JSON.parse(process.env.FC_STEPS!) as ScanStep[]);
  if (process.env.FC_LOGS) for (const l of simulation.aws.logs) process.stdout.write(`${l.functionName}: ${l.line.slice(0, 400)}\n`);
  expect(problems).toEqual([]);
}, 600_000);

test('random scan deploys with random faults keep every invariant; a migration never runs on a scan that found threats', async () => {
  const simulation = sim();
  expect(await checkSequences(fc.array(step, { minLength: 1, maxLength: 3 }), (steps) => runSequence(simulation, steps), { seed: SEED, runs: RUNS })).toBe(RUNS);
}, 600_000);
