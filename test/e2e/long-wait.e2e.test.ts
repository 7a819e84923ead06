/**
 * The long-wait path end to end (timeouts past 58 minutes, up to 12 hours):
 * the custom resource starts the job and the stack's poller and answers at
 * once; the synthesized poller runs in aws-local-stepfunctions, its
 * DescribeBackupJob answered by the stand-in with the machine's role and its
 * signal sent by the real signal function to the job's WaitConditionHandle;
 * simulated CloudFormation holds the dependents until the WaitCondition has
 * the signal (then the job's result resource answers its attributes), fails on
 * a FAILURE signal or its Timeout, and rolls back.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BackupJob, BackupJobProps, ProtectedResource, RecoveryPoint, RestoreJob } from '../../lib';
import { Simulation } from '../../local/simulation';
import { backupOps, expectAllAnswered, jobIdOf, synthesize, TABLE_ARN, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const HOUR = 3600;

/** A stack with a long-wait BackupJob, a custom resource standing for the migration that depends on it, and its attributes as outputs. */
function longStack(props: Partial<BackupJobProps> = {}) {
  return synthesize((stack, table) => {
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), timeout: Duration.hours(12), ...props });
    const migration = migrationAfter(stack, job);
    new CfnOutput(stack, 'BackupJobId', { value: job.backupJobId });
    new CfnOutput(stack, 'RecoveryPointArn', { value: job.recoveryPointArn });
    new CfnOutput(stack, 'State', { value: job.state });
    new CfnOutput(stack, 'BackupSizeInBytes', { value: job.backupSizeInBytes });
    new CfnOutput(stack, 'CompletionDate', { value: job.completionDate });
    new CfnOutput(stack, 'MigrationName', { value: migration.parameterName });
  });
}

/** The pre-migration snapshot: a resource (standing for the migration) that must be made only once the backup is COMPLETED. */
function migrationAfter(stack: Stack, job: BackupJob): ssm.StringParameter {
  const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: `migrate after ${job.backupJobId}` });
  migration.node.addDependency(job);
  return migration;
}

test('an 8-hour backup deploys: the resource answers at once, the WaitCondition holds the migration until the job COMPLETED, the attributes come from the result resource made after it', async () => {
  simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 8 * HOUR });
  const cfn = simulation.cloudFormation('Long');
  const result = await cfn.deploy(longStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  const [create] = backupOps(result.operations);
  expect(create.response!.Status).toBe('SUCCESS');
  // Answered within minutes of the start, not after the job.
  expect(create.endedAt - create.sentAt).toBeLessThan(5 * 60_000);
  const jobId = jobIdOf(create)!;
  const job = simulation.standIn.service.backups.jobView(jobId);
  expect(result.outputs).toMatchObject({ BackupJobId: jobId, State: 'COMPLETED', BackupSizeInBytes: '5242880', CompletionDate: new Date(job.completedAt!).toISOString() });
  expect(result.outputs.RecoveryPointArn).toBe(simulation.standIn.service.backups.DescribeBackupJob({ BackupJobId: jobId }).RecoveryPointArn);
  // The migration was made after the WaitCondition completed, which it did after the job, within 5% of its age.
  const at = (logicalId: RegExp, status: string) => cfn.events.find((e) => logicalId.test(e.logicalId) && e.status === status)!.at;
  const conditionDone = at(/^SnapshotWaitCondition/, 'CREATE_COMPLETE');
  expect(conditionDone).toBeGreaterThanOrEqual(job.completedAt!);
  expect(conditionDone - job.completedAt!).toBeLessThanOrEqual(0.05 * 8 * HOUR * 1000 + 5_000);
  expect(at(/^Migration/, 'CREATE_COMPLETE')).toBeGreaterThanOrEqual(conditionDone);
  // One poller execution, a few polls an hour, one signal; the short path's waiter answered the job's
  // resource and its result resource at its first poll each.
  const [poller, ...more] = await pollers();
  expect(more).toEqual([]);
  expect(poller.status).toBe('SUCCEEDED');
  expect(poller.run!.tasks['arn:aws:states:::aws-sdk:backup:describeBackupJob']).toBeLessThanOrEqual(126);
  expect(poller.run!.tasks['arn:aws:states:::lambda:invoke']).toBe(1);
  expect(simulation.aws.invocations.filter((i) => /IsComplete/.test(i.logicalId))).toHaveLength(2);
  const resultAt = cfn.events.find((e) => /^SnapshotResult/.test(e.logicalId) && e.status === 'CREATE_COMPLETE')!.at;
  expect(resultAt).toBeGreaterThanOrEqual(conditionDone);
  expect(simulation.aws.signalAttempts.map((s) => s.status)).toEqual([200]);
  expectAllAnswered(result.operations);
}, 120_000);

