/**
 * The local AWS Backup stand-in, driven over HTTP by the real AWS SDK (and, as
 * an independent client, by the AWS CLI): it must accept what AWS accepts,
 * reject what the official model rejects, and move jobs like AWS Backup does.
 */
import { spawn } from 'child_process';
import {
  BackupClient,
  DeleteRecoveryPointCommand,
  DescribeBackupJobCommand,
  DescribeCopyJobCommand,
  ListCopyJobsCommand,
  paginateListCopyJobs,
  StartCopyJobCommand,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  ListBackupJobsCommand,
  paginateListBackupJobs,
  StartBackupJobCommand,
  StartRestoreJobCommand,
  StopBackupJobCommand,
} from '@aws-sdk/client-backup';
import { RUNNING_JOB_MESSAGE } from '../local/stand-in/backup-job-states';
import { BackupStandIn } from '../local/stand-in/server';
import { toolAvailable } from './fixtures/tools';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders';
const ROLE = 'arn:aws:iam::123456789012:role/backup';
const T0 = Date.parse('2026-11-22T10:00:00Z');

let standIn: BackupStandIn;
let now = T0;
let client: BackupClient;

beforeEach(async () => {
  now = T0;
  standIn = await BackupStandIn.start({ clock: { now: () => now } });
  standIn.service.createVault('pre-migration');
  process.env.AWS_ENDPOINT_URL_BACKUP = standIn.url;
  // No endpoint in the code: the SDK finds the stand-in through AWS_ENDPOINT_URL_BACKUP.
  client = new BackupClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
});

let rejected = 0;

afterEach(async () => {
  rejected += standIn.rejectedCount;
  client.destroy();
  await standIn.stop();
  delete process.env.AWS_ENDPOINT_URL_BACKUP;
});

afterAll(() => {
  process.stdout.write(`AWS Backup stand-in: ${rejected} requests rejected (by the API model or the service's rules) in these tests\n`);
});

function start(extra: Record<string, unknown> = {}) {
  return client.send(new StartBackupJobCommand({ BackupVaultName: 'pre-migration', ResourceArn: TABLE, IamRoleArn: ROLE, ...extra }));
}

const describe_ = (id: string) => client.send(new DescribeBackupJobCommand({ BackupJobId: id }));

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (e: any) {
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the request to fail');
}

