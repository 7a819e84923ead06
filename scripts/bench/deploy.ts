/**
 * Deploy overhead in the local simulation: stacks synthesized from the built
 * package, deployed by simulated CloudFormation through the real Provider
 * framework and handler bundles, against the AWS Backup stand-in, on a
 * simulated clock. For each waiting path: the time from the job's end to
 * CloudFormation receiving the answer, and the calls it took.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { join } from 'path';
import type { Stack } from 'aws-cdk-lib';
import type * as dynamodbTypes from 'aws-cdk-lib/aws-dynamodb';
import { physicalIdOf } from '../../lambda/jobs/physical-id';
import { CustomResourceOperation, Simulation, SynthesizedStack } from '../../local/simulation';

/* eslint-disable @typescript-eslint/no-require-imports */
const cdk: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
const dynamodb: typeof import('aws-cdk-lib/aws-dynamodb') = require('aws-cdk-lib/aws-dynamodb');
const lib: typeof import('../../lib') = require(join(__dirname, '..', '..', 'dist', 'lib'));

const timing: typeof import('../../lib/core/timing') = require(join(__dirname, '..', '..', 'dist', 'lib', 'core', 'timing'));

export const POLL_INTERVAL_SECONDS = timing.POLL_INTERVAL_SECONDS;

export interface DeployRow {
  readonly path: string;
  /** Jobs measured (over one or several deploys). */
  readonly jobs: number;
  /** Simulated seconds a job itself ran (from its creation to its end), mean. */
  readonly jobSeconds: number;
  /** Simulated seconds from a job's end to CloudFormation receiving SUCCESS: mean and worst. */
  readonly overheadMeanSeconds: number;
  readonly overheadMaxSeconds: number;
  /** DescribeBackupJob or DescribeRestoreJob calls per job. */
  readonly describeCallsPerJob: number;
  /** Every other AWS Backup call per job (StartBackupJob, ListBackupJobs, ...). */
  readonly otherCallsPerJob: number;
  /** Lambda invocations per job: our handlers' and the framework's. */
  readonly invocationsPerJob: number;
  readonly note: string;
}

/** What one job of a deploy cost. */
interface JobSample {
  readonly jobSeconds: number;
  readonly overheadSeconds: number;
  readonly describeCalls: number;
  readonly otherCalls: number;
  readonly invocations: number;
}

