/**
 * The backup-jobs CLI as a user runs it: the built bundle, as a child process,
 * against the AWS Backup stand-in (reached through AWS_ENDPOINT_URL_BACKUP).
 */
import { BackupStandIn } from '../local/stand-in/server';
import { spawn } from 'child_process';
import { CLI, cliEnv, CliRun, runCli } from './fixtures/cli-runner';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const ROLE = 'arn:aws:iam::123456789012:role/backup';
const FAST = { startDelaySeconds: 0.1, pendingSeconds: 0.1, durationSeconds: 0.6 };

let standIn: BackupStandIn;

beforeAll(async () => {
  standIn = await BackupStandIn.start({ defaultScenario: FAST, startRetrySeconds: 0.2 });
});
afterAll(() => standIn.stop());
beforeEach(() => {
  standIn.reset();
  standIn.service.createVault('pre-migration');
});

type Run = CliRun;

function cli(...args: string[]): Promise<Run> {
  return runCli(standIn, ...args);
}

const START = ['start', '--resource-arn', TABLE, '--vault', 'pre-migration', '--role', ROLE];

/** Resolves once the stand-in has created a job of ours (the CLI's first StartBackupJob). */
async function ourJobCreated(): Promise<void> {
  while (!standIn.requests.some((r) => r.operation === 'StartBackupJob' && r.outcome === 'ok')) await new Promise((resolve) => setTimeout(resolve, 10));
}
const FAST_WAIT = ['--interval', '100ms'];