describe('the job state machine', () => {
  test('CREATED → PENDING → RUNNING (progress) → COMPLETED, with a recovery point in the vault', async () => {
    const { BackupJobId, RecoveryPointArn, CreationDate } = await start();
    expect(CreationDate).toEqual(new Date(T0));
    expect(RecoveryPointArn).toMatch(/^arn:aws:backup:us-east-1:123456789012:recovery-point:/);

    expect((await describe_(BackupJobId!)).State).toBe('CREATED');
    now = T0 + 6_000;
    expect((await describe_(BackupJobId!)).State).toBe('PENDING');
    now = T0 + 40_000;
    const running = await describe_(BackupJobId!);
    expect(running).toMatchObject({ State: 'RUNNING', PercentDone: '50.0', ResourceType: 'DynamoDB' });
    expect(running.BytesTransferred).toBeGreaterThan(0);
    expect(standIn.service.backups.recoveryPointExists(RecoveryPointArn!)).toBe(true);

    now = T0 + 71_000;
    const done = await describe_(BackupJobId!);
    expect(done).toMatchObject({ State: 'COMPLETED', PercentDone: '100.0', BackupSizeInBytes: 5 * 1024 * 1024, MessageCategory: 'SUCCESS' });
    expect(done.CompletionDate).toEqual(new Date(T0 + 70_000));
  });

  test('the same idempotency token returns the same job', async () => {
    const a = await start({ IdempotencyToken: 'token-1' });
    const b = await start({ IdempotencyToken: 'token-1' });
    const c = await start({ IdempotencyToken: 'token-2' });
    expect(b.BackupJobId).toBe(a.BackupJobId);
    expect(b.RecoveryPointArn).toBe(a.RecoveryPointArn);
    expect(c.BackupJobId).not.toBe(a.BackupJobId);
  });

  test.each([
    ['FAILED', 'Insufficient privileges to perform this action.'],
    ['ABORTED', 'Backup job was aborted.'],
    ['PARTIAL', 'Some items could not be backed up.'],
  ] as const)('a scenario ends the job %s with its status message', async (outcome, statusMessage) => {
    standIn.service.backups.onNextJob(TABLE, { outcome, statusMessage });
    const { BackupJobId } = await start();
    now = T0 + 3_600_000;
    expect(await describe_(BackupJobId!)).toMatchObject({ State: outcome, StatusMessage: statusMessage });
  });

  test('COMPLETED with a status message', async () => {
    standIn.service.backups.onNextJob(TABLE, { statusMessage: 'Completed with issues' });
    const { BackupJobId } = await start();
    now = T0 + 3_600_000;
    expect(await describe_(BackupJobId!)).toMatchObject({ State: 'COMPLETED', StatusMessage: 'Completed with issues' });
  });

  test('a slow start waits in CREATED', async () => {
    standIn.service.backups.onNextJob(TABLE, { startDelaySeconds: 600 });
    const { BackupJobId } = await start();
    now = T0 + 300_000;
    expect((await describe_(BackupJobId!)).State).toBe('CREATED');
    now = T0 + 603_000;
    expect((await describe_(BackupJobId!)).State).toBe('PENDING');
  });

  test('one job per resource: a second job waits, and expires with the real message when the first outlasts its start window', async () => {
    standIn.service.backups.seedJob({ resourceArn: TABLE, scenario: { durationSeconds: 3 * 3600 } });
    const { BackupJobId } = await start({ StartWindowMinutes: 60 });
    now = T0 + 30 * 60_000;
    expect((await describe_(BackupJobId!)).State).toBe('CREATED');
    now = T0 + 61 * 60_000;
    expect(await describe_(BackupJobId!)).toMatchObject({ State: 'EXPIRED', StatusMessage: RUNNING_JOB_MESSAGE });
  });

  test('a second job starts at AWS Backup\'s next try (every 10 minutes) after the first ended within its start window', async () => {
    const first = standIn.service.backups.seedJob({ resourceArn: TABLE, scenario: { durationSeconds: 600 } });
    const { BackupJobId } = await start();
    now = T0 + 300_000;
    expect((await describe_(BackupJobId!)).State).toBe('CREATED');
    // The first ends at 610 s; the second tried at 5 s and 605 s, and tries again at 1205 s.
    now = T0 + 700_000;
    expect(standIn.service.backups.jobView(first).state).toBe('COMPLETED');
    expect((await describe_(BackupJobId!)).State).toBe('CREATED');
    now = T0 + 1_206_000;
    expect((await describe_(BackupJobId!)).State).toBe('PENDING');
  });

  test('the queue is first in, first out: a job created while another waits in CREATED waits for it, and one created after it was stopped does not', async () => {
    const holder = standIn.service.backups.seedJob({ resourceArn: TABLE, scenario: { durationSeconds: 300 } });
    const { BackupJobId: queued } = await start();
    // The holder ends at 305 s; the queued job's next try is at 605 s.
    now = T0 + 320_000;
    expect(standIn.service.backups.jobView(holder).state).toBe('COMPLETED');
    const { BackupJobId: behind } = await start({ IdempotencyToken: 'behind' });
    now = T0 + 321_000;
    await client.send(new StopBackupJobCommand({ BackupJobId: queued }));
    // Created while ours still waited: it joined the queue behind it, and tries next 10 minutes on.
    now = T0 + 600_000;
    expect((await describe_(behind!)).State).toBe('CREATED');
    // Created once every job ahead of it was stopped: it starts at its first try.
    await client.send(new StopBackupJobCommand({ BackupJobId: behind }));
    now = T0 + 601_000;
    const { BackupJobId: after } = await start({ IdempotencyToken: 'after' });
    now = T0 + 607_000;
    expect((await describe_(after!)).State).toBe('PENDING');
  });

  test('StopBackupJob aborts a running job; AWS Backup cannot stop an RDS job', async () => {
    const { BackupJobId } = await start();
    now = T0 + 20_000;
    await client.send(new StopBackupJobCommand({ BackupJobId }));
    expect((await describe_(BackupJobId!)).State).toBe('ABORTING');
    now = T0 + 23_000;
    expect(await describe_(BackupJobId!)).toMatchObject({ State: 'ABORTED', StatusMessage: 'Backup job was stopped by user.' });

    const rds = await start({ ResourceArn: 'arn:aws:rds:us-east-1:123456789012:db:orders' });
    expect(await errorOf(client.send(new StopBackupJobCommand({ BackupJobId: rds.BackupJobId })))).toMatchObject({
      name: 'InvalidRequestException', status: 400,
    });
  });
});

