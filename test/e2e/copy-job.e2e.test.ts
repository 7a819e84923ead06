/**
 * Copy jobs end to end: a backup, its copy into a disaster-recovery vault of
 * another Region (or account), and a migration that runs only once the copy
 * completed, deployed through the real Provider framework against the
 * stand-in; each failing end, the timeout, a rollback while the copy runs and
 * a retried request.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BackupJob, CopyJob, CopyJobProps, RecoveryPoint } from '../../lib';
import { CustomResourceOperation, Simulation, SynthesizedStack } from '../../local/simulation';
import { COPY_ARN_VISIBILITIES } from '../../local/stand-in/copy-job-states';
import { backupJobStack, expectAllAnswered, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';
const OTHER_ACCOUNT_VAULT = 'arn:aws:backup:us-west-2:210987654321:backup-vault:dr';

/** Backup, copy to the DR vault, then the migration (a resource standing for it, made only after the copy). */
function drStack(props: Partial<CopyJobProps> = {}, vaultArn = DR_VAULT, more?: (stack: Stack, copy: CopyJob, job: BackupJob) => void): SynthesizedStack {
  return backupJobStack({}, (stack, _table, job) => {
    const copy = new CopyJob(stack, 'DrCopy', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', vaultArn),
      ...props,
    });
    const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: `migrate after copy ${copy.copyJobId}` });
    migration.node.addDependency(copy);
    new CfnOutput(stack, 'CopyArn', { value: copy.destinationRecoveryPointArn });
    new CfnOutput(stack, 'CopyState', { value: copy.state });
    more?.(stack, copy, job);
  });
}

const copies = (ops: readonly CustomResourceOperation[]) => ops.filter((o) => o.resourceType === 'Custom::CopyJob');

