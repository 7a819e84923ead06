/**
 * When something is lost or comes late: a long wait's signal CloudFormation
 * throttles, a rollback whose request has a shorter ServiceTimeout than the
 * request it abandons, and a job AWS Backup cannot stop that ends long after
 * CloudFormation stopped waiting for it. No stack waits for nothing, no
 * request goes unanswered, no completed backup is deleted for a lost signal,
 * and what DESTROY made is deleted whenever its job ends.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BackupJob, BackupJobProps, ProtectedResource } from '../../lib';
import { Simulation } from '../../local/simulation';
import { backupOps, expectAllAnswered, synthesize, TABLE_ARN, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const MINUTE = 60_000;

function longStack(props: Partial<BackupJobProps> = {}) {
  return synthesize((stack: Stack, table) => {
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), timeout: Duration.hours(2), ...props });
    const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: `migrate after ${job.backupJobId}` });
    migration.node.addDependency(job);
    new CfnOutput(stack, 'BackupJobId', { value: job.backupJobId });
  });
}

/** Runs `check` on every tick of real time while `work` runs (the simulated clock moves in between). */
async function whileRunning<T>(work: Promise<T>, check: () => void): Promise<T> {
  const watch = setInterval(check, 1);
  try {
    return await work;
  } finally {
    clearInterval(watch);
  }
}

/** The poller executions, once those about to end have. */
async function pollers() {
  await simulation.aws.idle();
  return simulation.aws.executions.filter((e) => e.run);
}

describe('a long wait\'s signal that CloudFormation throttles', () => {
  test('throttled for 10 minutes from the job\'s end: the signal is tried on until it gets through, and the deploy succeeds', async () => {
    const backups = simulation.standIn.service.backups;
    backups.onResource(TABLE_ARN, { durationSeconds: 3600 });
    let until: number | undefined;
    const result = await whileRunning(simulation.cloudFormation('Long').deploy(longStack()), () => {
      const [jobId] = backups.jobIds();
      const completedAt = jobId ? backups.jobView(jobId).completedAt : undefined;
      if (completedAt !== undefined && until === undefined) until = completedAt + 10 * MINUTE;
      simulation.aws.throttleCloudFormation = until !== undefined && simulation.clock.now() < until;
    });
    expect(result.status).toBe('CREATE_COMPLETE');
    const signals = simulation.aws.invocations.filter((i) => /Signal/.test(i.logicalId));
    expect(signals.filter((i) => i.error).length).toBeGreaterThan(3);
    expect(simulation.aws.signalAttempts.map((s) => s.status)).toEqual([200]);
    expect(simulation.aws.signalAttempts[0].at).toBeGreaterThanOrEqual(until!);
    expectAllAnswered(result.operations);
  }, 120_000);

  test('throttled until the WaitCondition timed out: the stack fails, but the completed backup is kept under DESTROY, and the log says why', async () => {
    const backups = simulation.standIn.service.backups;
    backups.onResource(TABLE_ARN, { durationSeconds: 3600 });
    const cfn = simulation.cloudFormation('Long');
    let throttling = false;
    const result = await whileRunning(cfn.deploy(longStack({ removalPolicy: RemovalPolicy.DESTROY })), () => {
      const [jobId] = backups.jobIds();
      const completed = jobId !== undefined && backups.jobView(jobId).completedAt !== undefined;
      throttling = completed && !/ROLLBACK/.test(cfn.stackStatus);
      simulation.aws.throttleCloudFormation = throttling;
    });
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/^WaitCondition timed out/);
    const [jobId] = backups.jobIds();
    expect(backups.jobView(jobId).state).toBe('COMPLETED');
    expect(backups.recoveryPointExists(backups.jobRecords()[0].recoveryPointArn)).toBe(true);
    expect(simulation.standIn.count('DeleteRecoveryPoint')).toBe(0);
    expect(simulation.aws.logs.some((l) => l.line.includes('is kept although the removal policy is DESTROY') && l.line.includes('signal did not get through'))).toBe(true);
    // Its signal got through once the throttling stopped, too late: the poller has ended either way.
    expect((await pollers()).filter((e) => e.status === 'RUNNING')).toEqual([]);
    expectAllAnswered(result.operations);
  }, 120_000);
});

