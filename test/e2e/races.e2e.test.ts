/**
 * Requests that race: CloudFormation gives up on a Create while its waiter
 * still polls (a sibling failed), and Lambda delivers a request twice. The
 * simulation interleaves them as CloudFormation and Lambda would.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { CopyJob, RecoveryPoint, RestoreJob } from '../../lib';
import { Simulation } from '../../local/simulation';
import { backupJobStack, backupOps, expectAllAnswered, TABLE_ARN, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';
const isSnapshotCreate = (r: { logicalId: string; requestType: string }) => r.logicalId.startsWith('Snapshot') && r.requestType === 'Create';

test.each([RemovalPolicy.RETAIN, RemovalPolicy.DESTROY])('a sibling fails while the Create waits (%s): the rollback\'s Delete, with a physical id CloudFormation made up, stops the job this resource started', async (removalPolicy) => {
  simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 1800 });
  const cfn = simulation.cloudFormation('E2E', { faultsFor: (r) => (isSnapshotCreate(r) ? { cancelAfterMs: 120_000 } : undefined) });
  const result = await cfn.deploy(backupJobStack({ removalPolicy }));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const [create, rollback] = backupOps(result.operations);
  expect(create).toMatchObject({ cancelled: true, failure: 'Resource creation cancelled' });
  expect(rollback).toMatchObject({ requestType: 'Delete', phase: 'rollback' });
  expect(rollback.physicalIdSent).toMatch(/^E2E-Snapshot[0-9A-F]{8}-[0-9A-F]{12}$/);
  expect(rollback.response!.Status).toBe('SUCCESS');
  await simulation.aws.idle();
  simulation.clock.advance(5_000); // a stopped job is ABORTING for a moment
  const [jobId, ...more] = simulation.standIn.service.backups.jobIds();
  expect(more).toEqual([]);
  expect(simulation.standIn.service.backups.jobView(jobId).state).toBe('ABORTED');
  expect(simulation.standIn.requests.filter((r) => r.outcome === 'denied')).toEqual([]);
  expectAllAnswered(result.operations);
});

test('DESTROY after a cancelled Create: a backup of the same resource, vault and role that no job of this stack tagged is neither stopped nor deleted (not proven ours; and IAM allows DeleteRecoveryPoint on recovery-point:* only with the stack\'s owner tag)', async () => {
  const backups = simulation.standIn.service.backups;
  backups.onResource(TABLE_ARN, { durationSeconds: 1800 });
  let colleague: string | undefined;
  const cfn = simulation.cloudFormation('E2E', { faultsFor: (r) => (isSnapshotCreate(r) ? { cancelAfterMs: 120_000 } : undefined) });
  // Once our job started, someone starts another backup of the table into the same vault with the same role
  // (a CLI run), which completes just before the rollback's Delete.
  const watch = setInterval(() => {
    const ours = simulation.standIn.requests.find((r) => r.operation === 'StartBackupJob' && r.outcome === 'ok');
    if (!ours || colleague) return;
    colleague = backups.seedJob({
      resourceArn: TABLE_ARN, vaultName: String(ours.input.BackupVaultName), iamRoleArn: String(ours.input.IamRoleArn),
      createdAt: simulation.clock.now() - 3_600_000, scenario: { startDelaySeconds: 0, pendingSeconds: 0, durationSeconds: 3_600 + 90 },
    });
  }, 1);
  let result;
  try {
    result = await cfn.deploy(backupJobStack({ removalPolicy: RemovalPolicy.DESTROY }));
  } finally {
    clearInterval(watch);
  }
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  await simulation.aws.idle();
  const theirs = backups.jobRecords().find((j) => j.id === colleague)!;
  expect(backups.jobView(theirs.id).state).toBe('COMPLETED');
  expect(backups.recoveryPointExists(theirs.recoveryPointArn)).toBe(true);
  // Not proven ours (its recovery point does not carry this resource's owner tags): never asked to stop or delete.
  expect(simulation.standIn.requests.filter((r) => r.input.BackupJobId === theirs.id && r.operation === 'StopBackupJob')).toEqual([]);
  expect(simulation.standIn.requests.filter((r) => r.input.RecoveryPointArn === theirs.recoveryPointArn && r.operation === 'DeleteRecoveryPoint')).toEqual([]);
  // Ours was: stopped, and its recovery point deleted.
  const ours = backups.jobRecords().find((j) => j.id !== theirs.id)!;
  expect(backups.recoveryPointExists(ours.recoveryPointArn)).toBe(false);
  expectAllAnswered(result.operations);
});

test('IAM: the handlers\' DeleteRecoveryPoint on AWS Backup\'s own recovery points needs the stack\'s owner tag', async () => {
  const result = await simulation.cloudFormation('E2E').deploy(backupJobStack({ removalPolicy: RemovalPolicy.DESTROY }));
  expect(result.status).toBe('CREATE_COMPLETE');
  const backups = simulation.standIn.service.backups;
  const [ours] = backups.jobRecords();
  const theirs = backups.seedJob({ resourceArn: TABLE_ARN, vaultName: ours.vaultName, tags: { owner: 'colleague' } });
  const handlerRole = simulation.iam.decisions.find((d) => d.action === 'backup:StartBackupJob')!.principal;
  const decide = (recoveryPointArn: string, tags: Record<string, string>) => simulation.iam.authorize(handlerRole, [{
    action: 'backup:DeleteRecoveryPoint', resource: recoveryPointArn, context: Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
  }]);
  const theirRecord = backups.jobRecords().find((j) => j.id === theirs)!;
  expect((await decide(theirRecord.recoveryPointArn, { owner: 'colleague' })).allowed).toBe(false);
  expect((await decide(ours.recoveryPointArn, backups.jobsOf(TABLE_ARN).find((j) => j.id === ours.id)!.tags!)).allowed).toBe(true);
});

test('Lambda delivers the Create twice while its job runs: one job, and both waiters give CloudFormation the same answer', async () => {
  simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 600 });
  const cfn = simulation.cloudFormation('E2E', { faultsFor: (r) => (isSnapshotCreate(r) ? { redeliverAfterMs: 60_000 } : undefined) });
  const result = await cfn.deploy(backupJobStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  await simulation.aws.idle();
  const [create] = backupOps(result.operations);
  expect(simulation.standIn.service.backups.jobIds()).toHaveLength(1);
  const answers = simulation.aws.responses.filter((r) => r.RequestId === create.requestId);
  expect(answers).toHaveLength(2);
  expect(new Set(answers.map((a) => `${a.Status} ${a.PhysicalResourceId} ${a.Data?.BackupJobId}`)).size).toBe(1);
  // The second delivery found its own job running and waited for it: no wait for a "busy" resource.
  const onEventResults = simulation.aws.invocations.filter((i) => i.logicalId.includes('OnEvent')).map((i) => (i.result as { PhysicalResourceId: string }).PhysicalResourceId);
  expect(onEventResults).toHaveLength(2);
  expect(onEventResults.every((id) => id.startsWith('backup-job/'))).toBe(true);
});

describe('nothing starts after CloudFormation stopped waiting', () => {
  test('an update\'s job is queued behind a plan\'s job, a sibling fails, the rollback puts the old job back: the queued job never runs', async () => {
    const cfn = simulation.cloudFormation('E2E', {
      faultsFor: (r) => (r.logicalId.startsWith('Snapshot') && r.requestType === 'Update' && r.phase === 'deploy' ? { cancelAfterMs: 120_000 } : undefined),
    });
    expect((await cfn.deploy(backupJobStack({ trigger: '1' }))).status).toBe('CREATE_COMPLETE');
    const planJob = simulation.standIn.service.backups.seedJob({ resourceArn: TABLE_ARN, scenario: { durationSeconds: 600 }, backupPlanId: 'nightly' });
    const result = await cfn.deploy(backupJobStack({ trigger: '2' }));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(backupOps(result.operations).map((o) => `${o.requestType}:${o.phase}${o.cancelled ? ':cancelled' : ''}`)).toEqual(['Update:deploy:cancelled', 'Update:rollback']);
    // The waiter of the cancelled update still runs; it stops its queued job before AWS Backup starts it.
    await simulation.aws.idle();
    simulation.clock.advance(5_000);
    const [, queued, ...more] = simulation.standIn.service.backups.jobIds().filter((id) => id !== planJob);
    expect(more).toEqual([]);
    expect(simulation.standIn.service.backups.jobView(queued)).toMatchObject({ state: 'ABORTED' });
    // The plan's job is not ours: it runs to its end; the stopped one never starts after it.
    simulation.clock.advance(700_000);
    expect(simulation.standIn.service.backups.jobView(planJob).state).toBe('COMPLETED');
    expect(simulation.standIn.service.backups.jobView(queued)).toMatchObject({ state: 'ABORTED' });
    expect(simulation.standIn.service.backups.jobView(queued).startedAt).toBeUndefined();
    expect(simulation.aws.cloudFormationCalls.filter((c) => c.error)).toEqual([]);
    expect(simulation.standIn.requests.filter((r) => r.outcome === 'denied')).toEqual([]);
  });

  test('an update\'s job is queued behind a plan\'s job, a sibling fails, and the stack is deleted while its waiter cannot ask CloudFormation: the rollback\'s Update stops the queued job', async () => {
    const cfn = simulation.cloudFormation('E2E', {
      faultsFor: (r) => (r.logicalId.startsWith('Snapshot') && r.requestType === 'Update' && r.phase === 'deploy' ? { cancelAfterMs: 20_000 } : undefined),
    });
    expect((await cfn.deploy(backupJobStack({ trigger: '1', removalPolicy: RemovalPolicy.DESTROY }))).status).toBe('CREATE_COMPLETE');
    const [first] = simulation.standIn.service.backups.jobIds();
    const planJob = simulation.standIn.service.backups.seedJob({ resourceArn: TABLE_ARN, scenario: { durationSeconds: 300 }, backupPlanId: 'nightly' });
    // CloudFormation throttles: the abandoned waiter cannot tell that CloudFormation moved on (it waits on).
    simulation.aws.throttleCloudFormation = true;
    const result = await cfn.deploy(backupJobStack({ trigger: '2', removalPolicy: RemovalPolicy.DESTROY }));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    // Deleted while the abandoned waiter still waits: its state machine and roles go with the stack.
    expect((await cfn.destroy()).status).toBe('DELETE_COMPLETE');
    await simulation.aws.idle();
    simulation.clock.advance(700_000);
    const queued = simulation.standIn.service.backups.jobIds().find((id) => id !== first && id !== planJob)!;
    expect(simulation.standIn.service.backups.jobView(queued).state).toBe('ABORTED');
    expect(simulation.standIn.service.backups.jobView(queued).startedAt).toBeUndefined();
    expect(simulation.standIn.service.backups.jobView(planJob).state).toBe('COMPLETED');
    const rollback = backupOps(result.operations).find((o) => o.phase === 'rollback')!;
    expect(rollback).toMatchObject({ requestType: 'Update' });
    expect(rollback.response!.Status).toBe('SUCCESS');
    expect(simulation.standIn.requests.filter((r) => r.outcome === 'denied')).toEqual([]);
  });

  test('an update\'s job runs, a sibling fails, the rollback puts the old job back: the waiter stops the new job', async () => {
    const cfn = simulation.cloudFormation('E2E', {
      faultsFor: (r) => (r.logicalId.startsWith('Snapshot') && r.requestType === 'Update' && r.phase === 'deploy' ? { cancelAfterMs: 120_000 } : undefined),
    });
    const created = await cfn.deploy(backupJobStack({ trigger: '1', removalPolicy: RemovalPolicy.DESTROY }));
    expect(created.status).toBe('CREATE_COMPLETE');
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 1800 });
    const result = await cfn.deploy(backupJobStack({ trigger: '2', removalPolicy: RemovalPolicy.DESTROY }));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    await simulation.aws.idle();
    simulation.clock.advance(5_000); // a stopped job is ABORTING for a moment
    const [first, second] = simulation.standIn.service.backups.jobIds();
    expect(simulation.standIn.service.backups.jobView(first).state).toBe('COMPLETED');
    expect(simulation.standIn.service.backups.jobView(second).state).toBe('ABORTED');
    // It was stopped within about a minute and a poll of the rollback.
    const rollback = backupOps(result.operations).find((o) => o.phase === 'rollback')!;
    expect(simulation.standIn.service.backups.jobView(second).completedAt! - rollback.endedAt).toBeLessThanOrEqual(60_000 + 15_000 + 5_000);
    expect(simulation.standIn.requests.filter((r) => r.outcome === 'denied')).toEqual([]);
  });
});

test('a sibling fails while a DESTROY restore\'s Create waits: the rollback\'s Delete finds that restore by its description and deletes its table once it exists', async () => {
  const stack = backupJobStack({}, (s, _table, job) => {
    new RestoreJob(s, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      metadata: { targetTableName: 'orders-restore-test' },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  });
  simulation.standIn.service.restores.onNextRestore({ pendingSeconds: 30, durationSeconds: 300 });
  const cfn = simulation.cloudFormation('E2E', { faultsFor: (r) => (r.logicalId.startsWith('RestoreTest') && r.requestType === 'Create' ? { cancelAfterMs: 60_000 } : undefined) });
  const result = await cfn.deploy(stack);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const restoreOps = result.operations.filter((o) => o.resourceType === 'Custom::RestoreJob');
  expect(restoreOps.map((o) => `${o.requestType}:${o.phase}${o.cancelled ? ':cancelled' : ''}`)).toEqual(['Create:deploy:cancelled', 'Delete:rollback']);
  expect(restoreOps[1].response!.Status).toBe('SUCCESS');
  await simulation.aws.idle();
  // The Delete waited for the restore (AWS Backup cannot stop one), then deleted what it created.
  expect(simulation.standIn.service.tables.tableStatus('orders-restore-test')).toBeUndefined();
  // Deleted once (its waiter, ending with the restore, finds it already gone).
  expect(simulation.standIn.requests.filter((r) => r.operation === 'dynamodb:DeleteTable' && r.outcome === 'ok')).toHaveLength(1);
  expect(simulation.standIn.requests.filter((r) => r.outcome === 'denied')).toEqual([]);
});

test('a restore test\'s Update is cancelled and rolled back: the new restore goes on (AWS Backup cannot stop it), and its table is deleted when it ends', async () => {
  const restoreStack = (version: string) => backupJobStack({}, (s, _table, job) => {
    new RestoreJob(s, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      metadata: { targetTableName: `orders-restore-${version}` },
      trigger: version,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  });
  const cfn = simulation.cloudFormation('E2E', {
    faultsFor: (r) => (r.logicalId.startsWith('RestoreTest') && r.requestType === 'Update' && r.phase === 'deploy' ? { cancelAfterMs: 60_000 } : undefined),
  });
  expect((await cfn.deploy(restoreStack('1'))).status).toBe('CREATE_COMPLETE');
  simulation.standIn.service.restores.onNextRestore({ pendingSeconds: 30, durationSeconds: 400 });
  const result = await cfn.deploy(restoreStack('2'));
  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  await simulation.aws.idle();
  expect(simulation.standIn.service.tables.tableStatus('orders-restore-1')).toBe('ACTIVE');
  expect(simulation.standIn.service.tables.tableStatus('orders-restore-2')).toBeUndefined();
  expect(simulation.standIn.requests.filter((r) => r.outcome === 'denied')).toEqual([]);
});

describe('AWS Backup does not know a job yet right after its start (eventual consistency: its Describe and List calls miss it for 40 s)', () => {
  const stacks = {
    backup: () => backupJobStack(),
    restore: () => backupJobStack({}, (stack, _table, job) => {
      new RestoreJob(stack, 'RestoreTest', { recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: 'orders-restore-test' } });
    }),
    copy: () => backupJobStack({}, (stack, _table, job) => {
      new CopyJob(stack, 'DrCopy', { recoveryPoint: RecoveryPoint.fromBackupJob(job), destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', DR_VAULT) });
    }),
  };
  test.each(Object.keys(stacks) as (keyof typeof stacks)[])('%s: the waiter asks again at its next polls, and the deploy completes with the job', async (kind) => {
    simulation.standIn.service.copies.createOtherVault(DR_VAULT);
    simulation.standIn.service.newJobsHiddenForSeconds = 40;
    const result = await simulation.cloudFormation('E2E').deploy(stacks[kind]());
    expect(result.status).toBe('CREATE_COMPLETE');
    // Each job was asked about while it was not visible yet.
    expect(simulation.standIn.requests.filter((r) => r.error === 'ResourceNotFoundException').length).toBeGreaterThan(0);
    expectAllAnswered(result.operations);
  });
});