/** What runs after a deployment: jobs of the table still running (and not being stopped), poller executions still running. */
function leftRunning(): { jobs: string[]; pollers: string[] } {
  const service = simulation.standIn.service;
  const jobs = ((service.backups.ListBackupJobs({}) as { BackupJobs: { BackupJobId: string }[] }).BackupJobs).filter((j: any) => ['CREATED', 'PENDING', 'RUNNING'].includes(service.backups.jobView(j.BackupJobId).state));
  return { jobs: jobs.map((j: any) => j.BackupJobId), pollers: simulation.aws.executions.filter((e) => e.run && e.status === 'RUNNING').map((e) => e.name) };
}

/** The poller executions, once those that were about to end have (a signal's task returns after CloudFormation read it). */
async function pollers() {
  await simulation.aws.idle();
  return simulation.aws.executions.filter((e) => e.run);
}

describe('failing ends', () => {
  test.each([
    ['FAILED', 'Insufficient privileges to perform this action.'],
    ['ABORTED', 'Backup job was aborted by AWS Backup.'],
    ['EXPIRED', 'Backup job expired because it did not start within its start window.'],
    ['PARTIAL', 'Some items could not be backed up.'],
  ] as const)('a job that ends %s after 3 hours fails the stack at its WaitCondition with AWS Backup\'s status message; the migration is never made and the rollback cleans up', async (outcome, statusMessage) => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { outcome, statusMessage, durationSeconds: 3 * HOUR });
    const cfn = simulation.cloudFormation('Long');
    const result = await cfn.deploy(longStack({ removalPolicy: RemovalPolicy.DESTROY }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failedResource).toMatch(/^SnapshotWaitCondition/);
    expect(result.reason).toContain(statusMessage);
    expect(result.reason).toMatch(new RegExp(`^WaitCondition received failed message: 'Backup job [^ ]+ ended ${outcome === 'EXPIRED' ? '[A-Z]+' : outcome}: `));
    if (outcome === 'PARTIAL') expect(result.reason).toContain('set allowPartial');
    expect(cfn.events.filter((e) => /^Migration/.test(e.logicalId))).toEqual([]);
    // The rollback's Delete answered, and under DESTROY deleted what the job made.
    const [create, rollbackDelete] = backupOps(result.operations);
    expect(rollbackDelete).toMatchObject({ requestType: 'Delete', phase: 'rollback' });
    expect(rollbackDelete.response!.Status).toBe('SUCCESS');
    const recoveryPoint = create.response!.Data!.RecoveryPointArn as string;
    expect(simulation.standIn.service.backups.recoveryPointExists(recoveryPoint)).toBe(false);
    expect((await pollers()).map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(leftRunning()).toEqual({ jobs: [], pollers: [] });
    expectAllAnswered(result.operations);
  }, 120_000);

  test('PARTIAL with allowPartial deploys', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { outcome: 'PARTIAL', durationSeconds: 2 * HOUR });
    const result = await simulation.cloudFormation('Long').deploy(longStack({ allowPartial: true }));
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.outputs.State).toBe('PARTIAL');
  }, 60_000);
});

