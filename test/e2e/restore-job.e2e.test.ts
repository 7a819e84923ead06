/**
 * Restore jobs end to end: a backup and a restore of it deployed through the
 * real Provider framework against the stand-in; what CloudFormation receives.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { RecoveryPoint, RestoreJob, RestoreJobProps } from '../../lib';
import { CustomResourceOperation, Simulation, SynthesizedStack } from '../../local/simulation';
import { backupJobStack, expectAllAnswered, synthesize, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const TARGET = 'orders-restore-test';
const TARGET_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${TARGET}`;

function restoreStack(props: Partial<RestoreJobProps> = {}): SynthesizedStack {
  return backupJobStack({}, (stack, _table, job) => {
    new RestoreJob(stack, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      metadata: { targetTableName: TARGET },
      ...props,
    });
  });
}

const restores = (ops: readonly CustomResourceOperation[]) => ops.filter((o) => o.resourceType === 'Custom::RestoreJob');

test('a restore after the backup: COMPLETED with the created table, from the backed-up metadata and the override', async () => {
  const result = await simulation.cloudFormation('E2E').deploy(restoreStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  const [create] = restores(result.operations);
  expect(create.response!.Data).toMatchObject({ Status: 'COMPLETED', CreatedResourceArn: TARGET_ARN, ResourceType: 'DynamoDB' });
  expect(create.response!.PhysicalResourceId).toMatch(new RegExp(`^restore-job/[0-9A-F-]{36}/[0-9a-f]{16}/${TARGET_ARN}$`));
  // It was started only after the backup had completed.
  const backupDone = result.operations.find((o) => o.resourceType === 'Custom::BackupJob')!.response!.receivedAt;
  expect(create.sentAt).toBeGreaterThanOrEqual(backupDone);
  const start = simulation.standIn.requests.find((r) => r.operation === 'StartRestoreJob')!;
  expect(start.input.Metadata).toEqual({ originalTableName: 'orders', encryptionType: 'Default', targetTableName: TARGET });
  expect(simulation.standIn.service.tables.tableStatus(TARGET)).toBe('ACTIVE');
  expectAllAnswered(result.operations);
});

test('IAM: a restore of this stack\'s backup is allowed by the grant conditioned on the stack\'s owner tag (its recovery point carries it), another recovery point of the account is not', async () => {
  const result = await simulation.cloudFormation('E2E').deploy(restoreStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  const backups = simulation.standIn.service.backups;
  const [ours] = backups.jobRecords();
  const theirId = backups.seedJob({ resourceArn: ours.resourceArn, vaultName: ours.vaultName, tags: { owner: 'colleague' } });
  const theirs = backups.jobRecords().find((j) => j.id === theirId)!;
  const handlerRole = simulation.iam.decisions.find((d) => d.action === 'backup:StartRestoreJob')!.principal;
  const decide = async (action: string, recoveryPointArn: string) => (await simulation.iam.authorize(handlerRole, simulation.standIn.service.iamChecks(
    action === 'backup:StartRestoreJob' ? 'StartRestoreJob' : 'GetRecoveryPointRestoreMetadata', { RecoveryPointArn: recoveryPointArn, BackupVaultName: ours.vaultName },
  ).filter((c) => c.action === action))).allowed;
  for (const action of ['backup:StartRestoreJob', 'backup:GetRecoveryPointRestoreMetadata']) {
    expect(await decide(action, ours.recoveryPointArn)).toBe(true);
    expect(await decide(action, theirs.recoveryPointArn)).toBe(false);
  }
});

test('a restore that fails (the target table exists) fails the deploy with AWS Backup\'s message; the rollback answers', async () => {
  simulation.standIn.service.tables.createTable(TARGET);
  const result = await simulation.cloudFormation('E2E').deploy(restoreStack({ removalPolicy: RemovalPolicy.DESTROY }));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const [create, rollback] = restores(result.operations);
  expect(create.response!.Reason).toContain(`ended FAILED: Table already exists: ${TARGET}`);
  expect(rollback).toMatchObject({ requestType: 'Delete', phase: 'rollback' });
  expect(rollback.response!.Status).toBe('SUCCESS');
  // The table that was there before is not the restore's to delete.
  expect(simulation.standIn.service.tables.tableStatus(TARGET)).toBe('ACTIVE');
  expectAllAnswered(result.operations);
});

test('an ABORTED restore fails the deploy with its status message', async () => {
  simulation.standIn.service.restores.onNextRestore({ outcome: 'ABORTED', statusMessage: 'Restore job was aborted by AWS Backup.' });
  const result = await simulation.cloudFormation('E2E').deploy(restoreStack());
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(restores(result.operations)[0].response!.Reason).toContain('ended ABORTED: Restore job was aborted by AWS Backup.');
});

test('restore metadata the service refuses fails the Create at once, with its message', async () => {
  const stack = synthesize((s) => {
    const vault = backup.BackupVault.fromBackupVaultName(s, 'Vault', 'central');
    new RestoreJob(s, 'RestoreFs', {
      recoveryPoint: RecoveryPoint.fromArn(simulation.standIn.service.backups.seedCompletedRecoveryPoint('arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123abcd', 'central'), {
        backupVault: vault, resourceType: 'EFS',
      }),
      metadata: { newFileSystem: 'yes' },
    });
  });
  const result = await simulation.cloudFormation('E2E').deploy(stack);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.reason).toContain('StartRestoreJob failed: InvalidParameterValueException: Invalid restore metadata: newFileSystem must be true or false, not yes');
  expect(simulation.standIn.requests.filter((r) => r.operation === 'StartRestoreJob').map((r) => r.outcome)).toEqual(['service-error']);
});

test('Delete with DESTROY deletes the restored table; RETAIN keeps it', async () => {
  const destroyCfn = simulation.cloudFormation('E2E');
  await destroyCfn.deploy(restoreStack({ removalPolicy: RemovalPolicy.DESTROY }));
  const destroyed = await destroyCfn.destroy();
  expect(destroyed.status).toBe('DELETE_COMPLETE');
  expect(simulation.standIn.service.tables.tableStatus(TARGET)).toBeUndefined();
  expect(simulation.standIn.count('dynamodb:DeleteTable')).toBe(1);

  simulation.reset();
  const retainCfn = simulation.cloudFormation('E2E');
  await retainCfn.deploy(restoreStack());
  await retainCfn.destroy();
  expect(simulation.standIn.service.tables.tableStatus(TARGET)).toBe('ACTIVE');
});

test('a new trigger restores again into a new table, and the old restore is cleaned up', async () => {
  const cfn = simulation.cloudFormation('E2E');
  const stack = (version: string) => backupJobStack({ trigger: version }, (s, _t, job) => {
    new RestoreJob(s, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      metadata: { targetTableName: `orders-restore-${version}` },
      trigger: version,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  });
  await cfn.deploy(stack('0001'));
  const update = await cfn.deploy(stack('0002'));
  expect(update.status).toBe('UPDATE_COMPLETE');
  expect(restores(update.operations).map((o) => `${o.requestType}:${o.phase}`)).toEqual(['Update:deploy', 'Delete:cleanup']);
  expect(simulation.standIn.service.tables.tableStatus('orders-restore-0002')).toBe('ACTIVE');
  expect(simulation.standIn.service.tables.tableStatus('orders-restore-0001')).toBeUndefined();
  expectAllAnswered(update.operations);
});

test('a restore that outlasts the timeout fails the deploy; the rollback waits for it, then deletes the table', async () => {
  simulation.standIn.service.restores.onNextRestore({ durationSeconds: 400 });
  const result = await simulation.cloudFormation('E2E').deploy(restoreStack({ timeout: Duration.minutes(5), removalPolicy: RemovalPolicy.DESTROY }));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const [create, rollback] = restores(result.operations);
  expect(create.response!.Reason).toMatch(/Timed out after 5 minutes waiting for restore job .* AWS Backup cannot stop a restore job, so it goes on/);
  expect(rollback.response!.Status).toBe('SUCCESS');
  expect(rollback.response!.receivedAt - rollback.sentAt).toBeGreaterThan(0);
  expect(simulation.standIn.service.tables.tableStatus(TARGET)).toBeUndefined();
  expectAllAnswered(result.operations);
});
