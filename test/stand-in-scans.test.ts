/**
 * The stand-in's malware scans, restore validations and global settings,
 * driven over HTTP by the real AWS SDK: what the official model and AWS
 * Backup's rules accept and refuse, and how a scan moves (issue: a clean,
 * proven backup before the migration).
 */
import {
  BackupClient,
  DescribeGlobalSettingsCommand,
  DescribeRestoreJobCommand,
  DescribeScanJobCommand,
  ListScanJobsCommand,
  PutRestoreValidationResultCommand,
  StartBackupJobCommand,
  StartRestoreJobCommand,
  StartScanJobCommand,
  StartScanJobCommandInput,
} from '@aws-sdk/client-backup';
import { BackupStandIn } from '../local/stand-in/server';

const BUCKET = 'arn:aws:s3:::orders-uploads';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders';
const ROLE = 'arn:aws:iam::123456789012:role/backup';
const SCANNER = 'arn:aws:iam::123456789012:role/scanner';
const T0 = Date.parse('2026-12-06T10:00:00Z');

let standIn: BackupStandIn;
let now = T0;
let client: BackupClient;

beforeEach(async () => {
  now = T0;
  standIn = await BackupStandIn.start({ clock: { now: () => now } });
  standIn.service.createVault('pre-migration');
  process.env.AWS_ENDPOINT_URL_BACKUP = standIn.url;
  client = new BackupClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
});

afterEach(async () => {
  client.destroy();
  await standIn.stop();
  delete process.env.AWS_ENDPOINT_URL_BACKUP;
});

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (e: any) {
    return { name: e.name, message: e.message };
  }
  throw new Error('expected the request to fail');
}

/** A completed backup of a resource: its recovery point's ARN. */
async function backedUp(resourceArn: string): Promise<string> {
  const { RecoveryPointArn } = await client.send(new StartBackupJobCommand({ BackupVaultName: 'pre-migration', ResourceArn: resourceArn, IamRoleArn: ROLE }));
  now += 3600_000;
  return RecoveryPointArn!;
}

function scan(recoveryPointArn: string, extra: Partial<StartScanJobCommandInput> = {}) {
  return client.send(new StartScanJobCommand({
    BackupVaultName: 'pre-migration', RecoveryPointArn: recoveryPointArn, IamRoleArn: ROLE, ScannerRoleArn: SCANNER, MalwareScanner: 'GUARDDUTY', ScanMode: 'FULL_SCAN', ...extra,
  }));
}