describe('a rollback\'s Update answers within its own ServiceTimeout', () => {
  const CLUSTER = 'arn:aws:rds:us-east-1:123456789012:cluster:orders';
  function clusterStack(trigger: string, timeout: Duration) {
    return synthesize((stack) => {
      new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromArn(CLUSTER), trigger, timeout, removalPolicy: RemovalPolicy.DESTROY });
    });
  }

  test('an Aurora backup (AWS Backup cannot stop it) under DESTROY: timeout 5 minutes, then 40, cancelled after 60 s: the rollback answers within the 5 minutes\' ServiceTimeout', async () => {
    const backups = simulation.standIn.service.backups;
    backups.onNextJob(CLUSTER, { durationSeconds: 60 });
    backups.onNextJob(CLUSTER, { durationSeconds: 30 * 60 });
    const cfn = simulation.cloudFormation('E2E', {
      faultsFor: ({ requestType, phase }) => (requestType === 'Update' && phase === 'deploy' ? { cancelAfterMs: MINUTE } : undefined),
    });
    expect((await cfn.deploy(clusterStack('one', Duration.minutes(5)))).status).toBe('CREATE_COMPLETE');
    const update = await cfn.deploy(clusterStack('two', Duration.minutes(40)));
    expect(update.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const rollback = backupOps(update.operations).find((o) => o.phase === 'rollback')!;
    expect(rollback).toMatchObject({ requestType: 'Update', answeredInTime: true, serviceTimeoutSeconds: 420 });
    expect(rollback.response!.Status).toBe('SUCCESS');
    expectAllAnswered(update.operations);
  }, 120_000);
});

describe('a long-path job AWS Backup cannot stop, abandoned under DESTROY', () => {
  const CLUSTER = 'arn:aws:rds:us-east-1:123456789012:cluster:orders';
  function clusterStack(trigger: string) {
    return synthesize((stack) => {
      const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromArn(CLUSTER), trigger, timeout: Duration.hours(8), removalPolicy: RemovalPolicy.DESTROY });
      new CfnOutput(stack, 'RecoveryPointArn', { value: job.recoveryPointArn });
    });
  }

  test('a 5-hour Aurora backup of an update cancelled 10 minutes in: the rollback answers at once, and the job\'s poller deletes its recovery point once it ended', async () => {
    const backups = simulation.standIn.service.backups;
    const cfn = simulation.cloudFormation('Long', {
      faultsFor: ({ logicalId, phase }) => (phase === 'deploy' && /^SnapshotWaitCondition/.test(logicalId) && cfn.stackStatus.startsWith('UPDATE') ? { cancelAfterMs: 10 * MINUTE } : undefined),
    });
    backups.onNextJob(CLUSTER, { durationSeconds: 60 });
    backups.onNextJob(CLUSTER, { durationSeconds: 5 * 3600 });
    const first = await cfn.deploy(clusterStack('first'));
    expect(first.status).toBe('CREATE_COMPLETE');
    const update = await cfn.deploy(clusterStack('second'));
    expect(update.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const second = backups.jobRecords()[1];
    const deletes = backupOps(update.operations).filter((o) => o.requestType === 'Delete');
    expect(deletes.map((o) => o.phase)).toEqual(['rollback']);
    expect(deletes[0].endedAt - deletes[0].sentAt).toBeLessThan(MINUTE);
    expect(backups.jobView(second.id).state).toBe('RUNNING');
    // The job ends 5 hours in; its poller sees it, and hands it to its Delete, which deletes the recovery point.
    await simulation.aws.idle();
    expect(backups.jobView(second.id).state).toBe('COMPLETED');
    expect(backups.recoveryPointExists(second.recoveryPointArn)).toBe(false);
    expect(backups.recoveryPointExists(first.outputs.RecoveryPointArn)).toBe(true);
    expect((await pollers()).filter((e) => e.status === 'RUNNING')).toEqual([]);
    expect(simulation.iam.decisions.filter((d) => d.decision !== 'Allowed')).toEqual([]);
    expectAllAnswered(update.operations);
  }, 120_000);
});
