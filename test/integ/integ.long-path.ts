/**
 * Integration test (an AWS account): a BackupJob with a 2-hour timeout, which
 * waits through the long-wait path (the stack's poller and a WaitCondition),
 * asserted through the AWS API: the job COMPLETED and its recovery point
 * exists (the assertions run only once the WaitCondition let the stack
 * finish). Everything it makes is removed with the stacks, recovery points
 * included.
 *
 * Run it as CONTRIBUTING.md says: npm run integ -- long-path
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { BackupJob, ProtectedResource } from '../../lib';
import { testTable, testVault } from './resources';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegLongPath');
const table = testTable(stack);
const vault = testVault(stack);
const job = new BackupJob(stack, 'Snapshot', {
  resource: ProtectedResource.fromDynamoDbTable(table),
  backupVault: vault,
  lifecycle: { deleteAfter: Duration.days(1) },
  timeout: Duration.hours(2),
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'LongPath', { testCases: [stack] });
integ.assertions.awsApiCall('Backup', 'describeBackupJob', { BackupJobId: job.backupJobId })
  .expect(ExpectedResult.objectLike({ State: 'COMPLETED', ResourceArn: table.tableArn }));
integ.assertions.awsApiCall('Backup', 'describeRecoveryPoint', { BackupVaultName: vault.backupVaultName, RecoveryPointArn: job.recoveryPointArn })
  .expect(ExpectedResult.objectLike({ Status: 'COMPLETED' }));
app.synth();
