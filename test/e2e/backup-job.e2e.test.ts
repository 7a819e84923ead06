/**
 * End to end, without an AWS account: synthesized stacks deployed by simulated
 * CloudFormation through the real Provider framework from the cloud assembly,
 * the real handler bundles, and the AWS Backup stand-in over HTTP. Each
 * scenario checks what CloudFormation receives.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { BackupJob, ProtectedResource } from '../../lib';
import { Simulation } from '../../local/simulation';
import { backupJobStack, backupOps, expectAllAnswered, jobIdOf, overheadMs, TABLE_ARN, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const POLL_MS = 15_000;

/** ListBackupJobs at most once a poll (each poll describes the request's first job once), and once in onEvent. */
function expectListingsAtMostOneAPoll(firstJobId: string): void {
  const polls = simulation.standIn.count('DescribeBackupJob', (input) => input.BackupJobId === firstJobId);
  expect(polls).toBeGreaterThan(10);
  expect(simulation.standIn.count('ListBackupJobs')).toBeLessThanOrEqual(polls + 1);
}

describe('Create', () => {
  test('the happy path: SUCCESS with the job\'s attributes, after the job completed, within one poll', async () => {
    const cfn = simulation.cloudFormation('E2E');
    const result = await cfn.deploy(backupJobStack({ lifecycle: { deleteAfter: Duration.days(7) } }));
    expect(result.status).toBe('CREATE_COMPLETE');
    const [create] = backupOps(result.operations);
    expect(create.response).toMatchObject({ Status: 'SUCCESS' });
    const jobId = jobIdOf(create)!;
    expect(create.response!.PhysicalResourceId).toMatch(new RegExp(`^backup-job/${jobId}/[0-9a-f]{16}/arn:aws:backup:`));
    expect(create.response!.Data).toMatchObject({
      BackupJobId: jobId,
      State: 'COMPLETED',
      BackupSizeInBytes: String(5 * 1024 * 1024),
      RecoveryPointArn: expect.stringMatching(/^arn:aws:backup:us-east-1:123456789012:recovery-point:/),
      ResourceType: 'DynamoDB',
    });
    expect(result.outputs).toEqual({
      BackupJobId: jobId,
      RecoveryPointArn: create.response!.Data!.RecoveryPointArn,
      BackupSizeInBytes: '5242880',
    });
    // The request the stand-in received carries the lifecycle as a number, as the API wants it.
    expect(simulation.standIn.requests.find((r) => r.operation === 'StartBackupJob')!.input).toMatchObject({
      ResourceArn: TABLE_ARN, Lifecycle: { DeleteAfterDays: 7 },
    });
    const overhead = overheadMs(simulation, create);
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThanOrEqual(POLL_MS + 2_000);
    expectAllAnswered(result.operations);
  });

  test.each([
    ['FAILED', 'Insufficient privileges to perform this action.'],
    ['ABORTED', 'Backup job was aborted by AWS Backup.'],
    ['EXPIRED', 'Backup job expired because it did not start within its start window.'],
  ] as const)('a job that ends %s fails the deploy with AWS Backup\'s status message, and the rollback answers', async (outcome, statusMessage) => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { outcome, statusMessage });
    const cfn = simulation.cloudFormation('E2E');
    const result = await cfn.deploy(backupJobStack());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const [create, rollbackDelete] = backupOps(result.operations);
    expect(create.response!.Status).toBe('FAILED');
    expect(create.response!.Reason).toContain(`ended ${outcome}: ${statusMessage}`);
    expect(rollbackDelete).toMatchObject({ requestType: 'Delete', phase: 'rollback', physicalIdSent: create.response!.PhysicalResourceId });
    expect(rollbackDelete.response!.Status).toBe('SUCCESS');
    expectAllAnswered(result.operations);
  });

  test('PARTIAL fails without allowPartial', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { outcome: 'PARTIAL', statusMessage: 'Some items were skipped.' });
    const result = await simulation.cloudFormation('E2E').deploy(backupJobStack());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(backupOps(result.operations)[0].response!.Reason).toContain('ended PARTIAL: Some items were skipped. (set allowPartial to accept a partial backup)');
  });

  test('PARTIAL succeeds with allowPartial', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { outcome: 'PARTIAL', statusMessage: 'Some items were skipped.' });
    const result = await simulation.cloudFormation('E2E').deploy(backupJobStack({ allowPartial: true }));
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(backupOps(result.operations)[0].response!.Data).toMatchObject({ State: 'PARTIAL', StatusMessage: 'Some items were skipped.' });
  });

  test('a busy resource (AWS Backup queues ours): once the other job ended, ours is stopped and replaced by a job that starts at once, and the stack goes on with it', async () => {
    const service = simulation.standIn.service;
    // The other job ends 11 minutes in: AWS Backup's next try of ours would come 9 minutes after that.
    const planJob = service.backups.seedJob({ resourceArn: TABLE_ARN, scenario: { durationSeconds: 660 }, backupPlanId: 'nightly' });
    const result = await simulation.cloudFormation('E2E').deploy(backupJobStack());
    expect(result.status).toBe('CREATE_COMPLETE');
    const [create] = backupOps(result.operations);
    const ours = jobIdOf(create)!;
    expect(ours).not.toBe(planJob);
    // Two StartBackupJob calls: onEvent's (queued behind the plan's job), then its replacement once the plan's job ended.
    const starts = simulation.standIn.requests.filter((r) => r.operation === 'StartBackupJob');
    expect(starts).toHaveLength(2);
    const [queued] = service.backups.jobRecords().filter((j) => !j.byPlan && j.id !== ours);
    expect(service.backups.jobView(queued.id)).toMatchObject({ state: 'ABORTED', startedAt: undefined });
    const planEnd = service.backups.jobView(planJob).completedAt!;
    expect(service.backups.jobView(ours)).toMatchObject({ state: 'COMPLETED' });
    // Ours started within one poll of the plan's job's end (AWS Backup's next try would have been up to 10 minutes later).
    expect(service.backups.jobView(ours).startedAt!).toBeGreaterThanOrEqual(planEnd);
    expect(service.backups.jobView(ours).startedAt! - planEnd).toBeLessThanOrEqual(POLL_MS + 10_000);
    // The answer and the attributes name the job that completed.
    expect(create.response!.Data).toMatchObject({ BackupJobId: ours, State: 'COMPLETED' });
    expect(result.outputs.BackupJobId).toBe(ours);
    expectListingsAtMostOneAPoll(queued.id);
  });

  test.each(['expire', 'fail'] as const)('a busy resource (AWS Backup ends ours at once: %s): the next attempt starts once the other job ended, and the stack goes on with it', async (behaviour) => {
    const service = simulation.standIn.service;
    service.backups.busyBehaviour = behaviour;
    const planJob = service.backups.seedJob({ resourceArn: TABLE_ARN, scenario: { durationSeconds: 600 }, backupPlanId: 'nightly' });
    const result = await simulation.cloudFormation('E2E').deploy(backupJobStack());
    expect(result.status).toBe('CREATE_COMPLETE');
    const [create] = backupOps(result.operations);
    const ours = jobIdOf(create)!;
    const [first] = service.backups.jobRecords().filter((j) => !j.byPlan && j.id !== ours);
    expect(service.backups.jobView(first.id)).toMatchObject({ state: behaviour === 'expire' ? 'EXPIRED' : 'FAILED', statusMessage: expect.stringMatching(/same resource/) });
    const planEnd = service.backups.jobView(planJob).completedAt!;
    expect(service.backups.jobView(ours)).toMatchObject({ state: 'COMPLETED' });
    expect(service.backups.jobView(ours).startedAt! - planEnd).toBeGreaterThanOrEqual(0);
    expect(service.backups.jobView(ours).startedAt! - planEnd).toBeLessThanOrEqual(POLL_MS + 10_000);
    expect(result.outputs.BackupJobId).toBe(ours);
    expectAllAnswered(result.operations);
    expectListingsAtMostOneAPoll(first.id);
  });

  test('throttling and 5xx answers are survived', async () => {
    const service = simulation.standIn.service;
    service.failNext('StartBackupJob', { error: 'LimitExceededException', count: 1 });
    // More than the SDK's own retries: whole polls fail and are retried at the next poll.
    service.failNext('DescribeBackupJob', { error: 'ServiceUnavailableException', count: 12 });
    service.failNext('DescribeBackupJob', { error: 'ThrottlingException', count: 6 });
    const result = await simulation.cloudFormation('E2E').deploy(backupJobStack());
    expect(result.status).toBe('CREATE_COMPLETE');
    const injected = simulation.standIn.requests.filter((r) => r.outcome === 'injected').map((r) => r.error);
    expect(injected.filter((e) => e === 'ServiceUnavailableException')).toHaveLength(12);
    expect(injected.filter((e) => e === 'ThrottlingException')).toHaveLength(6);
    expectAllAnswered(result.operations);
  });

  test('a job that outlasts the timeout fails the deploy in time, and the rollback stops it', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 2 * 3600 });
    const result = await simulation.cloudFormation('E2E').deploy(backupJobStack({ timeout: Duration.minutes(5) }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const [create, rollbackDelete] = backupOps(result.operations);
    expect(create.response!.Reason).toMatch(/Timed out after 5 minutes waiting for backup job .* \(still RUNNING, \d+(\.\d)?% done\); it was stopped/);
    expect(create.response!.receivedAt - create.sentAt).toBeLessThanOrEqual(5 * 60_000 + POLL_MS + 2_000);
    expect(create.serviceTimeoutSeconds).toBe(5 * 60 + 120);
    expect(rollbackDelete.response!.Status).toBe('SUCCESS');
    // The waiter stopped it when it gave up; the rollback's Delete finds it already stopping.
    expect(simulation.standIn.count('StopBackupJob')).toBe(1);
    simulation.clock.advance(5_000);
    expect(simulation.standIn.service.backups.jobView(jobIdOf(create)!).state).toBe('ABORTED');
    expectAllAnswered(result.operations);
  });

  test('a retried invocation with the same RequestId starts exactly one job', async () => {
    const cfn = simulation.cloudFormation('E2E');
    const result = await cfn.deploy(backupJobStack());
    const [create] = backupOps(result.operations);
    const again = await cfn.resend(create);
    expect(again.requestId).toBe(create.requestId);
    expect(again.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: create.response!.PhysicalResourceId });
    expect(simulation.standIn.count('StartBackupJob')).toBe(2);
    expect(simulation.standIn.service.backups.jobIds()).toEqual([jobIdOf(create)]);
  });
});

