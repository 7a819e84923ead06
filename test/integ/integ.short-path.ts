/**
 * Integration test (an AWS account): a BackupJob on the short path (a
 * 58-minute timeout) of a DynamoDB table, asserted through the AWS API: the
 * job COMPLETED and its recovery point exists. Everything it makes is
 * removed with the stacks, recovery points included (removal policy DESTROY).
 *
 * Run it as CONTRIBUTING.md says: npm run integ -- short-path
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { BackupJob, ProtectedResource } from '../../lib';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegShortPath');
const table = new dynamodb.Table(stack, 'Table', {
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  removalPolicy: RemovalPolicy.DESTROY,
});
const vault = new backup.BackupVault(stack, 'Vault', { removalPolicy: RemovalPolicy.DESTROY });
const job = new BackupJob(stack, 'Snapshot', {
  resource: ProtectedResource.fromDynamoDbTable(table),
  backupVault: vault,
  lifecycle: { deleteAfter: Duration.days(1) },
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'ShortPath', { testCases: [stack] });
integ.assertions.awsApiCall('Backup', 'describeBackupJob', { BackupJobId: job.backupJobId })
  .expect(ExpectedResult.objectLike({ State: 'COMPLETED', ResourceArn: table.tableArn }));
integ.assertions.awsApiCall('Backup', 'describeRecoveryPoint', { BackupVaultName: vault.backupVaultName, RecoveryPointArn: job.recoveryPointArn })
  .expect(ExpectedResult.objectLike({ Status: 'COMPLETED' }));
app.synth();