describe('start and wait', () => {
  test('start --wait: the job COMPLETED, exit 0, the recovery point ARN on stdout, progress on stderr', async () => {
    const run = await cli(...START, '--delete-after-days', '35', '--tag', 'purpose=pre-migration', '--tag', 'ticket=OPS-1', '--wait', ...FAST_WAIT);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^arn:aws:backup:us-east-1:123456789012:recovery-point:[0-9A-F-]+\n$/) });
    expect(run.stderr).toMatch(/^started backup job [0-9A-F-]{36}$/m);
    expect(run.stderr).toMatch(/RUNNING \d+%/);
    expect(run.stderr).toMatch(/COMPLETED 100% 5\.0 MiB elapsed 00:00:0\d/);
    // Nothing but the CLI's own lines: no Node.js or SDK warnings (e.g. the SDK's Node.js version notice).
    expect(run.stderr).not.toMatch(/Warning/);
    expect(standIn.requests.find((r) => r.operation === 'StartBackupJob')!.input).toMatchObject({
      Lifecycle: { DeleteAfterDays: 35 }, RecoveryPointTags: { purpose: 'pre-migration', ticket: 'OPS-1' },
    });
  });

  test('--windows-vss and --no-windows-vss send WindowsVSS as the construct does (enabled, disabled); neither sends none', async () => {
    const instance = ['start', '--resource-arn', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', '--vault', 'pre-migration', '--role', ROLE];
    for (const [flag, expected] of [['--windows-vss', { WindowsVSS: 'enabled' }], ['--no-windows-vss', { WindowsVSS: 'disabled' }], [undefined, undefined]] as const) {
      standIn.requests.length = 0;
      const run = await cli(...instance, ...(flag ? [flag] : []));
      expect(run.code).toBe(0);
      expect(standIn.requests.find((r) => r.operation === 'StartBackupJob')!.input.BackupOptions).toEqual(expected);
    }
  });

  test('start prints the job id; wait waits for it', async () => {
    const started = await cli(...START);
    expect(started.code).toBe(0);
    const jobId = started.stdout.trim();
    expect(jobId).toMatch(/^[0-9A-F-]{36}$/);
    const waited = await cli('wait', jobId, ...FAST_WAIT);
    expect(waited.code).toBe(0);
    expect(waited.stdout).toMatch(/^arn:aws:backup:/);
  });

  test.each([
    ['FAILED', 'Insufficient privileges to perform this action.'],
    ['ABORTED', 'Backup job was aborted.'],
    ['EXPIRED', 'Backup job expired because it did not start within its start window.'],
    ['PARTIAL', 'Some items were skipped.'],
  ] as const)('a job that ends %s exits 1 with its status message', async (outcome, statusMessage) => {
    standIn.service.backups.onResource(TABLE, { ...FAST, outcome, statusMessage });
    const run = await cli(...START, '--wait', ...FAST_WAIT);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`ended ${outcome}: ${statusMessage}`);
  });

  test('PARTIAL is accepted with --allow-partial', async () => {
    standIn.service.backups.onResource(TABLE, { ...FAST, outcome: 'PARTIAL', statusMessage: 'Some items were skipped.' });
    expect((await cli(...START, '--wait', '--allow-partial', ...FAST_WAIT)).code).toBe(0);
  });

  test('a wait that times out exits 3, prints the job id and leaves the job running', async () => {
    standIn.service.backups.onResource(TABLE, { ...FAST, durationSeconds: 3600 });
    const run = await cli(...START, '--wait', '--timeout', '1s', ...FAST_WAIT);
    expect(run.code).toBe(3);
    const jobId = run.stdout.trim();
    expect(run.stderr).toContain(`timed out after 1 second: backup job ${jobId} is left running (RUNNING`);
    expect(standIn.service.backups.jobView(jobId).state).toBe('RUNNING');
    expect(standIn.count('StopBackupJob')).toBe(0);
  });

  test('throttling and 5xx answers are survived', async () => {
    standIn.service.failNext('DescribeBackupJob', { error: 'ThrottlingException', count: 7 });
    standIn.service.failNext('DescribeBackupJob', { error: 'ServiceUnavailableException', count: 6 });
    const run = await cli(...START, '--wait', ...FAST_WAIT);
    expect(run.code).toBe(0);
    expect(standIn.requests.filter((r) => r.outcome === 'injected')).toHaveLength(13);
  });

  test('a busy resource: with --wait the running job is waited for first', async () => {
    const planJob = standIn.service.backups.seedJob({ resourceArn: TABLE, scenario: { ...FAST, durationSeconds: 1 } });
    const run = await cli(...START, '--wait', ...FAST_WAIT);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`backup job ${planJob} runs on this resource; waiting for it to end first`);
  });

  test.each(['expire', 'fail'] as const)('a busy resource AWS Backup ends our job on (%s): start --wait takes the next attempt once the other job ended, and prints the recovery point of the one that completed', async (behaviour) => {
    standIn.service.backups.busyBehaviour = behaviour;
    // Another job starts just after ours was created, and holds the resource when ours tries to start.
    standIn.service.backups.onNextJob(TABLE, { ...FAST, startDelaySeconds: 0.5 });
    const started = cli(...START, '--wait', '--idempotency-token', 'deploy-42', ...FAST_WAIT);
    await ourJobCreated();
    const planJob = standIn.service.backups.seedJob({ resourceArn: TABLE, scenario: { ...FAST, startDelaySeconds: 0, pendingSeconds: 0, durationSeconds: 1.5 }, backupPlanId: 'nightly' });
    const run = await started;
    expect(run.code).toBe(0);
    const ours = standIn.service.backups.jobRecords().filter((j) => !j.byPlan);
    expect(ours.map((j) => j.token)).toEqual(['deploy-42', 'deploy-42-attempt-2']);
    expect(standIn.service.backups.jobView(ours[0].id)).toMatchObject({ state: behaviour === 'expire' ? 'EXPIRED' : 'FAILED' });
    expect(run.stderr).toContain(`waiting for backup job(s) ${planJob} to release the resource`);
    expect(run.stderr).toContain(`the resource is free: started backup job ${ours[1].id} (attempt 2)`);
    expect(standIn.service.backups.jobView(ours[1].id).startedAt!).toBeGreaterThanOrEqual(standIn.service.backups.jobView(planJob).completedAt!);
    expect(run.stdout.trim()).toBe(ours[1].recoveryPointArn);
  });

  test('a busy end that outlasts --timeout exits 3, naming the jobs that hold the resource', async () => {
    standIn.service.backups.busyBehaviour = 'fail';
    standIn.service.backups.onNextJob(TABLE, { ...FAST, startDelaySeconds: 0.5 });
    const started = cli(...START, '--wait', '--timeout', '2s', ...FAST_WAIT);
    await ourJobCreated();
    const planJob = standIn.service.backups.seedJob({ resourceArn: TABLE, scenario: { ...FAST, startDelaySeconds: 0, durationSeconds: 3600 }, backupPlanId: 'nightly' });
    const run = await started;
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(new RegExp(`timed out after 2 seconds: Backup job [0-9A-F-]+ of ${TABLE} ended FAILED: .*same resource.*, and backup job\\(s\\) ${planJob} still held the resource; no backup was taken`));
    expect(standIn.service.backups.jobRecords().filter((j) => !j.byPlan)).toHaveLength(1);
  });

  test('a job that completed with issues: exit 0, with a warning naming the category and the message', async () => {
    standIn.service.backups.onResource(TABLE, { ...FAST, statusMessage: 'Windows VSS backup attempt failed because either Instance or SSM Agent has invalid state.', messageCategory: 'VSS_FAILED' });
    const run = await cli(...START, '--wait', ...FAST_WAIT);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: backup job [0-9A-F-]+ completed with issues \(VSS_FAILED\): Windows VSS backup attempt failed/);
  });

  test('--json: start, wait, describe and list print JSON', async () => {
    const started = JSON.parse((await cli('--json', ...START)).stdout);
    expect(started).toMatchObject({ BackupJobId: expect.any(String), RecoveryPointArn: expect.any(String), IsParent: false });
    const waited = JSON.parse((await cli('--json', 'wait', started.BackupJobId, ...FAST_WAIT)).stdout);
    expect(waited).toMatchObject({ outcome: 'completed', job: { BackupJobId: started.BackupJobId, State: 'COMPLETED' } });
    // The fields DescribeBackupJob gained are there as AWS Backup gave them.
    expect(waited.job).toMatchObject({
      MessageCategory: 'SUCCESS', VaultType: 'BACKUP_VAULT', VaultLockState: 'UNLOCKED', IsEncrypted: true,
      EncryptionKeyArn: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//), InitiationDate: expect.stringMatching(/Z$/),
    });
    const described = JSON.parse((await cli('--json', 'describe', started.BackupJobId)).stdout);
    expect(described).toMatchObject({ BackupJobId: started.BackupJobId, ResourceArn: TABLE, CreationDate: expect.stringMatching(/Z$/) });
    const listed = JSON.parse((await cli('--json', 'list')).stdout);
    expect(listed.map((j: any) => j.BackupJobId)).toEqual([started.BackupJobId]);
  });

  test('describe prints the job', async () => {
    const jobId = (await cli(...START)).stdout.trim();
    const run = await cli('describe', jobId);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Backup job +${jobId}$`, 'm'));
    expect(run.stdout).toMatch(/^Resource +arn:aws:dynamodb:us-east-1:123456789012:table\/orders \(DynamoDB\)$/m);
  });

  test('describe shows the fields DescribeBackupJob gained, and a job that completed with issues', async () => {
    standIn.service.backups.onResource(TABLE, { ...FAST, statusMessage: 'Some objects were skipped.', messageCategory: 'OBJECTS_SKIPPED' });
    const jobId = (await cli(...START, '--wait', ...FAST_WAIT)).stdout.trim() && standIn.service.backups.jobIds()[0];
    const run = await cli('describe', jobId);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^State +COMPLETED \(completed with issues\)$/m);
    expect(run.stdout).toMatch(/^Message category +OBJECTS_SKIPPED$/m);
    expect(run.stdout).toMatch(/^Vault +pre-migration \(BACKUP_VAULT, UNLOCKED\)$/m);
    expect(run.stdout).toMatch(/^Encrypted +yes, arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]+$/m);
    expect(run.stdout).toMatch(/^Initiated +\d{4}-\d\d-\d\dT/m);
  });
});

describe('list', () => {
  test('every page through the paginator: thousands of jobs', async () => {
    const created = Date.now() - 3600_000;
    for (let i = 0; i < 2500; i++) standIn.service.backups.seedJob({ resourceArn: TABLE, vaultName: 'pre-migration', createdAt: created - i * 1000, scenario: FAST });
    const run = await cli('--json', 'list', '--page-size', '100');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(2500);
    expect(standIn.count('ListBackupJobs')).toBe(25);
    const limited = await cli('list', '--max-items', '1234', '--page-size', '500');
    expect(limited.stdout.trim().split('\n')).toHaveLength(1235);
    expect(limited.stderr).toContain('1234 backup jobs');
  }, 60_000);

  test('each filter reaches the request as its query parameter', async () => {
    standIn.service.backups.seedJob({ resourceArn: TABLE, vaultName: 'pre-migration', scenario: FAST });
    const run = await cli('list', '--state', 'COMPLETED', '--resource-arn', TABLE, '--vault', 'pre-migration', '--resource-type', 'DynamoDB',
      '--created-after', '2026-01-01', '--created-before', '2099-01-01T00:00:00Z', '--complete-after', '2026-01-01T00:00:00+02:00',
      '--complete-before', '2099-12-31', '--parent-job-id', 'parent-1', '--message-category', 'SUCCESS');
    expect(run.code).toBe(0);
    expect(standIn.requests.find((r) => r.operation === 'ListBackupJobs')!.input).toEqual({
      ByState: 'COMPLETED',
      ByResourceArn: TABLE,
      ByBackupVaultName: 'pre-migration',
      ByResourceType: 'DynamoDB',
      ByCreatedAfter: new Date('2026-01-01T00:00:00Z'),
      ByCreatedBefore: new Date('2099-01-01T00:00:00Z'),
      ByCompleteAfter: new Date('2025-12-31T22:00:00Z'),
      ByCompleteBefore: new Date('2099-12-31T00:00:00Z'),
      ByParentJobId: 'parent-1',
      ByMessageCategory: 'SUCCESS',
    });
  });

  test('a table by default', async () => {
    const jobId = standIn.service.backups.seedJob({ resourceArn: TABLE, vaultName: 'pre-migration', scenario: FAST });
    const run = await cli('list', '--resource-arn', TABLE);
    const [header, row] = run.stdout.trim().split('\n');
    expect(header).toMatch(/^JOB ID +STATE +DONE +TYPE +CREATED +VAULT +RESOURCE$/);
    expect(row).toMatch(new RegExp(`^${jobId} +(CREATED|PENDING|RUNNING|COMPLETED) +\\d+(\\.0)?% +DynamoDB`));
  });
});

describe('list --before-removal', () => {
  const guardJob = (stack: string, logicalId: string, reason: string) => standIn.service.backups.StartBackupJob({
    BackupVaultName: 'pre-migration', ResourceArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${logicalId}`, IamRoleArn: ROLE,
    RecoveryPointTags: { 'cdk-backup-jobs:stack': stack, 'cdk-backup-jobs:logical-id': logicalId, 'cdk-backup-jobs:reason': reason, team: 'data' },
  }).BackupJobId as string;

  test('finds the backups taken before a removal by their recovery point\'s tags, with the stack, the logical id and why', async () => {
    const deletion = guardJob('Shop', 'OrdersTable', 'stack-deletion');
    const replacement = guardJob('Billing', 'InvoicesTable', 'replacement');
    standIn.service.backups.seedJob({ resourceArn: TABLE, vaultName: 'pre-migration', scenario: FAST });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const run = await cli('list', '--before-removal');
    expect(run.code).toBe(0);
    const rows = run.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^JOB ID +STATE +REASON +STACK +LOGICAL ID +CREATED +RECOVERY POINT$/);
    expect(rows).toHaveLength(3);
    expect(rows.find((row) => row.startsWith(deletion))).toMatch(new RegExp(`^${deletion} +COMPLETED +stack-deletion +Shop +OrdersTable +\\S+ +arn:aws:backup:`));
    expect(rows.find((row) => row.startsWith(replacement))).toMatch(new RegExp(`^${replacement} +COMPLETED +replacement +Billing +InvoicesTable +\\S+ +arn:aws:backup:`));
    expect(run.stderr).toContain('2 backups before removal (of 3 jobs listed)');
    expect(standIn.count('ListTags')).toBe(3);

    const json = JSON.parse((await cli('--json', 'list', '--before-removal', '--stack', 'Shop')).stdout);
    expect(json.map((j: any) => [j.BackupJobId, j.BeforeRemoval])).toEqual([[deletion, { stack: 'Shop', logicalId: 'OrdersTable', reason: 'stack-deletion' }]]);
  });

  test.each([
    [['list', '--stack', 'Shop'], '--stack applies only with --before-removal'],
    [['list', '--before-removal', '--stack', '1shop'], '--stack ("1shop") must be a CloudFormation stack name'],
  ])('%j is refused (exit 2), sending nothing', async (args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(standIn.requests).toEqual([]);
  });
});

