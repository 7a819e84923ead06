/**
 * Deploys that change their mind about a job they keep (the same trigger):
 * waitForCompletion turned on or off, the timeout moved across the short
 * path's 58 minutes, the removal policy changed. What depends on the job (the
 * migration) goes on only with a COMPLETED backup, and no change deletes what
 * the current job made.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BackupJob, BackupJobProps, ProtectedResource, RecoveryPoint, RestoreJob } from '../../lib';
import { Simulation } from '../../local/simulation';
import { backupJobStack, backupOps, expectAllAnswered, jobIdOf, synthesize, TABLE_ARN, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const MINUTE = 60;
const HOUR = 3600;

/** A BackupJob of the table and the migration that depends on it (an SSM parameter), its attributes as outputs. */
function migrationStack(props: Partial<BackupJobProps> = {}) {
  return synthesize((stack: Stack, table) => {
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), trigger: 'migration-0001', ...props });
    const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: `migrate after ${job.backupJobId}` });
    migration.node.addDependency(job);
    new CfnOutput(stack, 'BackupJobId', { value: job.backupJobId });
    new CfnOutput(stack, 'RecoveryPointArn', { value: job.recoveryPointArn });
    new CfnOutput(stack, 'State', { value: job.state });
  });
}

/**
 * When the migration was made (its parameter's creation or update), in
 * simulated time, by the stack's events from the `from`-th on (a deploy's own:
 * the one before may end at the very moment the next starts).
 */
function migrationMadeAt(cfn: ReturnType<Simulation['cloudFormation']>, from: number): number | undefined {
  return cfn.events.slice(from).find((e) => e.logicalId.startsWith('Migration') && /^(CREATE|UPDATE)_COMPLETE$/.test(e.status))?.at;
}

describe('waitForCompletion false, then true (the short path)', () => {
  test('a job that still runs is waited for: the update ends, and the migration is made, only once it COMPLETED; one job', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 20 * MINUTE });
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(migrationStack({ waitForCompletion: false }));
    expect(first.status).toBe('CREATE_COMPLETE');
    const jobId = first.outputs.BackupJobId;
    expect(simulation.standIn.service.backups.jobView(jobId).state).not.toBe('COMPLETED');

    const eventsBefore = cfn.events.length;
    const update = await cfn.deploy(migrationStack({ waitForCompletion: true }));
    expect(update.status).toBe('UPDATE_COMPLETE');
    const job = simulation.standIn.service.backups.jobView(jobId);
    expect(job.state).toBe('COMPLETED');
    const [op] = backupOps(update.operations);
    expect(op.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: backupOps(first.operations)[0].response!.PhysicalResourceId });
    expect(op.response!.receivedAt).toBeGreaterThanOrEqual(job.completedAt!);
    expect(update.outputs).toMatchObject({ BackupJobId: jobId, State: 'COMPLETED' });
    expect(migrationMadeAt(cfn, eventsBefore) ?? Infinity).toBeGreaterThanOrEqual(job.completedAt!);
    expect(simulation.standIn.service.backups.jobIds()).toEqual([jobId]);
    expectAllAnswered([...first.operations, ...update.operations]);
  });

  test.each([
    ['FAILED', (s: Simulation) => s.standIn.service.backups.onNextJob(TABLE_ARN, { outcome: 'FAILED', statusMessage: 'Access denied', durationSeconds: 2 * MINUTE })],
    ['no longer known to AWS Backup', (s: Simulation) => { s.standIn.service.jobHistorySeconds = 10 * MINUTE; }],
  ] as const)('a job that ended %s is replaced by a new backup, which the update waits for', async (_, arrange) => {
    arrange(simulation);
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(migrationStack({ waitForCompletion: false }));
    expect(first.status).toBe('CREATE_COMPLETE');
    simulation.clock.advance(HOUR * 1000);
    const update = await cfn.deploy(migrationStack({ waitForCompletion: true }));
    expect(update.status).toBe('UPDATE_COMPLETE');
    const ids = simulation.standIn.service.backups.jobIds();
    expect(ids).toHaveLength(2);
    expect(update.outputs).toMatchObject({ BackupJobId: ids[1], State: 'COMPLETED' });
    expect(jobIdOf(backupOps(update.operations)[0])).toBe(ids[1]);
    expectAllAnswered([...first.operations, ...update.operations]);
  });

  test('a job that COMPLETED is kept: the update answers with it at once, no new job', async () => {
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(migrationStack({ waitForCompletion: false }));
    simulation.clock.advance(HOUR * 1000);
    const update = await cfn.deploy(migrationStack({ waitForCompletion: true }));
    expect(update.status).toBe('UPDATE_COMPLETE');
    expect(update.outputs).toMatchObject({ BackupJobId: first.outputs.BackupJobId, State: 'COMPLETED' });
    expect(simulation.standIn.service.backups.jobIds()).toEqual([first.outputs.BackupJobId]);
    expect(simulation.standIn.count('StartBackupJob')).toBe(1);
  });

  test('a job that outlasts the new timeout fails the update, and is left running: it predates the update', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 2 * HOUR });
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(migrationStack({ waitForCompletion: false, removalPolicy: RemovalPolicy.DESTROY }));
    const update = await cfn.deploy(migrationStack({ waitForCompletion: true, timeout: Duration.minutes(10), removalPolicy: RemovalPolicy.DESTROY }));
    expect(update.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(update.reason).toMatch(/Timed out after 10 minutes waiting for backup job .*; it goes on \(not stopped\)\. Raise timeout, or deploy again once the job ended/);
    expect(simulation.standIn.count('StopBackupJob')).toBe(0);
    expect(migrationMadeAt(cfn, 0)).toBe(cfn.events.find((e) => e.logicalId.startsWith('Migration'))!.at);
    simulation.clock.advance(2 * HOUR * 1000);
    expect(simulation.standIn.service.backups.jobView(first.outputs.BackupJobId).state).toBe('COMPLETED');
    expect(simulation.standIn.service.backups.recoveryPointExists(first.outputs.RecoveryPointArn)).toBe(true);
    expectAllAnswered([...first.operations, ...update.operations]);
  });
});