describe.each(COPY_ARN_VISIBILITIES)('DescribeCopyJob names the copy %s', (visibility) => {
  beforeEach(() => {
    simulation.standIn.service.copies.copyArnVisibility = visibility;
    simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  });

  test('backup, copy to another Region, then the migration: the copy is COMPLETED before the migration is made', async () => {
    const cfn = simulation.cloudFormation('E2E');
    const result = await cfn.deploy(drStack());
    expect(result.status).toBe('CREATE_COMPLETE');
    const [create] = copies(result.operations);
    const [copy] = simulation.standIn.service.copies.copyRecords();
    expect(create.response!.Data).toMatchObject({ State: 'COMPLETED', DestinationRecoveryPointArn: copy.destinationRecoveryPointArn, DestinationBackupVaultArn: DR_VAULT, ResourceType: 'DynamoDB' });
    expect(copy.destinationRecoveryPointArn).toMatch(/^arn:aws:backup:us-west-2:123456789012:recovery-point:/);
    expect(result.outputs).toMatchObject({ CopyArn: copy.destinationRecoveryPointArn, CopyState: 'COMPLETED' });
    expect(create.response!.PhysicalResourceId).toBe(`copy-job/${copy.id}/${create.response!.PhysicalResourceId!.split('/')[2]}/${copy.destinationRecoveryPointArn}`);
    // The copy started once the backup had completed; the migration was made once the copy had.
    const backupDone = result.operations.find((o) => o.resourceType === 'Custom::BackupJob')!.response!.receivedAt;
    expect(create.sentAt).toBeGreaterThanOrEqual(backupDone);
    const migrationMade = cfn.events.find((e) => e.logicalId.startsWith('Migration') && e.status === 'CREATE_COMPLETE')!.at;
    expect(migrationMade).toBeGreaterThanOrEqual(create.response!.receivedAt);
    const start = simulation.standIn.requests.find((r) => r.operation === 'StartCopyJob')!;
    expect(start.input).toMatchObject({ SourceBackupVaultName: expect.any(String), DestinationBackupVaultArn: DR_VAULT, IdempotencyToken: expect.any(String) });
    expectAllAnswered(result.operations);
  });

  test('DESTROY deletes the copy in its Region when the stack is deleted; RETAIN keeps it', async () => {
    const cfn = simulation.cloudFormation('E2E');
    await cfn.deploy(drStack({ removalPolicy: RemovalPolicy.DESTROY }));
    const destroyed = await cfn.destroy();
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(simulation.standIn.service.copies.copyRecords().map((c) => c.deleted)).toEqual([true]);
    expect(simulation.standIn.requests.filter((r) => r.operation === 'DeleteRecoveryPoint').map((r) => r.outcome)).toEqual(['ok']);

    simulation.reset();
    simulation.standIn.service.copies.copyArnVisibility = visibility;
    simulation.standIn.service.copies.createOtherVault(DR_VAULT);
    const retain = simulation.cloudFormation('E2E');
    await retain.deploy(drStack());
    await retain.destroy();
    expect(simulation.standIn.service.copies.copyRecords().map((c) => c.deleted)).toEqual([false]);
  });

  test('a copy that outlasts the timeout fails the deploy (it cannot be stopped); the rollback waits for it and deletes the copy (DESTROY)', async () => {
    simulation.standIn.service.copies.onNextCopy({ durationSeconds: 420 });
    const cfn = simulation.cloudFormation('E2E');
    const result = await cfn.deploy(drStack({ timeout: Duration.minutes(5), removalPolicy: RemovalPolicy.DESTROY }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const [create, rollback] = copies(result.operations);
    expect(create.response!.Reason).toMatch(/Timed out after 5 minutes waiting for copy job [0-9A-F-]+ \(still RUNNING\); AWS Backup cannot stop a copy job, so it goes on/);
    expect(rollback).toMatchObject({ requestType: 'Delete', phase: 'rollback' });
    expect(rollback.response!.Status).toBe('SUCCESS');
    const [copy] = simulation.standIn.service.copies.copyRecords();
    expect(copy).toMatchObject({ state: 'COMPLETED', deleted: true });
    // The migration never ran (the stack's own events: the copy's were there).
    expect(cfn.events.some((e) => e.logicalId.startsWith('DrCopy'))).toBe(true);
    expect(cfn.events.some((e) => e.logicalId.startsWith('Migration'))).toBe(false);
    expectAllAnswered(result.operations);
  });
});

describe('a copy that does not complete fails the deploy with AWS Backup\'s message; the migration never runs', () => {
  test.each([
    ['FAILED', 'Copy job failed because the destination vault is locked.'],
    ['PARTIAL', 'Some members of the composite recovery point were not copied.'],
  ] as const)('%s', async (outcome, message) => {
    simulation.standIn.service.copies.createOtherVault(DR_VAULT);
    simulation.standIn.service.copies.onNextCopy({ outcome, statusMessage: message });
    const cfn = simulation.cloudFormation('E2E');
    const result = await cfn.deploy(drStack());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(copies(result.operations)[0].response!.Reason).toContain(`ended ${outcome}: ${message}`);
    expect(cfn.events.some((e) => e.logicalId.startsWith('Migration') && e.status === 'CREATE_COMPLETE')).toBe(false);
    expectAllAnswered(result.operations);
  });

  test('PARTIAL with allowPartial is accepted', async () => {
    simulation.standIn.service.copies.createOtherVault(DR_VAULT);
    simulation.standIn.service.copies.onNextCopy({ outcome: 'PARTIAL', statusMessage: 'Some members were not copied.' });
    const result = await simulation.cloudFormation('E2E').deploy(drStack({ allowPartial: true }));
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.outputs.CopyState).toBe('PARTIAL');
  });

  test('a destination vault of another account that does not let this account copy in', async () => {
    simulation.standIn.service.copies.createOtherVault(OTHER_ACCOUNT_VAULT);
    const result = await simulation.cloudFormation('E2E').deploy(drStack({}, OTHER_ACCOUNT_VAULT));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(copies(result.operations)[0].response!.Reason).toContain('ended FAILED: Access Denied trying to call AWS Backup service');
  });

  test('a destination vault of another account whose access policy lets this account copy in', async () => {
    simulation.standIn.service.copies.createOtherVault(OTHER_ACCOUNT_VAULT, { allowCopyFrom: ['123456789012'] });
    const result = await simulation.cloudFormation('E2E').deploy(drStack({}, OTHER_ACCOUNT_VAULT));
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.outputs.CopyArn).toMatch(/^arn:aws:backup:us-west-2:210987654321:recovery-point:/);
  });

  test('DESTROY of a copy into another account from a stack without an account (env-agnostic): the Create fails naming both accounts, and no copy starts', async () => {
    simulation.standIn.service.copies.createOtherVault(OTHER_ACCOUNT_VAULT, { allowCopyFrom: ['123456789012'] });
    // The synth check cannot tell (the stack's account is a token); the handler knows its own.
    const result = await simulation.cloudFormation('E2E').deploy(drStack({ removalPolicy: RemovalPolicy.DESTROY }, OTHER_ACCOUNT_VAULT));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(copies(result.operations)[0].response!.Reason).toMatch(/RemovalPolicy DESTROY deletes the copy from this account \(123456789012\); the destination vault is in account 210987654321.*No copy was started/);
    expect(simulation.standIn.service.copies.copyRecords()).toEqual([]);
    expectAllAnswered(result.operations);
  });

  test('a destination vault that does not exist', async () => {
    const result = await simulation.cloudFormation('E2E').deploy(drStack());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(copies(result.operations)[0].response!.Reason).toContain(`ended FAILED: Backup vault ${DR_VAULT} does not exist or cannot be accessed`);
  });
});

test('a retried request (the same event delivered again) starts no second copy', async () => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  const cfn = simulation.cloudFormation('E2E', { faultsFor: (r) => (r.logicalId.startsWith('DrCopy') && r.requestType === 'Create' ? { redeliverAfterMs: 30_000 } : undefined) });
  const result = await cfn.deploy(drStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(simulation.standIn.count('StartCopyJob')).toBe(2);
  expect(simulation.standIn.service.copies.copyRecords()).toHaveLength(1);
  expectAllAnswered(result.operations);
});