describe('invalid input is refused before any request (exit 2)', () => {
  test.each([
    [['--delete-after-days', '30', '--cold-after-days', '10'], '--delete-after-days (30 days) must be at least --cold-after-days + 90 days (100 days)'],
    [['--start-window-minutes', '5'], '--start-window-minutes (5 minutes) must be a whole number of minutes from 60'],
    [['--delete-after-days', 'ten'], '--delete-after-days ("ten") must be a whole number'],
    [['--index'], '--index applies only to EBS and S3 backups'],
    [['--tag', 'novalue'], '--tag ("novalue") must be key=value'],
    [['--timeout', 'forever', '--wait'], '--timeout ("forever") must be a duration'],
  ])('start %j', async (extra, message) => {
    const run = await cli(...START, ...extra);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(standIn.requests).toHaveLength(0);
  });

  test('a resource AWS Backup cannot back up, a bad vault name and a bad role, all at once', async () => {
    const run = await cli('start', '--resource-arn', 'arn:aws:lambda:us-east-1:123456789012:function:f', '--vault', 'no spaces', '--role', 'admin');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('backup-jobs: invalid input (nothing was sent to AWS):');
    expect(run.stderr).toContain('--resource-arn ("arn:aws:lambda:us-east-1:123456789012:function:f") names a lambda resource');
    expect(run.stderr).toContain('--vault ("no spaces") must be 2 to 50 characters');
    expect(run.stderr).toContain('--role ("admin") must be an IAM role ARN');
    expect(standIn.requests).toHaveLength(0);
  });

  test.each([
    [['list', '--created-after', '2026-02-30'], '--created-after ("2026-02-30") must be an ISO 8601 date'],
    [['list', '--created-before', 'yesterday'], '--created-before ("yesterday") must be an ISO 8601 date'],
    [['list', '--state', 'DONE'], '--state ("DONE") must be one of CREATED, PENDING, RUNNING, ABORTING'],
    [['list', '--resource-type', 'Lambda'], '--resource-type ("Lambda") must be one of'],
    [['list', '--page-size', '5000'], '--page-size (5000) must be at most 1000'],
    [[...START, '--unknown'], "error: unknown option '--unknown'"],
    [['restore', 'arn:aws:backup:us-east-1:123456789012:recovery-point:X', '--vault', 'v', '--resource-type', 'DynamoDB'], '--metadata must contain "targetTableName": DynamoDB restores need it'],
  ])('%j', async (args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(standIn.requests).toHaveLength(0);
  });
});