test('the timeout: a job still running after 2 hours fails the stack when the timeout has been waited, not later; the rollback stops the job and nothing runs on', async () => {
  simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 10 * HOUR });
  const cfn = simulation.cloudFormation('Long');
  const result = await cfn.deploy(longStack({ timeout: Duration.hours(2) }));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.reason).toMatch(/^WaitCondition received failed message: 'Timed out waiting for backup job [^ ]+ \(still RUNNING, [\d.]+% done\); raise timeout'/);
  const [create, rollbackDelete] = backupOps(result.operations);
  // The job id as AWS Backup gave it (upper case), so that it can be looked up.
  expect(result.reason).toContain(`Timed out waiting for backup job ${jobIdOf(create)} (still RUNNING`);
  const failedAt = cfn.events.find((e) => /^SnapshotWaitCondition/.test(e.logicalId) && e.status === 'CREATE_FAILED')!.at;
  expect(failedAt - create.sentAt).toBeGreaterThanOrEqual(2 * HOUR * 1000);
  expect(failedAt - create.sentAt).toBeLessThanOrEqual(2 * HOUR * 1000 + 60_000);
  expect(rollbackDelete.response!.Status).toBe('SUCCESS');
  expect(simulation.standIn.service.backups.jobView(jobIdOf(create)!).state).toMatch(/^ABORT/);
  expect(leftRunning().pollers).toEqual([]);
  expectAllAnswered(result.operations);
}, 120_000);

test('a rollback while the job runs (the stack cancelled 1 hour into a 6-hour backup): the Delete stops the job and its poller; nothing signals after', async () => {
  simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 6 * HOUR });
  const cfn = simulation.cloudFormation('Long', {
    faultsFor: ({ logicalId }) => (/^SnapshotWaitCondition/.test(logicalId) ? { cancelAfterMs: HOUR * 1000 } : undefined),
  });
  const result = await cfn.deploy(longStack());
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.reason).toBe('Resource creation cancelled');
  const [create, rollbackDelete] = backupOps(result.operations);
  expect(rollbackDelete.response!.Status).toBe('SUCCESS');
  expect(simulation.standIn.service.backups.jobView(jobIdOf(create)!).state).toMatch(/^ABORT/);
  expect((await pollers()).map((e) => e.status)).toEqual(['ABORTED']);
  // Let simulated time pass: the stopped poller never signals the deleted handle.
  simulation.clock.advance(8 * HOUR * 1000);
  await simulation.aws.idle();
  expect(simulation.aws.signalAttempts).toEqual([]);
  expect(leftRunning()).toEqual({ jobs: [], pollers: [] });
  // Least privilege held: the handlers' StopExecution was allowed (it sits in the deletion policy).
  expect(simulation.iam.decisions.filter((d) => d.action === 'states:StopExecution').map((d) => d.decision)).toEqual(['Allowed']);
  expectAllAnswered(result.operations);
}, 120_000);

