/**
 * Copies checked before they start: a copy AWS Backup would refuse (or fail
 * after its retries) is refused by the handler before StartCopyJob, with the
 * rule and the AWS documentation page: a cross-account copy while the
 * Organization's cross-account backup is off, or from an account outside an
 * Organization; a source recovery point in cold storage. Deployed through the
 * real Provider framework against the stand-in, which plays each setting.
 */
import { Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { CopyJob, RecoveryPoint } from '../../lib';
import { CustomResourceOperation, Simulation, SynthesizedStack } from '../../local/simulation';
import { backupJobStack, expectAllAnswered, synthesizeStack, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const OTHER_ACCOUNT_VAULT = 'arn:aws:backup:us-west-2:210987654321:backup-vault:dr';
const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';

function crossAccountStack(): SynthesizedStack {
  return backupJobStack({}, (stack, _table, job) => {
    new CopyJob(stack, 'DrCopy', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', OTHER_ACCOUNT_VAULT),
    });
  });
}

const copies = (ops: readonly CustomResourceOperation[]) => ops.filter((o) => o.resourceType === 'Custom::CopyJob');
const started = () => simulation.standIn.requests.filter((r) => r.operation === 'StartCopyJob');

test.each([
  ['disabled', 'cross-account backup is turned off for this account\'s AWS Organization'],
  ['not-in-organization', 'this account is in no AWS Organization'],
] as const)('cross-account backup %s: the Create fails before StartCopyJob, naming the rule, who can change it and the page', async (setting, rule) => {
  simulation.standIn.service.copies.createOtherVault(OTHER_ACCOUNT_VAULT, { allowCopyFrom: ['123456789012'] });
  simulation.standIn.service.settings.crossAccountBackup = setting;
  const result = await simulation.cloudFormation('E2E').deploy(crossAccountStack());
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const reason = copies(result.operations)[0].response!.Reason!;
  expect(reason).toContain(rule);
  expect(reason).toContain('https://docs.aws.amazon.com/aws-backup/latest/devguide/manage-cross-account.html');
  expect(reason).toContain('No copy was started');
  expect(started()).toEqual([]);
  expectAllAnswered(result.operations);
});

test('cross-account backup on: the copy starts, having asked once', async () => {
  simulation.standIn.service.copies.createOtherVault(OTHER_ACCOUNT_VAULT, { allowCopyFrom: ['123456789012'] });
  const result = await simulation.cloudFormation('E2E').deploy(crossAccountStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(simulation.standIn.requests.filter((r) => r.operation === 'DescribeGlobalSettings')).toHaveLength(1);
});

test('when the settings cannot be read (throttled past the SDK\'s retries), the copy starts anyway: AWS Backup judges, and reports its own message', async () => {
  simulation.standIn.service.copies.createOtherVault(OTHER_ACCOUNT_VAULT, { allowCopyFrom: ['123456789012'] });
  simulation.standIn.service.failNext('DescribeGlobalSettings', { error: 'ThrottlingException', count: 10 });
  const result = await simulation.cloudFormation('E2E').deploy(crossAccountStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(started()).toHaveLength(1);
});

test('a copy in the same account never asks for the Organization\'s settings', async () => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  simulation.standIn.service.settings.crossAccountBackup = 'not-in-organization';
  const result = await simulation.cloudFormation('E2E').deploy(backupJobStack({}, (stack, _table, job) => {
    new CopyJob(stack, 'DrCopy', { recoveryPoint: RecoveryPoint.fromBackupJob(job), destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', DR_VAULT) });
  }));
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(simulation.standIn.requests.filter((r) => r.operation === 'DescribeGlobalSettings')).toEqual([]);
});

test('a source recovery point in cold storage: the Create fails before StartCopyJob, naming the rule and the page', async () => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  const cold = simulation.standIn.service.backups.seedCompletedRecoveryPoint('arn:aws:dynamodb:us-east-1:123456789012:table/orders', 'archive');
  simulation.standIn.service.moveToColdStorage(cold);
  const stack = synthesizeStack('E2E', (s: Stack) => {
    new CopyJob(s, 'DrCopy', {
      recoveryPoint: RecoveryPoint.fromArn(cold, { backupVault: backup.BackupVault.fromBackupVaultName(s, 'Archive', 'archive'), resourceType: 'DynamoDB' }),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(s, 'DrVault', DR_VAULT),
    });
  });
  const result = await simulation.cloudFormation('E2E').deploy(stack);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const reason = copies(result.operations)[0].response!.Reason!;
  expect(reason).toContain(`the recovery point ${cold} is in cold storage, and AWS Backup does not copy a recovery point in cold storage or the archive tier`);
  expect(reason).toContain('https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html');
  expect(started()).toEqual([]);
});