test('a sibling fails while the copy runs (DESTROY): the rollback\'s Delete, with a physical id CloudFormation made up, finds the copy by its description and deletes it once it ended', async () => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  simulation.standIn.service.copies.onNextCopy({ durationSeconds: 180 });
  const cfn = simulation.cloudFormation('E2E', { faultsFor: (r) => (r.logicalId.startsWith('DrCopy') && r.requestType === 'Create' ? { cancelAfterMs: 60_000 } : undefined) });
  const result = await cfn.deploy(drStack({ removalPolicy: RemovalPolicy.DESTROY }));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const ops = copies(result.operations);
  expect(ops.map((o) => `${o.requestType}:${o.phase}${o.cancelled ? ':cancelled' : ''}`)).toEqual(['Create:deploy:cancelled', 'Delete:rollback']);
  expect(ops[1].physicalIdSent).toMatch(/^E2E-DrCopy[0-9A-F]{8}-[0-9A-F]{12}$/);
  expect(ops[1].response!.Status).toBe('SUCCESS');
  expect(simulation.standIn.service.copies.copyRecords()).toEqual([expect.objectContaining({ state: 'COMPLETED', deleted: true })]);
  expectAllAnswered(result.operations);
});

test('an update with a new trigger copies again and, under DESTROY, deletes the old copy in the cleanup phase', async () => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  const cfn = simulation.cloudFormation('E2E');
  await cfn.deploy(drStack({ trigger: '0001', removalPolicy: RemovalPolicy.DESTROY }));
  const update = await cfn.deploy(drStack({ trigger: '0002', removalPolicy: RemovalPolicy.DESTROY }));
  expect(update.status).toBe('UPDATE_COMPLETE');
  expect(copies(update.operations).map((o) => `${o.requestType}:${o.phase}`)).toEqual(['Update:deploy', 'Delete:cleanup']);
  expect(simulation.standIn.service.copies.copyRecords().map((c) => c.deleted)).toEqual([true, false]);
  expectAllAnswered(update.operations);
});

test('a copy of 6 hours waits through the long-wait path: the migration is made once the copy COMPLETED', async () => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  simulation.standIn.service.copies.onNextCopy({ durationSeconds: 6 * 3600 });
  const cfn = simulation.cloudFormation('E2E');
  const result = await cfn.deploy(drStack({ timeout: Duration.hours(8) }));
  expect(result.status).toBe('CREATE_COMPLETE');
  const [copy] = simulation.standIn.service.copies.copyRecords();
  expect(result.outputs).toMatchObject({ CopyArn: copy.destinationRecoveryPointArn, CopyState: 'COMPLETED' });
  const completedAt = (simulation.standIn.service.copies.DescribeCopyJob({ CopyJobId: copy.id }) as any).CopyJob.CompletionDate.getTime();
  const migrationMade = cfn.events.find((e) => e.logicalId.startsWith('Migration') && e.status === 'CREATE_COMPLETE')!.at;
  expect(migrationMade).toBeGreaterThanOrEqual(completedAt);
  expectAllAnswered(result.operations);
}, 120_000);

test('a long copy that fails: the poller signals FAILURE with AWS Backup\'s message and the stack rolls back', async () => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  simulation.standIn.service.copies.onNextCopy({ durationSeconds: 2 * 3600, outcome: 'FAILED', statusMessage: 'The destination vault was deleted.' });
  const result = await simulation.cloudFormation('E2E').deploy(drStack({ timeout: Duration.hours(4) }));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.reason).toMatch(/Copy job [0-9A-F-]+ ended FAILED: The destination vault was deleted\./);
  expectAllAnswered(result.operations);
}, 120_000);

test('DESTROY of a long copy deletes the copy when the stack is deleted, even once AWS Backup no longer describes the copy job (its history is gone)', async () => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  simulation.standIn.service.copies.onNextCopy({ durationSeconds: 2 * 3600 });
  const cfn = simulation.cloudFormation('E2E');
  expect((await cfn.deploy(drStack({ timeout: Duration.hours(4), removalPolicy: RemovalPolicy.DESTROY }))).status).toBe('CREATE_COMPLETE');
  // Months later: AWS Backup keeps a finished job's history for a while only.
  simulation.standIn.service.jobHistorySeconds = 30 * 86_400;
  simulation.clock.advance(90 * 86_400_000);
  const [copy] = simulation.standIn.service.copies.copyRecords();
  expect(() => simulation.standIn.service.copies.DescribeCopyJob({ CopyJobId: copy.id })).toThrow(/not found/);
  const result = await cfn.destroy();
  expect(result.status).toBe('DELETE_COMPLETE');
  if (process.env.DEBUG_LOGS) for (const l of simulation.aws.logs) process.stdout.write(`${l.functionName}: ${l.line.slice(0, 300)}\n`);
  expect(simulation.standIn.service.copies.copyRecords()).toMatchObject([{ id: copy.id, deleted: true }]);
  expectAllAnswered(result.operations);
}, 120_000);