describe('updates', () => {
  test('a new trigger takes a new backup with a fresh wait (new handle and condition); the old ones go in the cleanup', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 2 * HOUR });
    const cfn = simulation.cloudFormation('Long');
    const first = await cfn.deploy(longStack({ trigger: 'migration-1' }));
    expect(first.status).toBe('CREATE_COMPLETE');
    const second = await cfn.deploy(longStack({ trigger: 'migration-2' }));
    expect(second.status).toBe('UPDATE_COMPLETE');
    expect(second.outputs.BackupJobId).not.toBe(first.outputs.BackupJobId);
    expect(second.outputs.State).toBe('COMPLETED');
    const conditions = [...new Set(cfn.events.filter((e) => e.type === 'AWS::CloudFormation::WaitCondition').map((e) => e.logicalId))];
    expect(conditions).toHaveLength(2);
    expect(cfn.resource(conditions[0])).toBeUndefined();
    expect((await pollers()).map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    // The migration waited for the second backup too.
    const secondJob = simulation.standIn.service.backups.jobView(second.outputs.BackupJobId);
    const migrationUpdated = cfn.events.filter((e) => /^Migration/.test(e.logicalId)).pop()!;
    expect(migrationUpdated.at).toBeGreaterThanOrEqual(secondJob.completedAt!);
  }, 120_000);

  test('an unchanged update sends no request, starts no job and no poller', async () => {
    const cfn = simulation.cloudFormation('Long');
    expect((await cfn.deploy(longStack())).status).toBe('CREATE_COMPLETE');
    const starts = simulation.standIn.requests.filter((r) => r.operation === 'StartBackupJob').length;
    const again = await cfn.deploy(longStack());
    expect(again.status).toBe('UPDATE_COMPLETE');
    expect(again.operations).toEqual([]);
    expect(simulation.standIn.requests.filter((r) => r.operation === 'StartBackupJob')).toHaveLength(starts);
    expect((await pollers())).toHaveLength(1);
  }, 60_000);

  test('a new timeout alone takes no new backup: the current job\'s poller signals the new condition at its first poll', async () => {
    const cfn = simulation.cloudFormation('Long');
    const first = await cfn.deploy(longStack({ timeout: Duration.hours(2) }));
    const second = await cfn.deploy(longStack({ timeout: Duration.hours(6) }));
    expect(second.status).toBe('UPDATE_COMPLETE');
    expect(second.outputs.BackupJobId).toBe(first.outputs.BackupJobId);
    expect(simulation.standIn.requests.filter((r) => r.operation === 'StartBackupJob')).toHaveLength(1);
    const rearmed = (await pollers())[1];
    expect(rearmed.status).toBe('SUCCEEDED');
    expect(rearmed.run!.tasks['arn:aws:states:::aws-sdk:backup:describeBackupJob']).toBe(1);
  }, 60_000);

  test('switching from the short path (30 minutes) to the long one (3 hours) keeps the job and waits through a WaitCondition that is signalled at once', async () => {
    const cfn = simulation.cloudFormation('Long');
    const first = await cfn.deploy(longStack({ timeout: Duration.minutes(30) }));
    expect(first.status).toBe('CREATE_COMPLETE');
    expect((await pollers())).toEqual([]);
    const second = await cfn.deploy(longStack({ timeout: Duration.hours(3) }));
    expect(second.status).toBe('UPDATE_COMPLETE');
    expect(second.outputs.BackupJobId).toBe(first.outputs.BackupJobId);
    expect((await pollers()).map((e) => e.status)).toEqual(['SUCCEEDED']);
  }, 60_000);

  test('a new backup that fails rolls the update back: the previous job\'s attributes stay, the new job and its poller are cleaned up with the grants of the rollback', async () => {
    const cfn = simulation.cloudFormation('Long');
    // The first version waits through the short path: no poller grants in its policies.
    const first = await cfn.deploy(longStack({ timeout: Duration.minutes(30), trigger: 'v1' }));
    expect(first.status).toBe('CREATE_COMPLETE');
    simulation.standIn.service.backups.onResource(TABLE_ARN, { outcome: 'FAILED', statusMessage: 'The table is being restored.', durationSeconds: 2 * HOUR });
    const second = await cfn.deploy(longStack({ trigger: 'v2' }));
    expect(second.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(second.reason).toContain('The table is being restored.');
    expect(second.outputs.BackupJobId).toBe(first.outputs.BackupJobId);
    const cleanup = backupOps(second.operations).filter((o) => o.phase === 'rollback');
    expect(cleanup.map((o) => `${o.requestType} ${o.response?.Status}`)).toEqual(['Delete SUCCESS']);
    expect(simulation.iam.decisions.filter((d) => d.decision !== 'Allowed')).toEqual([]);
    expect(leftRunning()).toEqual({ jobs: [], pollers: [] });
    expectAllAnswered(second.operations);
  }, 120_000);
});

