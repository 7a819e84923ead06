/**
 * Builds the stacks the end-to-end scenarios deploy, and reads what
 * CloudFormation received.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as fc from 'fast-check';
import { BackupJob, BackupJobProps, ProtectedResource } from '../../lib';
import { parsePhysicalId } from '../../lambda/jobs/physical-id';
import { idempotencyToken } from '../../lib/core/properties';
import { CustomResourceOperation, Simulation, SynthesizedStack } from '../../local/simulation';

export const TABLE_NAME = 'orders';
export const TABLE_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE_NAME}`;

const outdirs: string[] = [];

/**
 * One simulation for a test file: started before its tests, reset before each,
 * stopped (and the assemblies removed) after them. Call it at the top of the file.
 */
export function useSimulation(): () => Simulation {
  let simulation: Simulation | undefined;
  beforeAll(async () => {
    simulation = await Simulation.start({ echo: false });
  });
  afterAll(async () => {
    await simulation?.stop();
    removeAssemblies();
  });
  beforeEach(() => simulation!.reset());
  return () => simulation!;
}

/** Every request answered within its ServiceTimeout: no stack is left waiting. */
export function expectAllAnswered(ops: readonly CustomResourceOperation[]): void {
  expect(ops.filter((o) => !o.answeredInTime && !o.cancelled && !o.notInvoked).map((o) => `${o.requestType} ${o.logicalId}`)).toEqual([]);
}

/** Synthesizes a stack into a fresh cloud assembly and reads it back. */
export function synthesizeStack(stackName: string, configure: (stack: Stack) => void): SynthesizedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-backup-jobs-e2e-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  configure(new Stack(app, stackName));
  app.synth();
  return SynthesizedStack.fromAssembly(outdir, stackName);
}

/** Synthesizes a stack with a table into a fresh cloud assembly and reads it back. */
export function synthesize(configure: (stack: Stack, table: dynamodb.Table) => void, stackName = 'E2E'): SynthesizedStack {
  return synthesizeStack(stackName, (stack) => {
    const table = new dynamodb.Table(stack, 'Orders', {
      tableName: TABLE_NAME,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    configure(stack, table);
  });
}

/** A stack with one BackupJob of the table ("Snapshot"), its attributes as outputs. */
export function backupJobStack(props: Partial<BackupJobProps> = {}, more?: (stack: Stack, table: dynamodb.Table, job: BackupJob) => void): SynthesizedStack {
  return synthesize((stack, table) => {
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), ...props });
    new CfnOutput(stack, 'BackupJobId', { value: job.backupJobId });
    new CfnOutput(stack, 'RecoveryPointArn', { value: job.recoveryPointArn });
    new CfnOutput(stack, 'BackupSizeInBytes', { value: job.backupSizeInBytes });
    more?.(stack, table, job);
  });
}

export function removeAssemblies(): void {
  outdirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
}

/** The job a response's physical id names (started jobs only). */
export function jobIdOf(op: CustomResourceOperation): string | undefined {
  const id = parsePhysicalId(op.response?.PhysicalResourceId);
  return id?.prefix === 'backup-job' ? id.jobId : undefined;
}

/** Time from the job's end (in the stand-in) to CloudFormation receiving the answer. */
export function overheadMs(simulation: Simulation, op: CustomResourceOperation): number {
  const view = simulation.standIn.service.backups.jobView(jobIdOf(op)!);
  return op.response!.receivedAt - view.completedAt!;
}

/** The backup custom resource operations, in the order they were sent. */
export function backupOps(ops: readonly CustomResourceOperation[]): CustomResourceOperation[] {
  return ops.filter((o) => o.resourceType === 'Custom::BackupJob');
}

/** For property tests: a value `share` of the time, else undefined. */
export function sometimes<T>(share: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  const weight = Math.round(share * 100);
  return fc.oneof({ weight, arbitrary }, { weight: 100 - weight, arbitrary: fc.constant(undefined) });
}

/**
 * Runs a property test of sequences: each generated value is run, and the
 * problems it reports (none: every invariant holds) fail the property with
 * the value to replay. Resolves to the number of sequences run.
 */
export async function checkSequences<T>(arbitrary: fc.Arbitrary<T>, run: (value: T) => Promise<string[]>, options: { seed: number; runs: number }): Promise<number> {
  let sequences = 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      sequences += 1;
      if (process.env.FC_TRACE) process.stdout.write(`running ${JSON.stringify(value)}\n`);
      const t0 = performance.now();
      const problems = await run(value);
      if (process.env.FC_TRACE) process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(1)} s ${JSON.stringify(value)}\n`);
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\nsequence: ${JSON.stringify(value)}`);
    }),
    { seed: options.seed, numRuns: options.runs, endOnFailure: true },
  );
  return sequences;
}

