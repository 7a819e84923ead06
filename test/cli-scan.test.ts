/**
 * `backup-jobs scan` and `list --scans` as a user runs them, against the AWS
 * Backup stand-in: a clean scan exits 0 printing its result, threats and
 * failures exit 1 with the reason, a timeout 3; bad input exits 2 and sends
 * nothing.
 */
import { BackupStandIn } from '../local/stand-in/server';
import { runCli } from './fixtures/cli-runner';

const BUCKET = 'arn:aws:s3:::orders-uploads';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const ROLE = 'arn:aws:iam::123456789012:role/scans';
const SCANNER = 'arn:aws:iam::123456789012:role/guardduty-scanner';
const FAST_WAIT = ['--interval', '100ms'];
const QUICK = { createdSeconds: 0.1, durationSeconds: 0.3 };

let standIn: BackupStandIn;
beforeAll(async () => {
  standIn = await BackupStandIn.start({ defaultScenario: { startDelaySeconds: 0.1, pendingSeconds: 0.1, durationSeconds: 0.3 } });
});
afterAll(() => standIn.stop());
beforeEach(() => {
  standIn.reset();
  standIn.service.createVault('pre-migration');
});

const cli = (...args: string[]) => runCli(standIn, ...args);
const SCAN = (rp: string) => ['scan', rp, '--vault', 'pre-migration', '--role', ROLE, '--scanner-role', SCANNER];
const point = () => standIn.service.backups.seedCompletedRecoveryPoint(BUCKET, 'pre-migration');

test('scan --wait: clean, exit 0, NO_THREATS_FOUND on stdout; the request as the construct makes it', async () => {
  const rp = point();
  standIn.service.scans.onNextScan(QUICK);
  const run = await cli(...SCAN(rp), '--idempotency-token', 'scan-0042', '--wait', ...FAST_WAIT);
  expect(run).toMatchObject({ code: 0, stdout: 'NO_THREATS_FOUND\n' });
  const [scan] = standIn.service.scans.scanRecords();
  expect(run.stderr).toContain(`started scan job ${scan.id}`);
  expect(standIn.requests.find((r) => r.operation === 'StartScanJob')!.input).toEqual({
    RecoveryPointArn: rp, BackupVaultName: 'pre-migration', IamRoleArn: ROLE, ScannerRoleArn: SCANNER, MalwareScanner: 'GUARDDUTY', ScanMode: 'FULL_SCAN', IdempotencyToken: 'scan-0042',
  });
});

test('threats found exit 1 with the reason; a failed scan exits 1 with AWS Backup\'s message; COMPLETED_WITH_ISSUES exits 0 with a warning; a timeout exits 3', async () => {
  const rp = point();
  standIn.service.scans.onNextScan({ ...QUICK, result: 'THREATS_FOUND' });
  const infected = await cli(...SCAN(rp), '--wait', ...FAST_WAIT);
  expect(infected.code).toBe(1);
  expect(infected.stderr).toMatch(/Scan job [0-9A-F-]+ of .* ended COMPLETED with THREATS_FOUND: GuardDuty found threats in the recovery point/);
  expect(infected.stdout).toBe('');

  standIn.service.scans.onNextScan({ ...QUICK, outcome: 'FAILED', statusMessage: 'GuardDuty Malware Protection is not enabled.' });
  const failed = await cli(...SCAN(rp), '--wait', ...FAST_WAIT);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain('ended FAILED: GuardDuty Malware Protection is not enabled.');

  standIn.service.scans.onNextScan({ ...QUICK, outcome: 'COMPLETED_WITH_ISSUES', statusMessage: 'Some objects could not be scanned.' });
  const issues = await cli(...SCAN(rp), '--wait', ...FAST_WAIT);
  expect(issues).toMatchObject({ code: 0, stdout: 'NO_THREATS_FOUND\n' });
  expect(issues.stderr).toContain('completed with issues: Some objects could not be scanned.; no threats were found in what could be scanned');

  standIn.service.scans.onNextScan({ createdSeconds: 0.1, durationSeconds: 60 });
  const slow = await cli(...SCAN(rp), '--wait', '--timeout', '1s', ...FAST_WAIT);
  expect(slow.code).toBe(3);
  expect(slow.stderr).toContain('AWS Backup cannot stop a scan job');
});