describe('Update and Delete', () => {
  test('a changed trigger takes a new backup under a new physical id; the old one is cleaned up', async () => {
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(backupJobStack({ trigger: 'migration-0001' }));
    const [create] = backupOps(first.operations);
    const update = await cfn.deploy(backupJobStack({ trigger: 'migration-0002' }));
    expect(update.status).toBe('UPDATE_COMPLETE');
    const [updateOp, cleanup] = backupOps(update.operations);
    expect(updateOp).toMatchObject({ requestType: 'Update', physicalIdSent: create.response!.PhysicalResourceId });
    expect(updateOp.response!.Status).toBe('SUCCESS');
    expect(jobIdOf(updateOp)).not.toBe(jobIdOf(create));
    expect(cleanup).toMatchObject({ requestType: 'Delete', phase: 'cleanup', physicalIdSent: create.response!.PhysicalResourceId });
    expect(cleanup.response!.Status).toBe('SUCCESS');
    expect(update.outputs.BackupJobId).toBe(jobIdOf(updateOp));
    // RETAIN: both recovery points are kept.
    expect(simulation.standIn.service.backups.recoveryPointExists(create.response!.Data!.RecoveryPointArn as string)).toBe(true);
    expectAllAnswered([...first.operations, ...update.operations]);
  });

  test.each([
    ['DESTROY to RETAIN: the cleanup keeps the old recovery point (the new template\'s choice)', RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, true],
    ['RETAIN to DESTROY: the cleanup keeps the old recovery point (its own choice was RETAIN)', RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, true],
    ['DESTROY to DESTROY: the cleanup deletes the old recovery point', RemovalPolicy.DESTROY, RemovalPolicy.DESTROY, false],
  ])('a new trigger with %s', async (_, before, after, kept) => {
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(backupJobStack({ trigger: 'migration-0001', removalPolicy: before }));
    const update = await cfn.deploy(backupJobStack({ trigger: 'migration-0002', removalPolicy: after }));
    expect(update.status).toBe('UPDATE_COMPLETE');
    expect(simulation.standIn.service.backups.recoveryPointExists(first.outputs.RecoveryPointArn)).toBe(kept);
    expect(simulation.standIn.service.backups.recoveryPointExists(update.outputs.RecoveryPointArn)).toBe(true);
    expectAllAnswered([...first.operations, ...update.operations]);
  });

  test('a change of the timeout alone takes no new backup', async () => {
    const cfn = simulation.cloudFormation('E2E');
    await cfn.deploy(backupJobStack({ timeout: Duration.minutes(30) }));
    const update = await cfn.deploy(backupJobStack({ timeout: Duration.minutes(40) }));
    expect(update.status).toBe('UPDATE_COMPLETE');
    expect(backupOps(update.operations).map((o) => o.requestType)).toEqual(['Update']);
    expect(simulation.standIn.service.backups.jobIds()).toHaveLength(1);
  });

  test('a failed update rolls back to the previous backup without taking another', async () => {
    const cfn = simulation.cloudFormation('E2E');
    const first = await cfn.deploy(backupJobStack({ trigger: '1' }));
    simulation.standIn.service.backups.onResource(TABLE_ARN, { outcome: 'FAILED', statusMessage: 'Insufficient privileges to perform this action.' });
    const update = await cfn.deploy(backupJobStack({ trigger: '2' }));
    expect(update.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(update.reason).toContain('ended FAILED: Insufficient privileges');
    const [failed, rollback] = backupOps(update.operations);
    expect(failed.response!.Status).toBe('FAILED');
    expect(rollback).toMatchObject({ requestType: 'Delete', phase: 'rollback', physicalIdSent: failed.response!.PhysicalResourceId });
    expect(rollback.response!.Status).toBe('SUCCESS');
    expect(simulation.standIn.service.backups.jobIds()).toHaveLength(2);
    expect(cfn.resource(backupOps(first.operations)[0].logicalId)!.physicalId).toBe(backupOps(first.operations)[0].response!.PhysicalResourceId);
    expectAllAnswered(update.operations);
  });

  test('Delete with RETAIN keeps the recovery point', async () => {
    const cfn = simulation.cloudFormation('E2E');
    const created = await cfn.deploy(backupJobStack());
    const destroyed = await cfn.destroy();
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(backupOps(destroyed.operations)[0].response!.Status).toBe('SUCCESS');
    expect(simulation.standIn.service.backups.recoveryPointExists(created.outputs.RecoveryPointArn)).toBe(true);
    expect(simulation.standIn.count('DeleteRecoveryPoint')).toBe(0);
  });

  test('Delete with DESTROY deletes the recovery point', async () => {
    const cfn = simulation.cloudFormation('E2E');
    const created = await cfn.deploy(backupJobStack({ removalPolicy: RemovalPolicy.DESTROY }));
    const destroyed = await cfn.destroy();
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(simulation.standIn.service.backups.recoveryPointExists(created.outputs.RecoveryPointArn)).toBe(false);
    expect(simulation.standIn.count('DeleteRecoveryPoint')).toBe(1);
  });

  test('a rollback Delete while the job runs stops it, and never fails', async () => {
    // The first job is not waited for; the second one fails, so the first is rolled back while it runs.
    const stack = backupJobStack({ waitForCompletion: false, removalPolicy: RemovalPolicy.DESTROY }, (s, table, first) => {
      const vault = backup.BackupVault.fromBackupVaultName(s, 'Other', 'other-vault');
      const second = new BackupJob(s, 'Second', {
        resource: ProtectedResource.fromArn('arn:aws:dynamodb:us-east-1:123456789012:table/customers'),
        backupVault: vault,
      });
      second.node.addDependency(first);
      void table;
    });
    simulation.standIn.service.createVault('other-vault');
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 3600 });
    simulation.standIn.service.backups.onResource('arn:aws:dynamodb:us-east-1:123456789012:table/customers', { outcome: 'FAILED', statusMessage: 'Access denied' });
    const result = await simulation.cloudFormation('E2E').deploy(stack);
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const ops = backupOps(result.operations);
    const firstCreate = ops[0];
    expect(firstCreate.response!.Data).toMatchObject({ State: expect.stringMatching(/^(CREATED|PENDING|RUNNING)$/) });
    const firstDelete = ops.find((o) => o.requestType === 'Delete' && o.physicalIdSent === firstCreate.response!.PhysicalResourceId)!;
    expect(firstDelete.response!.Status).toBe('SUCCESS');
    expect(simulation.standIn.requests.filter((r) => r.operation === 'StopBackupJob').map((r) => r.input.BackupJobId)).toEqual([jobIdOf(firstCreate)]);
    expectAllAnswered(result.operations);
  });
});

