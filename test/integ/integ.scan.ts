/**
 * Integration test (an AWS account with GuardDuty Malware Protection for AWS
 * Backup available in its Region): a backup of a bucket and its malware scan,
 * asserted through the AWS API: the scan COMPLETED with NO_THREATS_FOUND (the
 * bucket holds nothing). Recovery points, bucket and vault go with the stack.
 *
 * Run it as CONTRIBUTING.md says: npm run integ -- scan
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BackupJob, ProtectedResource, RecoveryPoint, ScanJob } from '../../lib';
import { testVault } from './resources';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegScan');
// AWS Backup backs up versioned buckets only.
const bucket = new s3.Bucket(stack, 'Bucket', { versioned: true, removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
const vault = testVault(stack);
const job = new BackupJob(stack, 'Snapshot', {
  resource: ProtectedResource.fromS3Bucket(bucket),
  backupVault: vault,
  lifecycle: { deleteAfter: Duration.days(1) },
  removalPolicy: RemovalPolicy.DESTROY,
});
const scan = new ScanJob(stack, 'SnapshotScan', { recoveryPoint: RecoveryPoint.fromBackupJob(job) });

const integ = new IntegTest(app, 'Scan', { testCases: [stack] });
integ.assertions.awsApiCall('Backup', 'describeScanJob', { ScanJobId: scan.scanJobId })
  .expect(ExpectedResult.objectLike({ State: 'COMPLETED', ScanResult: { ScanResultStatus: 'NO_THREATS_FOUND' } }));
app.synth();