test('the short path is untouched: a 58-minute timeout has no WaitCondition and no poller', async () => {
  const stack = longStack({ timeout: Duration.minutes(58) });
  const types = Object.values(stack.template.Resources).map((r) => r.Type);
  expect(types).not.toContain('AWS::CloudFormation::WaitCondition');
  expect(types.filter((t) => t === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
  const result = await simulation.cloudFormation('Long').deploy(stack);
  expect(result.status).toBe('CREATE_COMPLETE');
  expect((await pollers())).toEqual([]);
}, 60_000);

test('a restore from a long backup waits for the backup\'s WaitCondition', async () => {
  simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 4 * HOUR });
  const cfn = simulation.cloudFormation('Long');
  const stack = synthesize((s, table) => {
    const job = new BackupJob(s, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), timeout: Duration.hours(6) });
    new RestoreJob(s, 'Restore', { recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: 'orders-restored' } });
  });
  const result = await cfn.deploy(stack);
  expect(result.status).toBe('CREATE_COMPLETE');
  const restore = result.operations.find((o) => o.resourceType === 'Custom::RestoreJob')!;
  const backupJobId = jobIdOf(backupOps(result.operations)[0])!;
  expect(restore.sentAt).toBeGreaterThanOrEqual(simulation.standIn.service.backups.jobView(backupJobId).completedAt!);
  expect(restore.properties.RecoveryPointArn).toBe(simulation.standIn.service.backups.DescribeBackupJob({ BackupJobId: backupJobId }).RecoveryPointArn);
}, 60_000);


describe('a long restore', () => {
  function restoreStack(props: { removalPolicy?: RemovalPolicy } = {}) {
    return synthesize((s, table) => {
      const job = new BackupJob(s, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table) });
      const restore = new RestoreJob(s, 'Restore', {
        recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: 'orders-restored' }, timeout: Duration.hours(10), ...props,
      });
      const migration = new ssm.StringParameter(s, 'Migration', { stringValue: `migrate ${restore.createdResourceArn}` });
      migration.node.addDependency(restore);
      new CfnOutput(s, 'CreatedResourceArn', { value: restore.createdResourceArn });
      new CfnOutput(s, 'Status', { value: restore.status });
    });
  }

  test('a 5-hour restore deploys through its WaitCondition, with the created resource from the signal', async () => {
    simulation.standIn.service.restores.onNextRestore({ durationSeconds: 5 * HOUR });
    const cfn = simulation.cloudFormation('Long');
    const result = await cfn.deploy(restoreStack());
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.outputs).toMatchObject({ Status: 'COMPLETED', CreatedResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders-restored' });
    const restore = result.operations.find((o) => o.resourceType === 'Custom::RestoreJob')!;
    expect(restore.endedAt - restore.sentAt).toBeLessThan(5 * 60_000);
    const [poller] = await pollers();
    expect(poller.status).toBe('SUCCEEDED');
    expect(poller.run!.tasks['arn:aws:states:::aws-sdk:backup:describeRestoreJob']).toBeLessThanOrEqual(110);
    expectAllAnswered(result.operations);
  }, 60_000);

  test('DESTROY deletes the restored table when the stack is deleted, even once AWS Backup no longer describes the restore job (its history is gone)', async () => {
    simulation.standIn.service.restores.onNextRestore({ durationSeconds: 2 * HOUR });
    const cfn = simulation.cloudFormation('Long');
    expect((await cfn.deploy(restoreStack({ removalPolicy: RemovalPolicy.DESTROY }))).status).toBe('CREATE_COMPLETE');
    simulation.standIn.service.jobHistorySeconds = 30 * 86_400;
    simulation.clock.advance(90 * 86_400_000);
    const result = await cfn.destroy();
    expect(result.status).toBe('DELETE_COMPLETE');
    expect(simulation.standIn.service.tables.tableDeleted('orders-restored')).toBe(true);
    expectAllAnswered(result.operations);
  }, 60_000);

  test('a restore that fails after 2 hours fails the stack with AWS Backup\'s message; nothing polls on', async () => {
    simulation.standIn.service.restores.onNextRestore({ outcome: 'FAILED', statusMessage: 'Table already exists: orders-restored', durationSeconds: 2 * HOUR });
    const result = await simulation.cloudFormation('Long').deploy(restoreStack({ removalPolicy: RemovalPolicy.DESTROY }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/^WaitCondition received failed message: 'Restore job [^ ]+ ended FAILED: Table already exists: orders-restored'/);
    expect(leftRunning().pollers).toEqual([]);
    expectAllAnswered(result.operations);
  }, 60_000);
});

