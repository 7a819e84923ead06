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
import { BackupJob, ProtectedResource } from '../../lib';
import { testTable, testVault } from './resources';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegShortPath');
const table = testTable(stack);
const vault = testVault(stack);
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