test('without --wait: the scan job id; `wait` follows a scan job by its id', async () => {
  const rp = point();
  standIn.service.scans.onNextScan(QUICK);
  const started = await cli(...SCAN(rp));
  expect(started.code).toBe(0);
  const id = started.stdout.trim();
  expect(id).toBe(standIn.service.scans.scanRecords()[0].id);
  expect(await cli('wait', id, ...FAST_WAIT)).toMatchObject({ code: 0, stdout: 'NO_THREATS_FOUND\n' });
});

test('an incremental scan from an earlier recovery point', async () => {
  // Two backups of the bucket, a day apart.
  const backups = standIn.service.backups;
  const seeded = (hoursAgo: number) => {
    const id = backups.seedJob({ resourceArn: BUCKET, vaultName: 'pre-migration', createdAt: Date.now() - hoursAgo * 3600_000 });
    return backups.jobRecords().find((j) => j.id === id)!.recoveryPointArn;
  };
  const earlier = seeded(48);
  const later = seeded(24);
  standIn.service.scans.onNextScan(QUICK);
  expect((await cli(...SCAN(later), '--incremental-from', earlier, '--wait', ...FAST_WAIT)).code).toBe(0);
  expect(standIn.requests.find((r) => r.operation === 'StartScanJob')!.input).toMatchObject({ ScanMode: 'INCREMENTAL_SCAN', ScanBaseRecoveryPointArn: earlier });
});

test.each([
  [['--resource-type', 'DynamoDB'], '--resource-type ("DynamoDB") cannot be scanned for malware: AWS Backup scans EBS, EC2, S3 recovery points'],
  [['--scanner-role', 'scanner'], '--scanner-role ("scanner") must be an IAM role ARN'],
  [['--incremental-from', 'earlier'], '--incremental-from ("earlier") must be an ARN'],
])('invalid input %j exits 2 and sends nothing', async (extra, message) => {
  const run = await cli(...SCAN('arn:aws:backup:us-east-1:123456789012:recovery-point:ABC'), ...extra);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(message);
  expect(standIn.requests).toEqual([]);
});

test('a DynamoDB backup\'s own ARN names its type: refused before any request', async () => {
  const run = await cli(...SCAN(`${TABLE}/backup/01234567890123-abcdefgh`));
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('cannot be scanned for malware');
  expect(standIn.requests).toEqual([]);
});

describe('list --scans', () => {
  test('every page of ListScanJobs, with the filters', async () => {
    const rp = point();
    standIn.service.scans.onNextScan({ ...QUICK, result: 'THREATS_FOUND' });
    standIn.service.scans.StartScanJob({ RecoveryPointArn: rp, BackupVaultName: 'pre-migration', IamRoleArn: ROLE, ScannerRoleArn: SCANNER, MalwareScanner: 'GUARDDUTY', ScanMode: 'FULL_SCAN' });
    for (let i = 0; i < 3; i++) {
      standIn.service.scans.onNextScan(QUICK);
      standIn.service.scans.StartScanJob({ RecoveryPointArn: rp, BackupVaultName: 'pre-migration', IamRoleArn: ROLE, ScannerRoleArn: SCANNER, MalwareScanner: 'GUARDDUTY', ScanMode: 'FULL_SCAN' });
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    const all = await cli('list', '--scans', '--page-size', '2');
    expect(all.code).toBe(0);
    expect(all.stderr).toContain('4 scan jobs');
    expect(standIn.requests.filter((r) => r.operation === 'ListScanJobs')).toHaveLength(2);
    const infected = await cli('list', '--scans', '--result', 'THREATS_FOUND', '--source-recovery-point-arn', rp, '--json');
    expect(JSON.parse(infected.stdout).map((j: { ScanResult: { ScanResultStatus: string } }) => j.ScanResult.ScanResultStatus)).toEqual(['THREATS_FOUND']);
  });

  test.each([
    [['list', '--scans', '--state', 'ABORTED'], '--state ("ABORTED") must be one of CREATED, RUNNING, COMPLETED, COMPLETED_WITH_ISSUES, FAILED, CANCELED (scan job states)'],
    [['list', '--scans', '--result', 'CLEAN'], '--result ("CLEAN") must be one of NO_THREATS_FOUND, THREATS_FOUND'],
    [['list', '--scans', '--copies'], '--scans and --copies cannot be given together'],
    [['list', '--scans', '--created-after', '2026-01-01'], '--created-after does not apply to --scans'],
    [['list', '--result', 'THREATS_FOUND'], '--result applies only with --scans'],
  ])('%j exits 2 and sends nothing', async (args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(standIn.requests).toEqual([]);
  });
});