/**
 * How a request's job is to be left once the stack is gone: the policies of
 * the last Delete that named its physical id (the latest template's: an update
 * may have changed `removalPolicy` or `waitForCompletion` since), or the
 * request's own when no Delete named it. DESTROY, unless an update that
 * replaced the job with a RETAIN one kept it (the new template's choice).
 */
export function endOf(history: readonly CustomResourceOperation[], op: CustomResourceOperation): { destroy: boolean; leftRunning: boolean } {
  const physicalId = op.response?.PhysicalResourceId;
  const deletes = physicalId === undefined ? [] : history.filter((o) => o.requestType === 'Delete' && o.physicalIdSent === physicalId);
  const last = (deletes[deletes.length - 1] ?? op).properties;
  const destroy = last.RemovalPolicy === 'destroy' && !keptByReplacement(history, physicalId);
  // A job not waited for, under RETAIN, is left to finish.
  return { destroy, leftRunning: !destroy && String(last.WaitForCompletion) === 'false' };
}

/**
 * Whether an update that replaced a job resource kept what its job made
 * although the job was DESTROY: the cleanup's Delete of its physical id came
 * in an update whose new job resource is RETAIN (the new template's choice is
 * followed).
 */
function keptByReplacement(history: readonly CustomResourceOperation[], physicalId: string | undefined): boolean {
  const i = history.findIndex((o) => o.requestType === 'Delete' && o.phase === 'cleanup' && o.physicalIdSent === physicalId);
  if (physicalId === undefined || i < 0) return false;
  const replacing = history.slice(0, i).reverse().find((o) => o.phase === 'deploy' && o.logicalId === history[i].logicalId && o.requestType === 'Update' && !o.failure);
  return replacing !== undefined && replacing.properties.RemovalPolicy !== 'destroy';
}

/** A job of a kind, as the stand-in records it: what ties it to the request that started it. */
export interface RecordedJob {
  readonly id: string;
  readonly token?: string;
  readonly createdAt: number;
}

/**
 * The invariants every kind's jobs keep through a sequence: every request was
 * answered within its ServiceTimeout (or cancelled); every job belongs to
 * exactly one request of the kind's resource (by its idempotency token, from
 * `tokenSuffix`), none was started after CloudFormation stopped waiting for
 * its request, and no request started two. The problems, and each job with its
 * request for the kind's own checks.
 */
export function requestInvariants<J extends RecordedJob>(
  simulation: Simulation, history: readonly CustomResourceOperation[],
  kind: { readonly resourceType: string; readonly tokenSuffix: string; readonly noun: string; readonly plural: string; readonly jobs: readonly J[] },
): { problems: string[]; owned: { job: J; op: CustomResourceOperation }[] } {
  const problems: string[] = [];
  for (const op of history) {
    if (!op.answeredInTime && !op.cancelled) problems.push(`${op.requestType} ${op.logicalId} (${op.phase}) was not answered within its ServiceTimeout`);
  }
  const requests = new Map<string, CustomResourceOperation>();
  for (const op of history) {
    if (op.resourceType !== kind.resourceType || op.requestType === 'Delete') continue;
    const event = simulation.aws.invocations.find((i) => (i.payload as { RequestId?: string })?.RequestId === op.requestId)?.payload as { StackId: string };
    requests.set(idempotencyToken({ StackId: event.StackId, LogicalResourceId: op.logicalId, RequestId: op.requestId }, kind.tokenSuffix), op);
  }
  const owned: { job: J; op: CustomResourceOperation }[] = [];
  const byRequest = new Map<string, string[]>();
  for (const job of kind.jobs) {
    const op = job.token ? requests.get(job.token) : undefined;
    if (!op) {
      problems.push(`${kind.noun} job ${job.id} belongs to no request`);
      continue;
    }
    owned.push({ job, op });
    byRequest.set(op.requestId, [...(byRequest.get(op.requestId) ?? []), job.id]);
    if (job.createdAt > op.endedAt) problems.push(`${kind.noun} job ${job.id} was started ${(job.createdAt - op.endedAt) / 1000} s after CloudFormation stopped waiting for ${op.requestType} ${op.requestId}`);
  }
  for (const [requestId, ids] of byRequest) {
    if (ids.length > 1) problems.push(`request ${requestId} started ${ids.length} ${kind.plural}`);
  }
  return { problems, owned };
}