describe('recovery points and restores', () => {
  test('DeleteRecoveryPoint: refused while creating, done when complete, not found after', async () => {
    const { BackupJobId, RecoveryPointArn } = await start();
    now = T0 + 30_000;
    const del = () => client.send(new DeleteRecoveryPointCommand({ BackupVaultName: 'pre-migration', RecoveryPointArn }));
    expect(await errorOf(del())).toMatchObject({ name: 'InvalidResourceStateException' });
    now = T0 + 120_000;
    expect((await describe_(BackupJobId!)).State).toBe('COMPLETED');
    await del();
    expect(standIn.service.backups.recoveryPointExists(RecoveryPointArn!)).toBe(false);
    expect(await errorOf(del())).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
  });

  test('a restore of a completed recovery point: metadata, PENDING → RUNNING → COMPLETED with the new resource', async () => {
    const { RecoveryPointArn } = await start();
    now = T0 + 120_000;
    const metadata = await client.send(new GetRecoveryPointRestoreMetadataCommand({ BackupVaultName: 'pre-migration', RecoveryPointArn }));
    expect(metadata).toMatchObject({ ResourceType: 'DynamoDB', RestoreMetadata: { originalTableName: 'Orders' } });
    const { RestoreJobId } = await client.send(new StartRestoreJobCommand({
      RecoveryPointArn, Metadata: { ...metadata.RestoreMetadata, targetTableName: 'Orders-restored' }, IamRoleArn: ROLE,
    }));
    const status = async () => client.send(new DescribeRestoreJobCommand({ RestoreJobId }));
    expect((await status()).Status).toBe('PENDING');
    now += 30_000;
    expect((await status()).Status).toBe('RUNNING');
    now += 60_000;
    expect(await status()).toMatchObject({ Status: 'COMPLETED', CreatedResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders-restored' });
  });
});

describe('ListBackupJobs', () => {
  test('filters reach the service and pages follow maxResults and nextToken', async () => {
    const other = 'arn:aws:dynamodb:us-east-1:123456789012:table/Customers';
    for (let i = 0; i < 25; i++) standIn.service.backups.seedJob({ resourceArn: i % 5 === 0 ? other : TABLE, createdAt: T0 - i * 60_000, vaultName: 'pre-migration' });
    now = T0 + 24 * 3600_000;

    const firstPage = await client.send(new ListBackupJobsCommand({ ByResourceArn: TABLE, MaxResults: 7 }));
    expect(firstPage.BackupJobs).toHaveLength(7);
    expect(firstPage.NextToken).toBeDefined();

    const all = [];
    for await (const page of paginateListBackupJobs({ client, pageSize: 7 }, { ByResourceArn: TABLE, ByState: 'COMPLETED' })) {
      all.push(...page.BackupJobs!);
    }
    expect(all).toHaveLength(20);
    expect(all.every((j) => j.ResourceArn === TABLE && j.State === 'COMPLETED')).toBe(true);
    const dates = all.map((j) => j.CreationDate!.getTime());
    expect(dates).toEqual([...dates].sort((a, b) => b - a));

    const created = await client.send(new ListBackupJobsCommand({ ByCreatedAfter: new Date(T0 - 10 * 60_000), ByCreatedBefore: new Date(T0 - 60_000) }));
    expect(created.BackupJobs).toHaveLength(8);
    const byType = await client.send(new ListBackupJobsCommand({ ByResourceType: 'DynamoDB', ByBackupVaultName: 'Default' }));
    expect(byType.BackupJobs).toHaveLength(0);
    const query = standIn.requests.filter((r) => r.operation === 'ListBackupJobs').map((r) => Object.keys(r.input).sort());
    expect(query).toContainEqual(['ByCreatedAfter', 'ByCreatedBefore']);
  });

  test('a nextToken of another listing is refused', async () => {
    for (let i = 0; i < 3; i++) standIn.service.backups.seedJob({ resourceArn: TABLE });
    const { NextToken } = await client.send(new ListBackupJobsCommand({ MaxResults: 1 }));
    expect(await errorOf(client.send(new ListBackupJobsCommand({ ByState: 'FAILED', NextToken })))).toMatchObject({ name: 'InvalidParameterValueException' });
  });
});

describe('what the model rejects', () => {
  test.each([
    ['a vault name with a space', () => start({ BackupVaultName: 'bad name' }), 'InvalidParameterValueException', /failed to satisfy constraint: Member must satisfy regular expression pattern/],
    ['a missing required member', () => client.send(new StartBackupJobCommand({ BackupVaultName: 'pre-migration', ResourceArn: TABLE } as any)), 'MissingParameterValueException', /Missing required parameter IamRoleArn/],
    ['maxResults 0', () => client.send(new ListBackupJobsCommand({ MaxResults: 0 })), 'InvalidParameterValueException', /Member must have value greater than or equal to 1/],
    ['maxResults 1001', () => client.send(new ListBackupJobsCommand({ MaxResults: 1001 })), 'InvalidParameterValueException', /less than or equal to 1000/],
    ['an unknown state', () => client.send(new ListBackupJobsCommand({ ByState: 'DONE' as any })), 'InvalidParameterValueException', /enum value set/],
    ['an account id of 11 digits', () => client.send(new ListBackupJobsCommand({ ByAccountId: '12345678901' })), 'InvalidParameterValueException', /regular expression pattern: \^\[0-9\]\{12\}\$/],
    ['an Index outside the enum', () => start({ Index: 'ON' as any }), 'InvalidParameterValueException', /ENABLED, DISABLED/],
    ['a backup option with a space', () => start({ BackupOptions: { 'Windows VSS': 'enabled' } }), 'InvalidParameterValueException', /BackupOptions.key/],
  ])('%s', async (_what, call, name, message) => {
    const before = standIn.rejectedCount;
    const error = await errorOf(call());
    expect(error).toMatchObject({ name, status: 400 });
    expect(error.message).toMatch(message);
    expect(standIn.rejectedCount).toBe(before + 1);
  });

  test('the service rules beyond the model: vault, role, ARN, lifecycle, start window, options by type', async () => {
    expect(await errorOf(start({ BackupVaultName: 'missing-vault' }))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await errorOf(start({ IamRoleArn: 'not-a-role' }))).toMatchObject({ name: 'InvalidParameterValueException', message: 'Invalid ARN for IAM role: not-a-role' });
    expect(await errorOf(start({ ResourceArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await errorOf(start({ Lifecycle: { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 60 } }))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await errorOf(start({ StartWindowMinutes: 30 }))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await errorOf(start({ Index: 'ENABLED' }))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await errorOf(start({ BackupOptions: { WindowsVSS: 'enabled' } }))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await errorOf(describe_('no-such-job'))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('an unsigned request is refused', async () => {
    const res = await fetch(`${standIn.url}/backup-jobs/x`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException/);
  });
});

describe('injected failures', () => {
  test('throttling and 5xx answers carry the real error protocol, and the SDK retries them', async () => {
    const { BackupJobId } = await start();
    standIn.service.failNext('DescribeBackupJob', { error: 'ThrottlingException', count: 1 });
    standIn.service.failNext('DescribeBackupJob', { error: 'ServiceUnavailableException', count: 1 });
    await expect(describe_(BackupJobId!)).resolves.toMatchObject({ BackupJobId });
    expect(standIn.requests.filter((r) => r.operation === 'DescribeBackupJob').map((r) => r.error ?? r.status)).toEqual([
      'ThrottlingException', 'ServiceUnavailableException', 200,
    ]);

    standIn.service.failNext('DescribeBackupJob', { error: 'ServiceUnavailableException', count: 5 });
    const noRetry = new BackupClient({ region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(await errorOf(noRetry.send(new DescribeBackupJobCommand({ BackupJobId })))).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
    noRetry.destroy();
  });
});

const haveAwsCli = toolAvailable('aws', 'the cross-check of the stand-in with the AWS CLI', 'pip install awscli');

(haveAwsCli ? describe : describe.skip)('cross-check with the AWS CLI (botocore, an independent client)', () => {
  /** Runs the CLI asynchronously: the stand-in answers from this process's event loop. */
  function cli(...args: string[]): Promise<{ status: number | null; json?: any; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn('aws', ['backup', ...args, '--endpoint-url', standIn.url, '--region', 'us-east-1', '--output', 'json'], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ENDPOINT_URL_BACKUP: '' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (status) => resolve({ status, json: stdout.trim() ? JSON.parse(stdout) : undefined, stderr }));
    });
  }

  test('start-backup-job, describe-backup-job and list-backup-jobs read the stand-in\'s answers', async () => {
    const started = await cli('start-backup-job', '--backup-vault-name', 'pre-migration', '--resource-arn', TABLE, '--iam-role-arn', ROLE,
      '--lifecycle', 'DeleteAfterDays=35', '--idempotency-token', 'cli-token');
    expect(started.status).toBe(0);
    expect(started.json.BackupJobId).toMatch(/^[0-9A-F-]{36}$/);

    now = T0 + 120_000;
    const described = await cli('describe-backup-job', '--backup-job-id', started.json.BackupJobId);
    expect(described.status).toBe(0);
    expect(described.json).toMatchObject({ State: 'COMPLETED', ResourceArn: TABLE, RecoveryPointLifecycle: { DeleteAfterDays: 35 } });
    // CLI v1 prints the timestamp as it parsed it (epoch seconds), v2 as ISO 8601: both are the job's creation.
    const created = described.json.CreationDate;
    expect(new Date(typeof created === 'number' ? created * 1000 : created).getTime()).toBe(T0);

    const listed = await cli('list-backup-jobs', '--by-resource-arn', TABLE, '--by-state', 'COMPLETED');
    expect(listed.status).toBe(0);
    expect(listed.json.BackupJobs.map((j: any) => j.BackupJobId)).toEqual([started.json.BackupJobId]);
  });

  test('the CLI reports the stand-in\'s model errors like AWS errors', async () => {
    const bad = await cli('list-backup-jobs', '--by-account-id', '123', '--no-paginate');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/InvalidParameterValueException/);
  });
});

describe('copy jobs', () => {
  const DR = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';
  const west = () => new BackupClient({ region: 'us-west-2', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
  function completedPoint(): string {
    const id = standIn.service.backups.seedJob({ resourceArn: TABLE, vaultName: 'pre-migration', createdAt: now - 3600_000 });
    return standIn.service.backups.DescribeBackupJob({ BackupJobId: id }).RecoveryPointArn as string;
  }
  const start = (input: Record<string, unknown>) => client.send(new StartCopyJobCommand({
    RecoveryPointArn: completedPoint(), SourceBackupVaultName: 'pre-migration', DestinationBackupVaultArn: DR, IamRoleArn: ROLE, ...input,
  } as never));

  test('CREATED, RUNNING, COMPLETED: the copy lives in the destination\'s Region, found (and deleted) only there', async () => {
    standIn.service.copies.createOtherVault(DR);
    const { CopyJobId } = await start({ IdempotencyToken: 'once' });
    expect((await client.send(new DescribeCopyJobCommand({ CopyJobId }))).CopyJob!.State).toBe('CREATED');
    now += 10_000;
    expect((await client.send(new DescribeCopyJobCommand({ CopyJobId }))).CopyJob!.State).toBe('RUNNING');
    now += 60_000;
    const done = (await client.send(new DescribeCopyJobCommand({ CopyJobId }))).CopyJob!;
    expect(done).toMatchObject({ State: 'COMPLETED', DestinationBackupVaultArn: DR, ResourceType: 'DynamoDB', MessageCategory: 'SUCCESS' });
    expect(done.DestinationRecoveryPointArn).toMatch(/^arn:aws:backup:us-west-2:123456789012:recovery-point:/);
    // The same token, the same job.
    expect((await start({ IdempotencyToken: 'once' })).CopyJobId).toBe(CopyJobId);
    // Jobs are regional: another Region's client does not find it.
    await expect(west().send(new DescribeCopyJobCommand({ CopyJobId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // The copy is deleted from its own Region only.
    await expect(client.send(new DeleteRecoveryPointCommand({ BackupVaultName: 'dr', RecoveryPointArn: done.DestinationRecoveryPointArn }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await west().send(new DeleteRecoveryPointCommand({ BackupVaultName: 'dr', RecoveryPointArn: done.DestinationRecoveryPointArn }));
    expect(standIn.service.copies.copyRecords()[0].deleted).toBe(true);
  });

  test('what the model and the service refuse', async () => {
    await expect(client.send(new StartCopyJobCommand({ RecoveryPointArn: completedPoint(), SourceBackupVaultName: 'pre-migration', IamRoleArn: ROLE } as never)))
      .rejects.toMatchObject({ name: 'MissingParameterValueException' });
    await expect(start({ SourceBackupVaultName: 'x' })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(start({ DestinationBackupVaultArn: 'arn:aws:backup:us-west-2:123456789012:vault:dr' })).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Invalid ARN for destination backup vault') });
    await expect(start({ DestinationBackupVaultArn: standIn.service.createVault('pre-migration') })).rejects.toMatchObject({ message: 'The source and destination backup vaults must be different' });
    await expect(start({ DestinationBackupVaultArn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:nowhere' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(start({ Lifecycle: { MoveToColdStorageAfterDays: 10, DeleteAfterDays: 20 } })).rejects.toMatchObject({ message: expect.stringContaining('Invalid lifecycle') });
    await expect(start({ RecoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:NONE' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(client.send(new DescribeCopyJobCommand({ CopyJobId: 'NONE' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(client.send(new ListCopyJobsCommand({ NextToken: 'forged' }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    expect(standIn.service.copies.copyRecords()).toEqual([]);
  });

  test('another account\'s vault: the copy FAILS unless its access policy lets this account copy in; every page of ListCopyJobs', async () => {
    const other = 'arn:aws:backup:us-west-2:210987654321:backup-vault:dr';
    standIn.service.copies.createOtherVault(other);
    const denied = await start({ DestinationBackupVaultArn: other });
    now += 120_000;
    expect((await client.send(new DescribeCopyJobCommand({ CopyJobId: denied.CopyJobId }))).CopyJob).toMatchObject({ State: 'FAILED', StatusMessage: 'Access Denied trying to call AWS Backup service' });
    standIn.service.copies.createOtherVault(other, { allowCopyFrom: ['123456789012'] });
    for (let i = 0; i < 4; i++) await start({ DestinationBackupVaultArn: other });
    const ids: string[] = [];
    for await (const page of paginateListCopyJobs({ client, pageSize: 2 }, { ByDestinationVaultArn: other })) ids.push(...page.CopyJobs!.map((j) => j.CopyJobId!));
    expect(ids).toHaveLength(5);
    expect(standIn.count('ListCopyJobs')).toBe(3);
  });
});