describe('the presigned ResponseURL', () => {
  test('reaches only the Provider framework\'s own log group (kept one day), as its isComplete throws the request at each poll; never the handlers\' log', async () => {
    simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: 120 });
    const stack = backupJobStack();
    const result = await simulation.cloudFormation('E2E').deploy(stack);
    expect(result.status).toBe('CREATE_COMPLETE');
    const [create] = backupOps(result.operations);
    const url = (simulation.aws.invocations.find((i) => (i.payload as { RequestId?: string })?.RequestId === create.requestId)!.payload as { ResponseURL: string }).ResponseURL;
    const signature = new URL(url).search;
    expect(signature.length).toBeGreaterThan(10);
    const withUrl = simulation.aws.logs.filter((l) => l.line.includes(signature));
    // Several polls before the job completed: each not-yet threw the request, with the URL.
    expect(withUrl.length).toBeGreaterThan(3);
    const functions = stack.template.Resources;
    const logGroupOf = (functionName: string) => {
      const [, resource] = Object.entries(functions).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && functionName.includes(id.slice(0, 40)))!;
      return (resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    };
    const groups = new Set(withUrl.map((l) => logGroupOf(l.functionName!)));
    expect([...groups]).toEqual([expect.stringMatching(/FrameworkLogs/)]);
    expect(functions[[...groups][0]].Properties).toMatchObject({ RetentionInDays: 1 });
    // The handlers' own functions log to the other group, without it.
    const handlerGroup = logGroupOf(simulation.aws.logs.find((l) => /OnEvent[0-9A-F]{8}-/.test(l.functionName ?? '') && !/framework/.test(l.functionName ?? ''))!.functionName!);
    expect(handlerGroup).not.toBe([...groups][0]);
  });
});