describe('scan jobs', () => {
  test('CREATED → RUNNING → COMPLETED with NO_THREATS_FOUND; the same idempotency token gives the same scan; ListScanJobs filters by result', async () => {
    const point = await backedUp(BUCKET);
    const { ScanJobId } = await scan(point, { IdempotencyToken: 'scan-1' });
    expect((await scan(point, { IdempotencyToken: 'scan-1' })).ScanJobId).toBe(ScanJobId);
    const describe_ = () => client.send(new DescribeScanJobCommand({ ScanJobId }));
    expect(await describe_()).toMatchObject({ State: 'CREATED', ResourceType: 'S3', ResourceArn: BUCKET, MalwareScanner: 'GUARDDUTY', ScanMode: 'FULL_SCAN' });
    now += 10_000;
    expect((await describe_()).State).toBe('RUNNING');
    expect((await describe_()).ScanResult).toBeUndefined();
    now += 120_000;
    expect(await describe_()).toMatchObject({ State: 'COMPLETED', ScanResult: { ScanResultStatus: 'NO_THREATS_FOUND' } });
    const listed = async (filter: Record<string, string>) => (await client.send(new ListScanJobsCommand(filter))).ScanJobs!.map((j) => j.ScanJobId);
    expect(await listed({ ByScanResultStatus: 'NO_THREATS_FOUND' })).toEqual([ScanJobId]);
    expect(await listed({ ByScanResultStatus: 'THREATS_FOUND' })).toEqual([]);
    expect(await listed({ ByRecoveryPointArn: point })).toEqual([ScanJobId]);
  });

  test.each([
    [{ outcome: 'COMPLETED', result: 'THREATS_FOUND' }, 'COMPLETED', 'THREATS_FOUND'],
    [{ outcome: 'COMPLETED_WITH_ISSUES', result: 'NO_THREATS_FOUND', statusMessage: 'Some objects could not be scanned.' }, 'COMPLETED_WITH_ISSUES', 'NO_THREATS_FOUND'],
    [{ outcome: 'FAILED', statusMessage: 'GuardDuty Malware Protection is not enabled.' }, 'FAILED', undefined],
    [{ outcome: 'CANCELED' }, 'CANCELED', undefined],
  ] as const)('scenario %j ends %s with result %s', async (scenario, state, result) => {
    const point = await backedUp(BUCKET);
    standIn.service.scans.onNextScan(scenario);
    const { ScanJobId } = await scan(point);
    now += 3600_000;
    const job = await client.send(new DescribeScanJobCommand({ ScanJobId }));
    expect(job.State).toBe(state);
    expect(job.ScanResult?.ScanResultStatus).toBe(result);
    expect(job.StatusMessage).toBe('statusMessage' in scenario ? scenario.statusMessage : undefined);
  });

  test('what the model and the service refuse: a type AWS Backup does not scan, an incremental scan without its base, a base of another resource, a role that is no role ARN, a scanner that is not GUARDDUTY', async () => {
    const tablePoint = await backedUp(TABLE);
    expect(await errorOf(scan(tablePoint))).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('not supported for resource type DynamoDB (supported: EBS, EC2, S3)') });
    const older = await backedUp(BUCKET);
    const point = await backedUp(BUCKET);
    expect(await errorOf(scan(point, { ScanMode: 'INCREMENTAL_SCAN' }))).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('ScanBaseRecoveryPointArn is required') });
    expect(await errorOf(scan(point, { ScanMode: 'INCREMENTAL_SCAN', ScanBaseRecoveryPointArn: tablePoint }))).toMatchObject({ message: expect.stringContaining('is not a backup of') });
    expect(await errorOf(scan(older, { ScanMode: 'INCREMENTAL_SCAN', ScanBaseRecoveryPointArn: point }))).toMatchObject({ message: expect.stringContaining('must be older') });
    await expect(scan(point, { ScanMode: 'INCREMENTAL_SCAN', ScanBaseRecoveryPointArn: older })).resolves.toMatchObject({ ScanJobId: expect.any(String) });
    expect(await errorOf(scan(point, { ScannerRoleArn: 'scanner' }))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await errorOf(scan(point, { MalwareScanner: 'CLAMAV' as never }))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await errorOf(scan(point, { BackupVaultName: 'missing' }))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await errorOf(client.send(new DescribeScanJobCommand({ ScanJobId: 'no-such-scan' })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('restore validation results', () => {
  async function completedRestore(): Promise<string> {
    const point = await backedUp(TABLE);
    const { RestoreJobId } = await client.send(new StartRestoreJobCommand({ RecoveryPointArn: point, Metadata: { targetTableName: 'Orders-check' }, IamRoleArn: ROLE }));
    return RestoreJobId!;
  }

  test('recorded for a completed restore; refused while it runs and for an unknown restore', async () => {
    const restoreJobId = await completedRestore();
    const put = (id = restoreJobId) => client.send(new PutRestoreValidationResultCommand({ RestoreJobId: id, ValidationStatus: 'SUCCESSFUL', ValidationStatusMessage: 'row counts match' }));
    expect(await errorOf(put())).toMatchObject({ name: 'InvalidRequestException', message: expect.stringContaining('only a completed restore is validated') });
    now += 3600_000;
    expect((await client.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }))).Status).toBe('COMPLETED');
    await put();
    expect(standIn.service.restores.validationsOf(restoreJobId)).toEqual([{ status: 'SUCCESSFUL', message: 'row counts match' }]);
    expect(await errorOf(put('no-such-restore'))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await errorOf(client.send(new PutRestoreValidationResultCommand({ RestoreJobId: restoreJobId, ValidationStatus: 'PASSED' as never })))).toMatchObject({ name: 'InvalidParameterValueException' });
  });

  test('the other reported behaviour: AWS refuses a result for a restore no restore testing plan started', async () => {
    standIn.service.restores.validationOfOnDemandRestores = 'refused';
    const restoreJobId = await completedRestore();
    now += 3600_000;
    expect(await errorOf(client.send(new PutRestoreValidationResultCommand({ RestoreJobId: restoreJobId, ValidationStatus: 'FAILED' }))))
      .toMatchObject({ name: 'InvalidRequestException', message: expect.stringContaining('not started by a restore testing plan') });
    expect(standIn.service.restores.validationsOf(restoreJobId)).toEqual([]);
  });
});

describe('global settings', () => {
  test.each([['enabled', 'true'], ['disabled', 'false']] as const)('cross-account backup %s', async (setting, value) => {
    standIn.service.settings.crossAccountBackup = setting;
    expect((await client.send(new DescribeGlobalSettingsCommand({}))).GlobalSettings).toEqual({ isCrossAccountBackupEnabled: value });
  });

  test('an account outside an AWS Organization is refused', async () => {
    standIn.service.settings.crossAccountBackup = 'not-in-organization';
    expect(await errorOf(client.send(new DescribeGlobalSettingsCommand({})))).toMatchObject({ name: 'InvalidRequestException', message: expect.stringContaining('not a member of an AWS Organization') });
  });
});