describe('waitForCompletion false with a timeout past 58 minutes', () => {
  test('deploys, and answers without waiting', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 3 * HOUR });
    const cfn = simulation.cloudFormation('E2E');
    const result = await cfn.deploy(migrationStack({ waitForCompletion: false, timeout: Duration.hours(6) }));
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.outputs.State).toMatch(/^(CREATED|PENDING|RUNNING)$/);
    expectAllAnswered(result.operations);
  });

  test('turning the wait off on a long-path job keeps the job and its recovery point (DESTROY)', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 2 * HOUR });
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(migrationStack({ timeout: Duration.hours(6), removalPolicy: RemovalPolicy.DESTROY }));
    expect(first.status).toBe('CREATE_COMPLETE');
    const update = await cfn.deploy(migrationStack({ waitForCompletion: false, timeout: Duration.hours(6), removalPolicy: RemovalPolicy.DESTROY }));
    expect(update.status).toBe('UPDATE_COMPLETE');
    expect(update.outputs.BackupJobId).toBe(first.outputs.BackupJobId);
    expect(simulation.standIn.service.backups.recoveryPointExists(first.outputs.RecoveryPointArn)).toBe(true);
    expect(simulation.standIn.count('DeleteRecoveryPoint')).toBe(0);
    expectAllAnswered([...first.operations, ...update.operations]);
  });
});

describe('the timeout moved from the long path to the short one, same job', () => {
  test('under DESTROY, the long wait\'s result resource leaves the job\'s recovery point alone', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 2 * HOUR });
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(migrationStack({ timeout: Duration.hours(6), removalPolicy: RemovalPolicy.DESTROY }));
    expect(first.status).toBe('CREATE_COMPLETE');
    const update = await cfn.deploy(migrationStack({ timeout: Duration.minutes(30), removalPolicy: RemovalPolicy.DESTROY }));
    expect(update.status).toBe('UPDATE_COMPLETE');
    expect(update.outputs.BackupJobId).toBe(first.outputs.BackupJobId);
    expect(simulation.standIn.service.backups.recoveryPointExists(first.outputs.RecoveryPointArn)).toBe(true);
    // The stack's deletion still deletes it.
    expect((await cfn.destroy()).status).toBe('DELETE_COMPLETE');
    expect(simulation.standIn.service.backups.recoveryPointExists(first.outputs.RecoveryPointArn)).toBe(false);
  });
});

describe('a RestoreJob whose target name does not change with the trigger (DESTROY)', () => {
  const TARGET = 'orders-restore-test';
  function restoreStack(trigger: string) {
    return backupJobStack({}, (stack, _table, job) => {
      const restore = new RestoreJob(stack, 'RestoreTest', {
        recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: TARGET }, trigger, removalPolicy: RemovalPolicy.DESTROY,
      });
      new CfnOutput(stack, 'CreatedResourceArn', { value: restore.createdResourceArn });
    });
  }

  test('the old table deleted by hand, the new restore made the same name again: the cleanup leaves the new table; the stack\'s deletion deletes it', async () => {
    const tables = simulation.standIn.service.tables;
    const cfn = simulation.cloudFormation('E2E');
    expect((await cfn.deploy(restoreStack('one'))).status).toBe('CREATE_COMPLETE');
    simulation.clock.advance(HOUR * 1000);
    tables.DeleteTable({ TableName: TARGET });
    const update = await cfn.deploy(restoreStack('two'));
    expect(update.status).toBe('UPDATE_COMPLETE');
    expect(update.outputs.CreatedResourceArn).toBe(`arn:aws:dynamodb:us-east-1:123456789012:table/${TARGET}`);
    const cleanup = update.operations.find((o) => o.resourceType === 'Custom::RestoreJob' && o.phase === 'cleanup')!;
    expect(cleanup.response!.Status).toBe('SUCCESS');
    expect(tables.tableStatus(TARGET)).toBe('ACTIVE');
    expect(simulation.standIn.requests.filter((r) => /DeleteTable/.test(r.operation))).toEqual([]);
    expect((await cfn.destroy()).status).toBe('DELETE_COMPLETE');
    expect(tables.tableStatus(TARGET)).toBeUndefined();
    expectAllAnswered(update.operations);
  });
});
