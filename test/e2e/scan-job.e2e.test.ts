/**
 * Scan jobs end to end: a backup of a bucket, its malware scan, and a
 * migration that runs only once the scan found nothing, deployed through the
 * real Provider framework against the stand-in with IAM enforced; each
 * result and failing end, the timeout, the long wait, a rollback while the
 * scan runs, and a retried request.
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BackupJob, ProtectedResource, RecoveryPoint, ScanJob, ScanJobProps } from '../../lib';
import { CustomResourceOperation, Simulation, SynthesizedStack } from '../../local/simulation';
import { expectAllAnswered, synthesizeStack, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

/** A backup of a bucket, its scan, then the migration (a resource standing for it, made only after the scan). */
function gateStack(props: Partial<ScanJobProps> = {}, more?: (stack: Stack, scan: ScanJob, job: BackupJob) => void): SynthesizedStack {
  return synthesizeStack('E2E', (stack) => {
    const bucket = new s3.Bucket(stack, 'Uploads', { bucketName: 'orders-uploads' });
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromS3Bucket(bucket) });
    const scan = new ScanJob(stack, 'SnapshotScan', { recoveryPoint: RecoveryPoint.fromBackupJob(job), ...props });
    const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: `migrate after scan ${scan.scanJobId}` });
    migration.node.addDependency(scan);
    new CfnOutput(stack, 'ScanResult', { value: scan.scanResultStatus });
    new CfnOutput(stack, 'ScanState', { value: scan.state });
    more?.(stack, scan, job);
  });
}

const scans = (ops: readonly CustomResourceOperation[]) => ops.filter((o) => o.resourceType === 'Custom::ScanJob');
/** When the migration was made by this stack's operations, if it was (the scan's events are there either way). */
function migrationMade(cfn: ReturnType<Simulation['cloudFormation']>): number | undefined {
  expect(cfn.events.some((e) => e.logicalId.startsWith('SnapshotScan'))).toBe(true);
  return cfn.events.find((e) => e.logicalId.startsWith('Migration') && e.status === 'CREATE_COMPLETE')?.at;
}

