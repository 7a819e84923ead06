/**
 * Integration test (an AWS account): a backup and its copy into a second vault
 * (the same Region: one stack makes both vaults; a copy to another Region or
 * account is the same call with another destination ARN), then a resource
 * standing for the migration, made only after the copy. Asserted through the
 * AWS API: the copy job COMPLETED into the destination vault and the copy is a
 * COMPLETED recovery point there. Both recovery points go with the stack
 * (removal policy DESTROY), and then both vaults.
 *
 * Run it as CONTRIBUTING.md says: npm run integ -- copy
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { CopyJob, RecoveryPoint } from '../../lib';
import { testBackup, testTable, testVault } from './resources';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegCopy');
const table = testTable(stack);
const vault = testVault(stack);
const drVault = testVault(stack, 'DrVault');
const job = testBackup(stack, 'Snapshot', table, vault);
const copy = new CopyJob(stack, 'DrCopy', {
  recoveryPoint: RecoveryPoint.fromBackupJob(job),
  destinationBackupVault: drVault,
  lifecycle: { deleteAfter: Duration.days(1) },
  removalPolicy: RemovalPolicy.DESTROY,
});
const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: 'migrates after the copy' });
migration.node.addDependency(copy);

const integ = new IntegTest(app, 'Copy', { testCases: [stack] });
integ.assertions.awsApiCall('Backup', 'describeCopyJob', { CopyJobId: copy.copyJobId })
  .expect(ExpectedResult.objectLike({ CopyJob: { State: 'COMPLETED', DestinationBackupVaultArn: drVault.backupVaultArn } }));
integ.assertions.awsApiCall('Backup', 'describeRecoveryPoint', { BackupVaultName: drVault.backupVaultName, RecoveryPointArn: copy.destinationRecoveryPointArn })
  .expect(ExpectedResult.objectLike({ Status: 'COMPLETED' }));
app.synth();