describe('empty and malformed values are refused (exit 2), and nothing is sent', () => {
  test.each([
    [['wait', ''], '<job-id> ("") must be a job id: not empty, without spaces or slashes (is the variable that holds it set?)'],
    [['describe', ''], '<job-id> ("") must be a job id'],
    [['wait', 'a/b'], '<job-id> ("a/b") must be a job id'],
    [[...START, '--idempotency-token', ''], '--idempotency-token ("") must not be empty (is the variable that holds it set?)'],
    [['restore', 'arn:aws:backup:us-east-1:123456789012:recovery-point:X', '--vault', 'pre-migration', '--idempotency-token', ' '], '--idempotency-token (" ") must not be empty'],
  ])('%j', async (args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing was sent to AWS');
    expect(run.stderr).toContain(message);
    expect(standIn.requests).toHaveLength(0);
  });

  test('a DynamoDB restore without --metadata is refused before any call: the recovery point ARN names its type', async () => {
    const run = await cli('restore', 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01732270800000-abcdef12', '--vault', 'pre-migration');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('backup-jobs: invalid input (nothing was sent to AWS)');
    expect(run.stderr).toContain('--metadata must contain "targetTableName"');
    expect(standIn.requests).toHaveLength(0);
  });

  test('when only the recorded metadata tells the type, the message says what was asked, and no restore starts', async () => {
    const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
    const run = await cli('restore', rp, '--vault', 'pre-migration');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid input (no restore was started; AWS Backup was only asked for the recovery point\'s metadata, which says it is DynamoDB)');
    expect(run.stderr).not.toContain('nothing was sent');
    expect(standIn.requests.map((r) => r.operation)).toEqual(['GetRecoveryPointRestoreMetadata']);
  });
});

describe('arguments a terminal would act on, and long ones', () => {
  test('a control character in any argument is refused (exit 2), shown escaped, and nothing is sent', async () => {
    const run = await cli('wait', 'job\u001b[31m-red');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('argument 2 ("job\\u001b[31m-red") must not contain control characters');
    expect(run.stderr).not.toContain('\u001b');
    expect(standIn.requests).toHaveLength(0);
  });

  test('a very long value is quoted shortened, with its length', async () => {
    const run = await cli(...START.slice(0, 3), '--vault', 'v'.repeat(500), '--role', ROLE);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--vault ("${'v'.repeat(60)}"… (500 characters)) must be 2 to 50 characters`);
    expect(run.stderr.length).toBeLessThan(1_000);
  });
});

describe('waits a user can trust', () => {
  test('Ctrl-C while waiting: exit 130, saying the job keeps running and how to wait for it again; the job is not stopped', async () => {
    const { BackupJobId } = standIn.service.backups.StartBackupJob({ BackupVaultName: 'pre-migration', ResourceArn: TABLE, IamRoleArn: ROLE }) as { BackupJobId: string };
    standIn.service.backups.onJob(BackupJobId, { durationSeconds: 3600 });
    const run = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'wait', BackupJobId!, ...FAST_WAIT], {
        env: cliEnv(standIn),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/RUNNING/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`interrupted: backup job ${BackupJobId} keeps running; see it with \`backup-jobs wait ${BackupJobId}\``);
    expect(standIn.count('StopBackupJob')).toBe(0);
    expect(standIn.service.backups.jobView(BackupJobId!).state).toBe('RUNNING');
  });

  test('--timeout bounds the SDK\'s own retries: throttled from the second look on, a 2 s timeout ends within it', async () => {
    const { BackupJobId } = standIn.service.backups.StartBackupJob({ BackupVaultName: 'pre-migration', ResourceArn: TABLE, IamRoleArn: ROLE }) as { BackupJobId: string };
    standIn.service.backups.onJob(BackupJobId, { durationSeconds: 3600 });
    const watch = setInterval(() => {
      if (standIn.requests.some((r) => r.operation === 'DescribeBackupJob' && r.outcome === 'ok')) {
        standIn.service.failNext('DescribeBackupJob', { error: 'ThrottlingException', count: 10_000 });
        clearInterval(watch);
      }
    }, 5);
    const started = Date.now();
    const run = await cli('wait', BackupJobId!, '--timeout', '2s', '--interval', '200ms');
    const took = Date.now() - started;
    clearInterval(watch);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/timed out after 2 seconds: backup job [0-9A-F-]{36} is left running/);
    // Node.js starting, the first look, then at most the timeout: well under the SDK's retries on top.
    expect(took).toBeLessThan(2_000 + 1_500);
  });

  test('start --wait --timeout bounds the whole command: the wait for a busy resource counts', async () => {
    standIn.service.backups.seedJob({ resourceArn: TABLE, scenario: { startDelaySeconds: 0, pendingSeconds: 0, durationSeconds: 3 } });
    // The other job takes 3 s and ours 2 s more: 4 s in all cannot see ours to its end (4 s for each would).
    standIn.service.backups.onResource(TABLE, { startDelaySeconds: 0, pendingSeconds: 0, durationSeconds: 2 });
    const started = Date.now();
    const run = await cli(...START, '--wait', '--timeout', '4s', '--interval', '500ms');
    const took = Date.now() - started;
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/timed out after 4 seconds: backup job [0-9A-F-]{36} is left running/);
    expect(took).toBeLessThan(9_000);
  });

  test('a very long --interval does not overflow the timer and flood AWS Backup', async () => {
    const { BackupJobId } = standIn.service.backups.StartBackupJob({ BackupVaultName: 'pre-migration', ResourceArn: TABLE, IamRoleArn: ROLE }) as { BackupJobId: string };
    standIn.service.backups.onJob(BackupJobId, { durationSeconds: 3600 });
    const child = spawn(process.execPath, [CLI, 'wait', BackupJobId, '--interval', '600h', '--timeout', '700h'], {
      env: cliEnv(standIn),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    child.kill();
    // One look, then a (long) sleep: not a flood of DescribeBackupJob.
    expect(standIn.count('DescribeBackupJob')).toBeLessThanOrEqual(2);
  });

  test('wait works for a restore job too: its end, and the created resource on stdout', async () => {
    const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
    standIn.service.restores.onRestoreOf(rp, { pendingSeconds: 0.1, durationSeconds: 0.5 });
    const started = await cli('restore', rp, '--vault', 'pre-migration', '--metadata', 'targetTableName=orders-copy');
    expect(started.code).toBe(0);
    const run = await cli('wait', started.stdout.trim(), ...FAST_WAIT);
    expect(run).toMatchObject({ code: 0, stdout: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders-copy\n' });
  });

  test('wait for an id that is no job at all: an AWS error, exit 4', async () => {
    const run = await cli('wait', 'no-such-job');
    expect(run.code).toBe(4);
    expect(run.stderr).toBe('ResourceNotFoundException: no backup job, restore job or scan job no-such-job\n');
  });
});

describe('errors from AWS (exit 4)', () => {
  test('its name and message, no stack trace', async () => {
    const run = await cli('describe', 'no-such-job');
    expect(run.code).toBe(4);
    expect(run.stderr).toBe('ResourceNotFoundException: Backup job no-such-job not found\n');
  });

  test('a vault that does not exist', async () => {
    const run = await cli('start', '--resource-arn', TABLE, '--vault', 'missing', '--role', ROLE);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('ResourceNotFoundException: Backup vault missing does not exist');
  });
});

describe('restore', () => {
  async function completedRecoveryPoint(): Promise<string> {
    return standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
  }

  test('restore --wait: from the backed-up metadata with the overrides, exit 0, the created resource on stdout', async () => {
    const rp = await completedRecoveryPoint();
    standIn.service.restores.onRestoreOf(rp, { pendingSeconds: 0.1, durationSeconds: 0.5 });
    const run = await cli('restore', rp, '--vault', 'pre-migration', '--metadata', 'targetTableName=orders-copy', '--role', ROLE, '--wait', ...FAST_WAIT);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('arn:aws:dynamodb:us-east-1:123456789012:table/orders-copy\n');
    expect(standIn.requests.find((r) => r.operation === 'StartRestoreJob')!.input.Metadata).toMatchObject({ originalTableName: 'orders', targetTableName: 'orders-copy' });
  });

  test('a failed restore exits 1 with its status message', async () => {
    const rp = await completedRecoveryPoint();
    standIn.service.restores.onRestoreOf(rp, { outcome: 'FAILED', statusMessage: 'Access denied to KMS key.', pendingSeconds: 0.1, durationSeconds: 0.2 });
    const run = await cli('restore', rp, '--vault', 'pre-migration', '--metadata', 'targetTableName=orders-copy', '--wait', ...FAST_WAIT);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ended FAILED: Access denied to KMS key.');
  });

  test('the backed-up type decides the metadata rules, before StartRestoreJob', async () => {
    const rp = await completedRecoveryPoint();
    const run = await cli('restore', rp, '--vault', 'pre-migration', '--metadata', 'targetTableName=orders');
    expect(run.code).toBe(0);
    const missing = await cli('restore', rp, '--vault', 'pre-migration', '--no-backed-up-metadata', '--resource-type', 'DynamoDB');
    expect(missing.code).toBe(2);
    expect(standIn.count('StartRestoreJob')).toBe(1);
  });
});

test('--help documents the commands and the exit codes', async () => {
  const run = await cli('--help');
  expect(run.code).toBe(0);
  for (const command of ['start', 'wait', 'describe', 'list', 'restore', 'copy', 'scan']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  expect(run.stdout).toContain('3  the wait timed out (the job is left running; its id is printed)');
});

describe('copy', () => {
  const DR = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';
  const COPY = (rp: string) => ['copy', rp, '--vault', 'pre-migration', '--destination-vault-arn', DR, '--role', ROLE];

  test('copy --wait: the copy COMPLETED, exit 0, the copy\'s ARN (in the destination\'s Region) on stdout, progress on stderr', async () => {
    standIn.service.copies.createOtherVault(DR);
    const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
    standIn.service.copies.onNextCopy({ createdSeconds: 0.1, durationSeconds: 0.5 });
    const run = await cli(...COPY(rp), '--delete-after-days', '35', '--idempotency-token', 'copy-0042', '--wait', ...FAST_WAIT);
    expect(run.code).toBe(0);
    const [copy] = standIn.service.copies.copyRecords();
    expect(run.stdout).toBe(`${copy.destinationRecoveryPointArn}\n`);
    expect(copy.destinationRecoveryPointArn).toMatch(/^arn:aws:backup:us-west-2:/);
    expect(run.stderr).toContain(`started copy job ${copy.id}`);
    expect(standIn.requests.find((r) => r.operation === 'StartCopyJob')!.input).toMatchObject({
      RecoveryPointArn: rp, SourceBackupVaultName: 'pre-migration', DestinationBackupVaultArn: DR, IamRoleArn: ROLE, IdempotencyToken: 'copy-0042', Lifecycle: { DeleteAfterDays: 35 },
    });
  });

  test('without --wait: the copy job id; a failed copy exits 1 with its status message; a timeout exits 3', async () => {
    standIn.service.copies.createOtherVault(DR);
    const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
    const started = await cli(...COPY(rp));
    expect(started.code).toBe(0);
    expect(started.stdout.trim()).toBe(standIn.service.copies.copyRecords()[0].id);

    standIn.service.copies.onNextCopy({ createdSeconds: 0.1, durationSeconds: 0.2, outcome: 'FAILED', statusMessage: 'The destination vault is locked.' });
    const failed = await cli(...COPY(rp), '--wait', ...FAST_WAIT);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Copy job [0-9A-F-]+ of .* ended FAILED: The destination vault is locked\./);

    standIn.service.copies.onNextCopy({ createdSeconds: 0.1, durationSeconds: 60 });
    const slow = await cli(...COPY(rp), '--wait', '--timeout', '1s', ...FAST_WAIT);
    expect(slow.code).toBe(3);
    expect(slow.stderr).toContain('AWS Backup cannot stop a copy job');
  });

  test('a PARTIAL copy exits 1, or 0 with --allow-partial', async () => {
    standIn.service.copies.createOtherVault(DR);
    const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
    standIn.service.copies.onNextCopy({ createdSeconds: 0.1, durationSeconds: 0.2, outcome: 'PARTIAL', statusMessage: 'Some members were not copied.' });
    const partial = await cli(...COPY(rp), '--wait', ...FAST_WAIT);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('ended PARTIAL: Some members were not copied. (use --allow-partial to accept a partial copy)');
    standIn.service.copies.onNextCopy({ createdSeconds: 0.1, durationSeconds: 0.2, outcome: 'PARTIAL' });
    expect((await cli(...COPY(rp), '--wait', '--allow-partial', ...FAST_WAIT)).code).toBe(0);
  });

  test.each([
    [['copy', 'not-an-arn', '--vault', 'pre-migration', '--destination-vault-arn', DR, '--role', ROLE], 'recovery point ("not-an-arn") must be an ARN'],
    [['copy', 'arn:aws:backup:us-east-1:123456789012:recovery-point:X', '--vault', 'pre-migration', '--destination-vault-arn', 'arn:aws:backup:us-west-2:123456789012:vault:dr', '--role', ROLE], '--destination-vault-arn ("arn:aws:backup:us-west-2:123456789012:vault:dr") must be a backup vault ARN'],
    [['copy', 'arn:aws:backup:us-east-1:123456789012:recovery-point:X', '--vault', 'pre-migration', '--destination-vault-arn', 'arn:aws:backup:us-east-1:123456789012:backup-vault:pre-migration', '--role', ROLE], 'must differ from the vault the recovery point is in'],
    [['copy', 'arn:aws:backup:us-east-1:123456789012:recovery-point:X', '--vault', 'pre-migration', '--destination-vault-arn', DR, '--role', ROLE, '--cold-after-days', '10', '--delete-after-days', '20'], '--delete-after-days (20 days) must be at least --cold-after-days + 90 days'],
    [['copy', 'arn:aws:backup:us-east-1:123456789012:recovery-point:X', '--vault', 'pre-migration', '--destination-vault-arn', DR, '--role', ''], '--role ("") must be an IAM role ARN'],
    [['copy', 'arn:aws:backup:us-east-1:123456789012:recovery-point:X', '--vault', 'pre-migration', '--destination-vault-arn', DR, '--role', ROLE, '--idempotency-token', ''], '--idempotency-token ("") must not be empty'],
  ])('%j is refused (exit 2), sending nothing', async (args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(standIn.requests).toEqual([]);
  });
});

describe('list --copies', () => {
  const DR = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';

  test('every page of ListCopyJobs, with the filters', async () => {
    standIn.service.copies.createOtherVault(DR);
    standIn.service.copies.createOtherVault('arn:aws:backup:eu-west-1:123456789012:backup-vault:other');
    const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
    const copy = (destination: string) => standIn.service.copies.StartCopyJob({ RecoveryPointArn: rp, SourceBackupVaultName: 'pre-migration', DestinationBackupVaultArn: destination, IamRoleArn: ROLE }).CopyJobId as string;
    const ids = [copy(DR), copy(DR), copy(DR), copy('arn:aws:backup:eu-west-1:123456789012:backup-vault:other')];
    const run = await cli('list', '--copies', '--page-size', '2');
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trim().split('\n');
    expect(header).toMatch(/^COPY JOB ID +STATE +TYPE +CREATED +DESTINATION VAULT +COPY$/);
    expect(rows.map((r) => r.split(/ +/)[0]).sort()).toEqual([...ids].sort());
    expect(standIn.count('ListCopyJobs')).toBe(2);
    expect(run.stderr).toContain('4 copy jobs');

    const filtered = JSON.parse((await cli('--json', 'list', '--copies', '--destination-vault-arn', DR, '--source-recovery-point-arn', rp, '--state', 'CREATED', '--max-items', '2')).stdout);
    expect(filtered).toHaveLength(2);
    expect(filtered.every((j: any) => j.DestinationBackupVaultArn === DR && j.State === 'CREATED')).toBe(true);
  });

  test.each([
    [['list', '--copies', '--state', 'ABORTED'], '--state ("ABORTED") must be one of CREATED, RUNNING, COMPLETED, FAILED, PARTIAL (copy job states)'],
    [['list', '--copies', '--vault', 'pre-migration'], '--vault does not apply to --copies'],
    [['list', '--copies', '--before-removal'], '--before-removal does not apply to --copies'],
    [['list', '--copies', '--destination-vault-arn', 'dr'], '--destination-vault-arn ("dr") must be a backup vault ARN'],
    [['list', '--destination-vault-arn', 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr'], '--destination-vault-arn applies only with --copies'],
    [['list', '--copies', '--state', ''], '--state ("") must not be empty'],
  ])('%j is refused (exit 2), sending nothing', async (args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(standIn.requests).toEqual([]);
  });
});