describe('the short path\'s faults, on the long path', () => {
  test.each(['queue', 'expire', 'fail'] as const)('a busy resource (%s): another job holds it for 2 hours; ours starts within a poll of its end, and the deploy succeeds with it', async (behaviour) => {
    const service = simulation.standIn.service;
    service.backups.busyBehaviour = behaviour;
    const other = service.backups.seedJob({ resourceArn: TABLE_ARN, scenario: { durationSeconds: 2 * HOUR }, backupPlanId: 'nightly' });
    service.backups.onResource(TABLE_ARN, { durationSeconds: HOUR });
    const result = await simulation.cloudFormation('Long').deploy(longStack());
    expect(result.status).toBe('CREATE_COMPLETE');
    const ours = service.backups.jobView(result.outputs.BackupJobId);
    const otherEnd = service.backups.jobView(other).completedAt!;
    expect(ours.state).toBe('COMPLETED');
    expect(ours.startedAt!).toBeGreaterThanOrEqual(otherEnd);
    // The poller's waits then are a twentieth of the age (at most 10 minutes): within one of them.
    expect(ours.startedAt! - otherEnd).toBeLessThanOrEqual(0.05 * 2 * HOUR * 1000 + 60_000);
    // Two jobs of ours: the first (queued and replaced, or ended by AWS Backup), then the one that completed.
    expect(service.backups.jobRecords().filter((j) => !j.byPlan)).toHaveLength(2);
    expect(result.outputs.BackupJobId).not.toBe(service.backups.jobRecords().find((j) => !j.byPlan)!.id);
    expect(leftRunning()).toEqual({ jobs: [], pollers: [] });
  }, 60_000);

  test('a Create delivered twice (same request): one job and one poller', async () => {
    const cfn = simulation.cloudFormation('Long', { faultsFor: (r) => (r.logicalId.startsWith('Snapshot') && r.requestType === 'Create' ? { redeliverAfterMs: 0 } : undefined) });
    const result = await cfn.deploy(longStack());
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(new Set(simulation.standIn.requests.filter((r) => r.operation === 'StartBackupJob').map((r) => JSON.stringify(r.input)))).toHaveProperty('size', 1);
    expect(simulation.standIn.service.backups.jobIds()).toHaveLength(1);
    expect((await pollers()).map((e) => e.status)).toEqual(['SUCCEEDED']);
  }, 60_000);

  test('an Update CloudFormation gives up on at once (the stack cancelled): the rollback answers, and no job or poller runs on', async () => {
    const faulty = simulation.cloudFormation('Long', {
      faultsFor: (r) => (/^Snapshot[0-9A-F]{8}$/.test(r.logicalId) && r.requestType === 'Update' && r.phase === 'deploy' ? { cancelAfterMs: 0 } : undefined),
    });
    expect((await faulty.deploy(longStack({ trigger: 'v1', removalPolicy: RemovalPolicy.DESTROY }))).status).toBe('CREATE_COMPLETE');
    const second = await faulty.deploy(longStack({ trigger: 'v2', removalPolicy: RemovalPolicy.DESTROY }));
    expect(second.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(second.reason).toBe('Resource update cancelled');
    // Whatever the cancelled request still did in the background, it ends; then nothing runs: a job it
    // started was stopped, with its poller, before it could complete.
    await simulation.aws.idle();
    expect(leftRunning()).toEqual({ jobs: [], pollers: [] });
    const [, abandoned] = simulation.standIn.service.backups.jobIds();
    if (abandoned) expect(simulation.standIn.service.backups.jobView(abandoned).state).toMatch(/^ABORT/);
    expect((await pollers()).map((e) => e.status).slice(1)).toEqual(abandoned ? ['ABORTED'] : []);
    expectAllAnswered(second.operations);
  }, 120_000);

  test('CloudFormation throttled when the job ends: the signal is tried again until it gets through', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 3 * HOUR });
    const cfn = simulation.cloudFormation('Long');
    const signals = () => simulation.aws.invocations.filter((i) => /Signal/.test(i.logicalId));
    // Throttled from the job's end until the signal function has failed twice.
    const watch = setInterval(() => {
      const [jobId] = simulation.standIn.service.backups.jobIds();
      if (jobId && simulation.standIn.service.backups.jobView(jobId).completedAt !== undefined && signals().length === 0) simulation.aws.throttleCloudFormation = true;
      if (signals().filter((i) => i.error).length >= 2) simulation.aws.throttleCloudFormation = false;
    }, 1);
    try {
      const result = await cfn.deploy(longStack());
      expect(result.status).toBe('CREATE_COMPLETE');
    } finally {
      clearInterval(watch);
    }
    expect(signals().filter((i) => i.error).length).toBeGreaterThanOrEqual(2);
    expect(signals().filter((i) => !i.error)).toHaveLength(1);
    expect(simulation.aws.signalAttempts.map((s) => s.status)).toEqual([200]);
  }, 120_000);
});

