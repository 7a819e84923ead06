/**
 * What the integration tests back up and where: a DynamoDB table, backup
 * vaults and backup jobs that go with the stack (removal policy DESTROY), so
 * that a test leaves nothing behind; and the assertions that a backup job
 * completed.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { BackupJob, ProtectedResource } from '../../lib';

export function testTable(stack: Stack): dynamodb.Table {
  return new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

export function testVault(stack: Stack, id = 'Vault'): backup.BackupVault {
  return new backup.BackupVault(stack, id, { removalPolicy: RemovalPolicy.DESTROY });
}

/** A BackupJob of the table into the vault; its recovery point is kept a day at most and deleted with the stack. */
export function testBackup(stack: Stack, id: string, table: dynamodb.Table, vault: backup.IBackupVault, timeout?: Duration): BackupJob {
  return new BackupJob(stack, id, {
    resource: ProtectedResource.fromDynamoDbTable(table),
    backupVault: vault,
    lifecycle: { deleteAfter: Duration.days(1) },
    timeout,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** Asserts through the AWS API that the job backed up the table and ended COMPLETED, and, with `vault`, that its recovery point is COMPLETED. */
export function expectCompleted(integ: IntegTest, job: BackupJob, table: dynamodb.Table, vault?: backup.IBackupVault): void {
  integ.assertions.awsApiCall('Backup', 'describeBackupJob', { BackupJobId: job.backupJobId })
    .expect(ExpectedResult.objectLike({ State: 'COMPLETED', ResourceArn: table.tableArn }));
  if (vault) {
    integ.assertions.awsApiCall('Backup', 'describeRecoveryPoint', { BackupVaultName: vault.backupVaultName, RecoveryPointArn: job.recoveryPointArn })
      .expect(ExpectedResult.objectLike({ Status: 'COMPLETED' }));
  }
}