const tableArn = (i: number) => `arn:aws:dynamodb:us-east-1:123456789012:table/table-${i}`;
// Inside the project, as cdk.out is: the framework's functions find the SDK that a Lambda runtime provides in node_modules.
const ASSEMBLIES = join(__dirname, '..', '..', '.sim-out', 'bench', 'assemblies');
const seconds = (ms: number) => ms / 1000;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function synthesize(jobs: number, configure: (stack: Stack, table: dynamodbTypes.Table, i: number) => void): SynthesizedStack {
  mkdirSync(ASSEMBLIES, { recursive: true });
  const outdir = mkdtempSync(join(ASSEMBLIES, 'stack-'));
  const app = new cdk.App({ outdir });
  const stack = new cdk.Stack(app, 'Bench');
  for (let i = 0; i < jobs; i++) {
    const table = new dynamodb.Table(stack, `Table${i}`, { tableName: `table-${i}`, partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    configure(stack, table, i);
  }
  app.synth();
  return SynthesizedStack.fromAssembly(outdir, 'Bench');
}

function backupStack(jobs: number, props: Partial<import('../../lib').BackupJobProps> = {}, restore = false): SynthesizedStack {
  return synthesize(jobs, (stack, table, i) => {
    const job = new lib.BackupJob(stack, `Backup${i}`, { resource: lib.ProtectedResource.fromDynamoDbTable(table), ...props });
    if (restore) {
      new lib.RestoreJob(stack, `Restore${i}`, { recoveryPoint: lib.RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: `table-${i}-restored` } });
    }
  });
}

const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';

/** A backup of table-0 and its copy into another Region's vault (the copy's short path). */
function copyStack(): SynthesizedStack {
  const backup: typeof import('aws-cdk-lib/aws-backup') = require('aws-cdk-lib/aws-backup');
  return synthesize(1, (stack, table) => {
    const job = new lib.BackupJob(stack, 'Backup0', { resource: lib.ProtectedResource.fromDynamoDbTable(table) });
    new lib.CopyJob(stack, 'Copy0', { recoveryPoint: lib.RecoveryPoint.fromBackupJob(job), destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Dr', DR_VAULT) });
  });
}

/** `tables` DynamoDB tables that CloudFormation deletes with the stack, each with its removal guard (and a vault and role shared). */
function guardedStack(tables: number): SynthesizedStack {
  return synthesize(tables, (stack, table, i) => {
    table.applyRemovalPolicy(cdk.RemovalPolicy.DESTROY);
    const shared = i === 0 ? undefined : (stack.node.findChild('Guard0') as import('../../lib').BackupBeforeRemoval);
    new lib.BackupBeforeRemoval(stack, `Guard${i}`, { resource: lib.ProtectedResource.fromDynamoDbTable(table), backupVault: shared?.backupVault, backupRole: shared?.backupRole });
  });
}

function summarize(path: string, samples: readonly JobSample[], note: string): DeployRow {
  return {
    path,
    jobs: samples.length,
    jobSeconds: mean(samples.map((s) => s.jobSeconds)),
    overheadMeanSeconds: mean(samples.map((s) => s.overheadSeconds)),
    overheadMaxSeconds: Math.max(...samples.map((s) => s.overheadSeconds)),
    describeCallsPerJob: mean(samples.map((s) => s.describeCalls)),
    otherCallsPerJob: mean(samples.map((s) => s.otherCalls)),
    invocationsPerJob: mean(samples.map((s) => s.invocations)),
    note,
  };
}

/** Job durations that end at every second of the poll cycle, so that the overhead is seen at each phase. */
const acrossThePollCycle = (base: number) => Array.from({ length: POLL_INTERVAL_SECONDS }, (_, k) => base + k);

export async function measureDeployOverhead(): Promise<DeployRow[]> {
  const stacks = {
    one: backupStack(1),
    ten: backupStack(10),
    noWait: backupStack(1, { waitForCompletion: false }),
    restore: backupStack(1, {}, true),
    copy: copyStack(),
    guarded: guardedStack(10),
  };
  const simulation = await Simulation.start({ echo: false });
  // The stand-in's service is replaced by each reset.
  const service = () => simulation.standIn.service;
  const calls = (describe: string) => {
    const requests = simulation.standIn.requests;
    const describeCalls = requests.filter((r) => r.operation === describe).length;
    return { describeCalls, otherCalls: requests.length - describeCalls };
  };
  const deploy = async (stack: SynthesizedStack, resourceType: string): Promise<CustomResourceOperation[]> => {
    const result = await simulation.cloudFormation('Bench').deploy(stack);
    if (result.status !== 'CREATE_COMPLETE') throw new Error(`a benchmark deploy ended ${result.status}: ${result.failedResource}: ${result.reason}`);
    return result.operations.filter((o) => o.resourceType === resourceType && o.requestType === 'Create');
  };
  /** When a backup job was created and when it ended, as the stand-in describes it. */
  const jobTimes = (backupJobId: string) => {
    const job = service().backups.DescribeBackupJob({ BackupJobId: backupJobId }) as { CreationDate: Date; CompletionDate?: Date };
    return { created: job.CreationDate.getTime(), ended: job.CompletionDate?.getTime() };
  };
  const backupJobOf = (op: CustomResourceOperation) => {
    const id = physicalIdOf('backup-job', op.response!.PhysicalResourceId);
    if (!id) throw new Error(`${op.logicalId}: no backup job in ${op.response!.PhysicalResourceId}`);
    return jobTimes(id.jobId);
  };
  /** Deploys a stack of backup jobs and measures each job; `jobEnd` is what the overhead is counted from. */
  const backupSamples = async (stack: SynthesizedStack, jobEnd: 'completion' | 'creation' = 'completion'): Promise<JobSample[]> => {
    const ops = await deploy(stack, 'Custom::BackupJob');
    const { describeCalls, otherCalls } = calls('DescribeBackupJob');
    return ops.map((op) => {
      const job = backupJobOf(op);
      const end = jobEnd === 'creation' ? job.created : job.ended!;
      return {
        jobSeconds: seconds(end - job.created),
        overheadSeconds: seconds(op.response!.receivedAt - end),
        describeCalls: describeCalls / ops.length,
        otherCalls: otherCalls / ops.length,
        invocations: simulation.aws.invocations.length / ops.length,
      };
    });
  };

  const rows: DeployRow[] = [];
  try {
    for (const durationSeconds of [60, 300, 1800]) {
      simulation.reset();
      service().backups.onResource(tableArn(0), { durationSeconds });
      rows.push(summarize(`BackupJob, a ${durationSeconds / 60}-minute job`, await backupSamples(stacks.one), 'the default path: waits for COMPLETED'));
    }

    const phases: JobSample[] = [];
    for (const durationSeconds of acrossThePollCycle(300)) {
      simulation.reset();
      service().backups.onResource(tableArn(0), { durationSeconds });
      phases.push(...await backupSamples(stacks.one));
    }
    rows.push(summarize('BackupJob, 5-minute jobs ending at each second of the poll cycle', phases, `${phases.length} deploys: the overhead's whole range`));

    simulation.reset();
    for (let i = 0; i < 10; i++) service().backups.onResource(tableArn(i), { durationSeconds: 180 + 61 * i });
    rows.push(summarize('BackupJob, 10 jobs in one stack (one provider)', await backupSamples(stacks.ten), 'jobs of 3 to 12 minutes, deployed in parallel'));

    for (const behaviour of ['queue', 'expire', 'fail'] as const) {
      simulation.reset();
      service().backups.busyBehaviour = behaviour;
      const planJob = service().backups.seedJob({ resourceArn: tableArn(0), scenario: { durationSeconds: 600 }, backupPlanId: 'nightly' });
      service().backups.onResource(tableArn(0), { durationSeconds: 300 });
      const [busy] = await backupSamples(stacks.one);
      const planEnd = service().backups.jobView(planJob).completedAt!;
      const attempts = service().backups.jobRecords().filter((j) => !j.byPlan);
      const completed = attempts.find((j) => service().backups.jobView(j.id).state === 'COMPLETED')!;
      const startedAfter = seconds(service().backups.jobView(completed.id).startedAt! - planEnd);
      const how = behaviour === 'queue' ? 'AWS Backup queues ours in CREATED; once the other job ended, a new attempt replaced it' : `AWS Backup ends ours at once (${behaviour === 'expire' ? 'EXPIRED' : 'FAILED'}); the next attempt started once the other job ended`;
      rows.push(summarize(`BackupJob, busy resource (${behaviour}): another job runs 10 minutes first`, [busy],
        `${how}: our backup started ${startedAfter.toFixed(1)} s after the other job ended (AWS Backup's own next try: up to 600 s); ${attempts.length} jobs of ours`));
    }

    simulation.reset();
    service().backups.onResource(tableArn(0), { durationSeconds: 300 });
    rows.push(summarize('BackupJob, waitForCompletion: false', await backupSamples(stacks.noWait, 'creation'), 'answered once the job is created: overhead counted from the job\'s creation'));

    /** A job after a backup (a restore, a copy), across the poll cycle: its own calls and invocations. */
    const afterBackup = async (kind: { prefix: string; resourceType: string; describe: string; calls: RegExp }, stack: SynthesizedStack,
      prepare: (durationSeconds: number) => void, times: (jobId: string) => { CreationDate: Date; CompletionDate: Date }): Promise<JobSample[]> => {
      const samples: JobSample[] = [];
      for (const durationSeconds of acrossThePollCycle(300)) {
        simulation.reset();
        service().backups.onResource(tableArn(0), { durationSeconds: 60 });
        prepare(durationSeconds);
        const [op] = await deploy(stack, kind.resourceType);
        const id = physicalIdOf(kind.prefix, op.response!.PhysicalResourceId);
        if (!id) throw new Error(`${op.logicalId}: no ${kind.prefix} in ${op.response!.PhysicalResourceId}`);
        const job = times(id.jobId);
        const ownCalls = simulation.standIn.requests.filter((r) => kind.calls.test(r.operation));
        const describeCalls = ownCalls.filter((r) => r.operation === kind.describe).length;
        samples.push({
          jobSeconds: seconds(job.CompletionDate.getTime() - job.CreationDate.getTime()),
          overheadSeconds: seconds(op.response!.receivedAt - job.CompletionDate.getTime()),
          describeCalls,
          otherCalls: ownCalls.length - describeCalls,
          invocations: simulation.aws.invocations.filter((i) => (i.payload as { ResourceType?: string } | undefined)?.ResourceType === kind.resourceType).length,
        });
      }
      return samples;
    };
    const restores = await afterBackup({ prefix: 'restore-job', resourceType: 'Custom::RestoreJob', describe: 'DescribeRestoreJob', calls: /Restore/ }, stacks.restore,
      (durationSeconds) => service().restores.onNextRestore({ durationSeconds }),
      (jobId) => service().restores.DescribeRestoreJob({ RestoreJobId: jobId }) as { CreationDate: Date; CompletionDate: Date });
    rows.push(summarize('RestoreJob, 5-minute restores ending at each second of the poll cycle', restores, `${restores.length} deploys of a backup and its restore; calls and invocations counted for the restore`));
    const copies = await afterBackup({ prefix: 'copy-job', resourceType: 'Custom::CopyJob', describe: 'DescribeCopyJob', calls: /Copy/ }, stacks.copy,
      (durationSeconds) => { service().copies.createOtherVault(DR_VAULT); service().copies.onNextCopy({ durationSeconds }); },
      (jobId) => (service().copies.DescribeCopyJob({ CopyJobId: jobId }) as { CopyJob: { CreationDate: Date; CompletionDate: Date } }).CopyJob);
    rows.push(summarize('CopyJob, 5-minute copies ending at each second of the poll cycle', copies, `${copies.length} deploys of a backup and its copy into another Region; calls and invocations counted for the copy`));

    // A stack deletion backed up by guards: 10 guarded tables deleted at once.
    simulation.reset();
    for (let i = 0; i < 10; i++) service().backups.onResource(tableArn(i), { durationSeconds: 180 + 61 * i });
    const cfn = simulation.cloudFormation('Bench');
    if ((await cfn.deploy(stacks.guarded)).status !== 'CREATE_COMPLETE') throw new Error('the guarded stack was not created');
    simulation.standIn.requests.length = 0;
    const invocationsBefore = simulation.aws.invocations.length;
    const deleted = await cfn.destroy();
    if (deleted.status !== 'DELETE_COMPLETE') throw new Error(`the guarded stack's deletion ended ${deleted.status}: ${deleted.reason}`);
    const guards = deleted.operations.filter((o) => o.resourceType === 'Custom::BackupBeforeRemoval' && o.requestType === 'Delete');
    const { describeCalls, otherCalls } = calls('DescribeBackupJob');
    rows.push(summarize('BackupBeforeRemoval, 10 guarded tables deleted at once', guards.map((op, i) => {
      const arn = String(op.properties.ResourceArn);
      const [job] = service().backups.jobsOf(arn);
      if (job?.state !== 'COMPLETED') throw new Error(`guard ${i}: no completed backup of ${arn}`);
      return {
        jobSeconds: seconds(job.completedAt! - job.createdAt),
        overheadSeconds: seconds(op.response!.receivedAt - job.completedAt!),
        describeCalls: describeCalls / guards.length,
        otherCalls: otherCalls / guards.length,
        invocations: (simulation.aws.invocations.length - invocationsBefore) / guards.length,
      };
    }), `backups of 3 to 12 minutes, the guards' Deletes at the same time (${guards.length} guards); calls per guard`));
  } finally {
    await simulation.stop();
    rmSync(ASSEMBLIES, { recursive: true, force: true });
  }
  return rows;
}
