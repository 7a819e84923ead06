/**
 * Integration test (an AWS account): a backup and its restore test, the
 * restored table deleted with the stack (RestoreJob removal policy DESTROY),
 * asserted through the AWS API: the restore COMPLETED and its table is
 * ACTIVE; after the stacks are destroyed, a hook checks (AWS CLI) that the
 * restored table is gone. Recovery points go with the stacks too.
 *
 * Run it as CONTRIBUTING.md says: npm run integ -- restore
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { RecoveryPoint, RestoreJob } from '../../lib';
import { testBackup, testTable, testVault } from './resources';

const RESTORED_TABLE = 'backup-jobs-integ-restored';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegRestore');
const table = testTable(stack);
const vault = testVault(stack);
const job = testBackup(stack, 'Snapshot', table, vault);
const restore = new RestoreJob(stack, 'RestoreTest', {
  recoveryPoint: RecoveryPoint.fromBackupJob(job),
  metadata: { targetTableName: RESTORED_TABLE },
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'Restore', {
  testCases: [stack],
  hooks: {
    // The restored table was deleted with the stack (the CLI's exit status: 0 only when the table is gone).
    postDestroy: [`! aws dynamodb describe-table --table-name ${RESTORED_TABLE}`],
  },
});
integ.assertions.awsApiCall('Backup', 'describeRestoreJob', { RestoreJobId: restore.restoreJobId })
  .expect(ExpectedResult.objectLike({ Status: 'COMPLETED' }));
integ.assertions.awsApiCall('DynamoDB', 'describeTable', { TableName: RESTORED_TABLE })
  .expect(ExpectedResult.objectLike({ Table: { TableName: RESTORED_TABLE, TableStatus: 'ACTIVE' } }));
app.synth();