describe('IAM, enforced on the long-wait path', () => {
  test('the poller describes with its own role, invokes its signal function as that role may, and the signal reads the handle with the signal role', async () => {
    const result = await simulation.cloudFormation('Long').deploy(longStack({ timeout: Duration.hours(2) }));
    expect(result.status).toBe('CREATE_COMPLETE');
    const decided = (action: string) => [...new Set(simulation.iam.decisions.filter((d) => d.action === action).map((d) => `${d.principal.split('/').pop()!.replace(/-[A-Z0-9]+$/, '')} ${d.decision}`))];
    expect(decided('backup:DescribeBackupJob')).toEqual(expect.arrayContaining([expect.stringMatching(/^Long-cdkbackupjobsLongWaitPollerStateMachin\w* Allowed$/)]));
    expect(decided('lambda:InvokeFunction')).toEqual([expect.stringMatching(/^Long-cdkbackupjobsLongWaitPollerStateMachin\w* Allowed$/)]);
    expect(decided('cloudformation:DescribeStackResource')).toEqual(expect.arrayContaining([expect.stringMatching(/^Long-cdkbackupjobsLongWaitPollerSignalRole\w* Allowed$/)]));
    expect(decided('states:StartExecution')).toEqual(expect.arrayContaining([expect.stringMatching(/^Long-cdkbackupjobsBackupJobProviderHandlerRole\w* Allowed$/)]));
    expect(simulation.iam.decisions.filter((d) => d.decision !== 'Allowed')).toEqual([]);
  }, 60_000);

  test('without the poller\'s DescribeJobs grant, its describe is denied: the deploy fails saying so, and the rollback cleans up', async () => {
    const stack = longStack({ timeout: Duration.hours(2) });
    for (const resource of Object.values(stack.template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const document = resource.Properties!.PolicyDocument;
      document.Statement = document.Statement.filter((s: { Sid?: string }) => s.Sid !== 'DescribeJobs');
    }
    const result = await simulation.cloudFormation('Long').deploy(stack);
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/^WaitCondition received failed message: 'Backup job [^ ]+ ended UNKNOWN: DescribeBackupJob failed: User: .*LongWaitPollerStateMachineRole.* is not authorized to perform: backup:DescribeBackupJob/);
    expect(leftRunning()).toEqual({ jobs: [], pollers: [] });
  }, 60_000);
});