test('a clean backup: the scan completes with NO_THREATS_FOUND after the backup, and only then the migration runs', async () => {
  const cfn = simulation.cloudFormation('E2E');
  const result = await cfn.deploy(gateStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  const [scan] = scans(result.operations);
  expect(scan.response!.Data).toMatchObject({ ScanResultStatus: 'NO_THREATS_FOUND', State: 'COMPLETED', ResourceType: 'S3', ScanMode: 'FULL_SCAN' });
  expect(result.outputs).toMatchObject({ ScanResult: 'NO_THREATS_FOUND', ScanState: 'COMPLETED' });
  // Started only after the backup had completed, with the roles made for it, in the backup's vault.
  const backupDone = result.operations.find((o) => o.resourceType === 'Custom::BackupJob')!.response!.receivedAt;
  expect(scan.sentAt).toBeGreaterThanOrEqual(backupDone);
  const start = simulation.standIn.requests.find((r) => r.operation === 'StartScanJob')!;
  expect(start.input).toMatchObject({ MalwareScanner: 'GUARDDUTY', ScanMode: 'FULL_SCAN', IamRoleArn: expect.stringMatching(/\/scan\//), ScannerRoleArn: expect.stringMatching(/\/scanner\//) });
  expect(migrationMade(cfn)).toBeGreaterThanOrEqual(scan.response!.receivedAt);
  expect(simulation.iam.decisions.filter((d) => d.decision !== 'Allowed')).toEqual([]);
  expectAllAnswered(result.operations);
});

test.each([
  ['THREATS_FOUND', { outcome: 'COMPLETED', result: 'THREATS_FOUND' }, 'ended COMPLETED with THREATS_FOUND: GuardDuty found threats in the recovery point'],
  ['FAILED', { outcome: 'FAILED', statusMessage: 'GuardDuty Malware Protection is not enabled in this Region.' }, 'ended FAILED: GuardDuty Malware Protection is not enabled in this Region.'],
  ['CANCELED', { outcome: 'CANCELED', statusMessage: 'The scan was canceled.' }, 'ended CANCELED: The scan was canceled.'],
] as const)('a scan that ends %s fails the deploy with that reason; the migration never runs; the rollback answers', async (_name, scenario, reason) => {
  simulation.standIn.service.scans.onNextScan(scenario);
  const cfn = simulation.cloudFormation('E2E');
  const result = await cfn.deploy(gateStack());
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const [create] = scans(result.operations);
  expect(create.response).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining(reason) });
  expect(migrationMade(cfn)).toBeUndefined();
  expectAllAnswered(result.operations);
});

test('COMPLETED_WITH_ISSUES with no threats found completes (what could be scanned was clean)', async () => {
  simulation.standIn.service.scans.onNextScan({ outcome: 'COMPLETED_WITH_ISSUES', result: 'NO_THREATS_FOUND', statusMessage: 'Some objects could not be scanned.' });
  const result = await simulation.cloudFormation('E2E').deploy(gateStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(result.outputs).toMatchObject({ ScanResult: 'NO_THREATS_FOUND', ScanState: 'COMPLETED_WITH_ISSUES' });
});

test('a scan that outlasts its timeout fails the deploy naming the job; AWS Backup cannot stop it', async () => {
  simulation.standIn.service.scans.onNextScan({ durationSeconds: 3 * 3600 });
  const result = await simulation.cloudFormation('E2E').deploy(gateStack({ timeout: Duration.minutes(20) }));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const [create] = scans(result.operations);
  expect(create.response!.Reason).toMatch(/Timed out after 20 minutes waiting for scan job [0-9A-F-]{36}/);
  expect(simulation.standIn.requests.filter((r) => r.operation === 'StopScanJob')).toEqual([]);
  expectAllAnswered(result.operations);
});

test.each([
  ['clean', {}, 'CREATE_COMPLETE'],
  ['infected', { result: 'THREATS_FOUND' }, 'ROLLBACK_COMPLETE'],
] as const)('the long wait (a 3-hour timeout): a %s scan ends the deploy as on the short path', async (_name, scenario, status) => {
  simulation.standIn.service.scans.onNextScan({ durationSeconds: 2 * 3600, ...scenario });
  const cfn = simulation.cloudFormation('E2E');
  const result = await cfn.deploy(gateStack({ timeout: Duration.hours(3) }));
  expect(result.status).toBe(status);
  if (status === 'CREATE_COMPLETE') {
    expect(result.outputs).toMatchObject({ ScanResult: 'NO_THREATS_FOUND' });
    expect(migrationMade(cfn)).toBeDefined();
  } else {
    expect(result.reason).toContain('THREATS_FOUND');
    expect(migrationMade(cfn)).toBeUndefined();
  }
  expectAllAnswered(result.operations);
});

test('Lambda delivers the Create twice: one scan', async () => {
  const cfn = simulation.cloudFormation('E2E', { faultsFor: (r) => (r.logicalId.startsWith('SnapshotScan') && r.requestType === 'Create' ? { redeliverAfterMs: 1000 } : undefined) });
  const result = await cfn.deploy(gateStack());
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(simulation.standIn.service.scans.scanRecords()).toHaveLength(1);
});

test('an incremental scan from an earlier backup of the same bucket', async () => {
  const result = await simulation.cloudFormation('E2E').deploy(synthesizeStack('E2E', (stack) => {
    const bucket = new s3.Bucket(stack, 'Uploads', { bucketName: 'orders-uploads' });
    const earlier = new BackupJob(stack, 'Earlier', { resource: ProtectedResource.fromS3Bucket(bucket) });
    const later = new BackupJob(stack, 'Later', { resource: ProtectedResource.fromS3Bucket(bucket) });
    later.node.addDependency(earlier);
    new ScanJob(stack, 'Scan', { recoveryPoint: RecoveryPoint.fromBackupJob(later), incrementalFrom: RecoveryPoint.fromBackupJob(earlier) });
  }));
  expect(result.status).toBe('CREATE_COMPLETE');
  const [scan] = simulation.standIn.service.scans.scanRecords();
  expect(scan.mode).toBe('INCREMENTAL_SCAN');
  expect(simulation.standIn.requests.find((r) => r.operation === 'StartScanJob')!.input.ScanBaseRecoveryPointArn).toMatch(/recovery-point/);
});

test('a sibling fails while the scan waits: CloudFormation cancels the Create, the rollback\'s Delete answers at once, and the scan goes on (AWS Backup cannot stop it); nothing starts later', async () => {
  simulation.standIn.service.scans.onNextScan({ durationSeconds: 1800 });
  const cfn = simulation.cloudFormation('E2E', { faultsFor: (r) => (r.logicalId.startsWith('SnapshotScan') && r.requestType === 'Create' ? { cancelAfterMs: 60_000 } : undefined) });
  const result = await cfn.deploy(gateStack());
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const [create, rollback] = scans(result.operations);
  expect(create.cancelled).toBe(true);
  expect(rollback).toMatchObject({ requestType: 'Delete', phase: 'rollback' });
  expect(rollback.response!.Status).toBe('SUCCESS');
  expect(rollback.response!.receivedAt - rollback.sentAt).toBeLessThan(5 * 60_000);
  expect(simulation.standIn.service.scans.scanRecords()).toHaveLength(1);
  expect(cfn.events.some((e) => e.logicalId.startsWith('Migration'))).toBe(false);
  expectAllAnswered(result.operations);
});
