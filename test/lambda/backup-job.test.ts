import {
  BackupClient,
  DeleteRecoveryPointCommand,
  DescribeBackupJobCommand,
  ListBackupJobsCommand,
  ListTagsCommand,
  StartBackupJobCommand,
  StopBackupJobCommand,
} from '@aws-sdk/client-backup';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { isComplete, onEvent } from '../../lambda/jobs';
import { formatPhysicalId, parsePhysicalId } from '../../lambda/jobs/physical-id';
import { fingerprint, idempotencyToken } from '../../lib/core/properties';
import {
  backupJobProperties,
  buildCreateEvent,
  buildDeleteEvent,
  buildIsCompleteEvent,
  buildUpdateEvent,
  TABLE_ARN,
} from '../fixtures/events';

const backup = mockClient(BackupClient);
const cloudFormation = mockClient(CloudFormationClient);
const NOW = Date.parse('2026-11-22T10:00:00Z');
const JOB_ID = 'a827233a-d405-4a86-a440-759fa94f34dd';
const RECOVERY_POINT = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/backup/01732270800000-abcdef12';

let clock = NOW;
let logs: string[] = [];

beforeAll(() => {
  process.env.AWS_REGION = 'eu-west-1';
});

beforeEach(() => {
  backup.reset();
  cloudFormation.reset();
  // Unless a test says otherwise, CloudFormation cannot tell: the handlers wait without the check.
  cloudFormation.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $retryable: {} }));
  clock = NOW;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(line); });
  jest.spyOn(console, 'warn').mockImplementation((line: string) => { logs.push(line); });
  backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
  backup.on(StartBackupJobCommand).resolves({ BackupJobId: JOB_ID, RecoveryPointArn: RECOVERY_POINT, CreationDate: new Date(NOW) });
});

afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

function awsError(name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client'): Error {
  return Object.assign(new Error(`${name} from AWS Backup`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

function describes(job: Record<string, unknown>) {
  backup.on(DescribeBackupJobCommand).resolves({
    BackupJobId: JOB_ID,
    ResourceArn: TABLE_ARN,
    ResourceType: 'DynamoDB',
    RecoveryPointArn: RECOVERY_POINT,
    BackupVaultName: 'pre-migration',
    BackupVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:pre-migration',
    IamRoleArn: 'arn:aws:iam::123456789012:role/backup',
    CreationDate: new Date(NOW),
    ...job,
  });
}

async function created(properties = backupJobProperties()) {
  const request = buildCreateEvent(properties);
  const response = await onEvent(request);
  return { request, response, event: buildIsCompleteEvent(request, response) };
}

describe('Create', () => {
  test('starts the job with the properties and a token derived from the request', async () => {
    const { request, response } = await created(backupJobProperties({
      StartWindowMinutes: '120',
      CompleteWindowMinutes: '360',
      Lifecycle: { MoveToColdStorageAfterDays: '30', DeleteAfterDays: '365', OptInToArchiveForSupportedResources: 'true' },
      // The user's tags, and the owner tags that prove the recovery point this resource's.
      RecoveryPointTags: { 'purpose': 'pre-migration', 'cdk-backup-jobs:stack': 'App', 'cdk-backup-jobs:logical-id': 'PreMigrationSnapshot' },
      BackupOptions: { WindowsVSS: 'enabled' },
      Index: 'ENABLED',
      LogicallyAirGappedBackupVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:lag',
      Trigger: '0042',
    }));
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
    expect(backup.commandCalls(StartBackupJobCommand)[0].args[0].input).toEqual({
      BackupVaultName: 'pre-migration',
      ResourceArn: TABLE_ARN,
      IamRoleArn: 'arn:aws:iam::123456789012:role/backup',
      StartWindowMinutes: 120,
      CompleteWindowMinutes: 360,
      Lifecycle: { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 365, OptInToArchiveForSupportedResources: true },
      // The user's tags, and the owner tags that prove the recovery point this resource's.
      RecoveryPointTags: { 'purpose': 'pre-migration', 'cdk-backup-jobs:stack': 'App', 'cdk-backup-jobs:logical-id': 'PreMigrationSnapshot' },
      BackupOptions: { WindowsVSS: 'enabled' },
      Index: 'ENABLED',
      LogicallyAirGappedBackupVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:lag',
      IdempotencyToken: idempotencyToken(request),
    });
    expect(parsePhysicalId(response.PhysicalResourceId)).toEqual({
      prefix: 'backup-job',
      jobId: JOB_ID,
      fingerprint: fingerprint(request.ResourceProperties),
      tail: RECOVERY_POINT,
    });
    expect(response.Wait).toEqual({ mode: 'started', deadline: new Date(NOW + 1800_000).toISOString() });
    expect(response.Data).toBeUndefined();
  });

  test('starts the job at once, even on a resource another job holds, and notes the jobs it is queued behind', async () => {
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [
      { BackupJobId: 'plan-job', State: 'RUNNING', ResourceArn: TABLE_ARN },
      { BackupJobId: 'yesterday', State: 'COMPLETED', ResourceArn: TABLE_ARN },
      { BackupJobId: JOB_ID, State: 'CREATED', ResourceArn: TABLE_ARN },
    ] });
    const { response } = await created();
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
    // The physical id names our job from the start; the resource's jobs are listed after the start, in one listing.
    expect(backup.commandCalls(ListBackupJobsCommand).map((c) => c.args[0].input)).toEqual([{ ByResourceArn: TABLE_ARN, MaxResults: 1000 }]);
    expect(parsePhysicalId(response.PhysicalResourceId)).toMatchObject({ prefix: 'backup-job', jobId: JOB_ID });
    expect(response.Wait).toMatchObject({ mode: 'started', heldBy: ['plan-job'] });
  });

  test('a fire-and-forget job does not look at the resource\'s other jobs', async () => {
    await created(backupJobProperties({ WaitForCompletion: 'false' }));
    expect(backup.commandCalls(ListBackupJobsCommand)).toHaveLength(0);
  });

  test('a retried invocation of the same request uses the same token; another request another one', async () => {
    const request = buildCreateEvent();
    await onEvent(request);
    await onEvent(request);
    await onEvent(buildCreateEvent());
    const tokens = backup.commandCalls(StartBackupJobCommand).map((c) => c.args[0].input.IdempotencyToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(tokens[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('a rejected StartBackupJob fails the Create with AWS Backup\'s message', async () => {
    backup.on(StartBackupJobCommand).rejects(awsError('InvalidParameterValueException', 400));
    await expect(onEvent(buildCreateEvent())).rejects.toThrow('StartBackupJob failed: InvalidParameterValueException: InvalidParameterValueException from AWS Backup');
  });

  test('malformed properties fail with the property named', async () => {
    await expect(onEvent(buildCreateEvent(backupJobProperties({ StartWindowMinutes: 'sixty' })))).rejects.toThrow(
      'Property StartWindowMinutes must be a whole number (got "sixty")',
    );
    await expect(onEvent(buildCreateEvent(backupJobProperties({ IamRoleArn: undefined })))).rejects.toThrow('Property IamRoleArn is required');
  });
});

describe('isComplete maps every job state', () => {
  test.each(['CREATED', 'PENDING', 'RUNNING', 'ABORTING'])('%s is still running', async (State) => {
    const { event } = await created();
    describes({ State, PercentDone: '40.0' });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
  });

  test('COMPLETED completes with the job as string attributes', async () => {
    const { event } = await created();
    describes({ State: 'COMPLETED', BackupSizeInBytes: 36048, CompletionDate: new Date(NOW + 120_000) });
    await expect(isComplete(event)).resolves.toEqual({
      IsComplete: true,
      Data: {
        BackupJobId: JOB_ID,
        RecoveryPointArn: RECOVERY_POINT,
        State: 'COMPLETED',
        StatusMessage: '',
        BackupSizeInBytes: '36048',
        CreationDate: '2026-11-22T10:00:00.000Z',
        CompletionDate: '2026-11-22T10:02:00.000Z',
        BackupVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:pre-migration',
        ResourceType: 'DynamoDB',
        MessageCategory: '',
      },
    });
  });

  test('COMPLETED with a status message still completes (with the message as an attribute)', async () => {
    const { event } = await created();
    describes({ State: 'COMPLETED', StatusMessage: 'Some items were throttled and retried' });
    const result = await isComplete(event);
    expect(result).toMatchObject({ IsComplete: true, Data: { StatusMessage: 'Some items were throttled and retried' } });
  });

  test.each([
    ['FAILED', 'Insufficient privileges to perform this action.'],
    ['ABORTED', 'Backup job was stopped by user.'],
    ['EXPIRED', 'Backup job expired because it did not start within its start window.'],
  ])('%s fails with AWS Backup\'s status message', async (State, StatusMessage) => {
    const { event } = await created();
    describes({ State, StatusMessage });
    await expect(isComplete(event)).rejects.toThrow(`Backup job ${JOB_ID} of ${TABLE_ARN} ended ${State}: ${StatusMessage}`);
  });

  test('a failed job without a status message says so', async () => {
    const { event } = await created();
    describes({ State: 'FAILED' });
    await expect(isComplete(event)).rejects.toThrow('ended FAILED without a status message from AWS Backup');
  });

  test('PARTIAL fails unless allowPartial', async () => {
    const { event } = await created();
    describes({ State: 'PARTIAL', StatusMessage: 'Some files could not be backed up.' });
    await expect(isComplete(event)).rejects.toThrow('ended PARTIAL: Some files could not be backed up. (set allowPartial to accept a partial backup)');

    const allowed = await created(backupJobProperties({ AllowPartial: 'true' }));
    await expect(isComplete(allowed.event)).resolves.toMatchObject({ IsComplete: true, Data: { State: 'PARTIAL' } });
  });

  test('a state this handler does not know keeps the wait going', async () => {
    const { event } = await created();
    describes({ State: 'SOMETHING_NEW' });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
  });

  test('waitForCompletion false completes as soon as the job exists', async () => {
    const { event } = await created(backupJobProperties({ WaitForCompletion: 'false' }));
    describes({ State: 'CREATED' });
    await expect(isComplete(event)).resolves.toMatchObject({ IsComplete: true, Data: { State: 'CREATED', BackupSizeInBytes: '0', CompletionDate: '' } });
  });
});

describe('isComplete and time', () => {
  test('throttling and server errors while describing are retried at the next poll', async () => {
    const { event } = await created();
    backup.on(DescribeBackupJobCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .rejectsOnce(awsError('ServiceUnavailableException', 503))
      .rejectsOnce(awsError('LimitExceededException', 400))
      .resolves({ BackupJobId: JOB_ID, State: 'COMPLETED', ResourceArn: TABLE_ARN });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event)).resolves.toMatchObject({ IsComplete: true });
  });

  test('an error that is not transient fails the resource', async () => {
    const { event } = await created();
    backup.on(DescribeBackupJobCommand).rejects(awsError('AccessDeniedException', 403));
    await expect(isComplete(event)).rejects.toThrow(`DescribeBackupJob of ${JOB_ID} failed: AccessDeniedException: AccessDeniedException from AWS Backup`);
  });

  test('a job still running at the timeout fails the resource with its progress', async () => {
    const { event } = await created();
    describes({ State: 'RUNNING', PercentDone: '40.0' });
    clock = NOW + 1799_000;
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    clock = NOW + 1800_000;
    backup.on(StopBackupJobCommand).resolves({});
    await expect(isComplete(event)).rejects.toThrow(`Timed out after 30 minutes waiting for backup job ${JOB_ID} of ${TABLE_ARN} (still RUNNING, 40.0% done); it was stopped`);
    // Stopped before the failure is reported: a failed Update's rollback never names this job again.
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input)).toEqual([{ BackupJobId: JOB_ID }]);
  });

  test('throttling at the timeout ends the wait too', async () => {
    const { event } = await created();
    backup.on(DescribeBackupJobCommand).rejects(awsError('ThrottlingException', 400));
    clock = NOW + 1800_000;
    await expect(isComplete(event)).rejects.toThrow(/Timed out after 30 minutes .* the last attempt failed with ThrottlingException/);
  });
});

describe('a job queued behind another job on the resource', () => {
  test('CREATED keeps the wait going; the other job is never described', async () => {
    const { event } = await created();
    describes({ State: 'CREATED' });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(DescribeBackupJobCommand).map((c) => c.args[0].input.BackupJobId)).toEqual([JOB_ID]);
  });

  test('still CREATED at the timeout: it is stopped (it would start behind the failed deploy) and the failure says why it waited', async () => {
    const { event } = await created();
    describes({ State: 'CREATED' });
    backup.on(StopBackupJobCommand).resolves({});
    clock = NOW + 1800_000;
    await expect(isComplete(event)).rejects.toThrow(
      `Timed out after 30 minutes waiting for backup job ${JOB_ID} of ${TABLE_ARN} (still CREATED; a job waits in CREATED while another job holds the resource (AWS Backup runs one job per resource at a time)); it was stopped`,
    );
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input)).toEqual([{ BackupJobId: JOB_ID }]);
  });

  test('a type AWS Backup cannot stop is not stopped at the timeout, and the failure says it runs to its end', async () => {
    const rdsArn = 'arn:aws:rds:eu-west-1:123456789012:db:orders';
    const { event } = await created(backupJobProperties({ ResourceType: 'RDS', ResourceArn: rdsArn }));
    describes({ State: 'RUNNING', ResourceArn: rdsArn, ResourceType: 'RDS' });
    clock = NOW + 1800_000;
    await expect(isComplete(event)).rejects.toThrow('AWS Backup cannot stop RDS jobs: it runs to its end');
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
  });

  test('a PARTIAL job has its recovery point deleted under DESTROY before the failure', async () => {
    const { event } = await created(backupJobProperties({ RemovalPolicy: 'destroy' }));
    describes({ State: 'PARTIAL' });
    backup.on(DeleteRecoveryPointCommand).resolves({});
    await expect(isComplete(event)).rejects.toThrow(/ended PARTIAL/);
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input)).toEqual([
      { BackupVaultName: 'pre-migration', RecoveryPointArn: RECOVERY_POINT },
    ]);
  });

  test('... and kept under RETAIN', async () => {
    const { event } = await created();
    describes({ State: 'PARTIAL' });
    await expect(isComplete(event)).rejects.toThrow(/ended PARTIAL/);
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
  });
});

describe('Update', () => {
  async function current(properties = backupJobProperties()) {
    return formatPhysicalId({ prefix: 'backup-job', jobId: 'old-job', fingerprint: fingerprint(properties), tail: 'arn:old-rp' });
  }

  test('a changed trigger starts a new job under a new physical id', async () => {
    const oldProperties = backupJobProperties({ Trigger: '0001' });
    const newProperties = backupJobProperties({ Trigger: '0002' });
    const physicalId = await current(oldProperties);
    const response = await onEvent(buildUpdateEvent(physicalId, newProperties, oldProperties));
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
    expect(response.PhysicalResourceId).not.toBe(physicalId);
    expect(parsePhysicalId(response.PhysicalResourceId)).toMatchObject({ prefix: 'backup-job', jobId: JOB_ID });
  });

  test('a change to how the handler waits alone takes no new backup', async () => {
    const oldProperties = backupJobProperties({ TimeoutSeconds: '1800' });
    const newProperties = backupJobProperties({ TimeoutSeconds: '3000', WaitForCompletion: 'false', AllowPartial: 'true', RemovalPolicy: 'destroy', ServiceToken: 'other' });
    const physicalId = await current(oldProperties);
    const request = buildUpdateEvent(physicalId, newProperties, oldProperties);
    const response = await onEvent(request);
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
    expect(response).toEqual({ PhysicalResourceId: physicalId, Wait: { mode: 'unchanged' } });

    describes({ BackupJobId: 'old-job', State: 'COMPLETED', RecoveryPointArn: 'arn:old-rp' });
    await expect(isComplete(buildIsCompleteEvent(request, response))).resolves.toMatchObject({
      IsComplete: true, Data: { BackupJobId: 'old-job', RecoveryPointArn: 'arn:old-rp' },
    });
  });

  test('a rollback to the properties of the current job takes no new backup, even when AWS has forgotten the job', async () => {
    const rolledBackTo = backupJobProperties({ Trigger: '0001' });
    const failedUpdate = backupJobProperties({ Trigger: '0002' });
    const physicalId = await current(rolledBackTo);
    const request = buildUpdateEvent(physicalId, rolledBackTo, failedUpdate);
    const response = await onEvent(request);
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);

    backup.on(DescribeBackupJobCommand).rejects(awsError('ResourceNotFoundException', 404));
    await expect(isComplete(buildIsCompleteEvent(request, response))).resolves.toEqual({
      IsComplete: true,
      Data: {
        BackupJobId: 'old-job',
        RecoveryPointArn: 'arn:old-rp',
        State: '',
        StatusMessage: '',
        BackupSizeInBytes: '0',
        CreationDate: '',
        CompletionDate: '',
        BackupVaultArn: '',
        ResourceType: 'DynamoDB',
        MessageCategory: '',
      },
    });
  });
});

describe('Delete', () => {
  const started = (properties = backupJobProperties()) =>
    formatPhysicalId({ prefix: 'backup-job', jobId: JOB_ID, fingerprint: fingerprint(properties), tail: RECOVERY_POINT });

  async function deleted(properties = backupJobProperties(), physicalId = started(properties)) {
    const request = buildDeleteEvent(physicalId, properties);
    const response = await onEvent(request);
    expect(response.PhysicalResourceId).toBe(physicalId);
    await expect(isComplete(buildIsCompleteEvent(request, response))).resolves.toEqual({ IsComplete: true });
  }

  test('RETAIN leaves a completed backup alone', async () => {
    describes({ State: 'COMPLETED' });
    await deleted();
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
  });

  test('DESTROY deletes the recovery point', async () => {
    describes({ State: 'COMPLETED' });
    backup.on(DeleteRecoveryPointCommand).resolves({});
    await deleted(backupJobProperties({ RemovalPolicy: 'destroy' }));
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input)).toEqual([
      { BackupVaultName: 'pre-migration', RecoveryPointArn: RECOVERY_POINT },
    ]);
  });

  test('DESTROY of a recovery point that is already gone succeeds', async () => {
    describes({ State: 'COMPLETED' });
    backup.on(DeleteRecoveryPointCommand).rejects(awsError('ResourceNotFoundException', 404));
    await deleted(backupJobProperties({ RemovalPolicy: 'destroy' }));
  });

  test('DESTROY still finds the recovery point when AWS has forgotten the job', async () => {
    backup.on(DescribeBackupJobCommand).rejects(awsError('ResourceNotFoundException', 404));
    backup.on(DeleteRecoveryPointCommand).resolves({});
    await deleted(backupJobProperties({ RemovalPolicy: 'destroy' }));
    expect(backup.commandCalls(DeleteRecoveryPointCommand)[0].args[0].input).toEqual({ BackupVaultName: 'pre-migration', RecoveryPointArn: RECOVERY_POINT });
  });

  test.each([
    ['AccessDeniedException', 403],
    ['ValidationException', 400],
  ])('DESTROY deletes nothing when the job cannot be described (%s): only a job AWS Backup no longer knows falls back to the physical id', async (name, status) => {
    backup.on(DescribeBackupJobCommand).rejects(awsError(name, status));
    backup.on(DeleteRecoveryPointCommand).resolves({});
    await deleted(backupJobProperties({ RemovalPolicy: 'destroy' }));
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
  });

  test('DESTROY under throttling: nothing is deleted until the job is described; the Delete waits and tries again', async () => {
    backup.on(DescribeBackupJobCommand).rejects(awsError('ThrottlingException', 400));
    backup.on(DeleteRecoveryPointCommand).resolves({});
    const properties = backupJobProperties({ RemovalPolicy: 'destroy' });
    const request = buildDeleteEvent(started(properties), properties);
    const response = await onEvent(request);
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
    expect(response.Wait).toMatchObject({ mode: 'deleting', blockingJobIds: [JOB_ID] });
    describes({ State: 'COMPLETED' });
    await expect(isComplete(buildIsCompleteEvent(request, response))).resolves.toEqual({ IsComplete: true });
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input.RecoveryPointArn)).toEqual([RECOVERY_POINT]);
  });

  test('a job still running at Delete (a rollback) is stopped', async () => {
    describes({ State: 'RUNNING' });
    backup.on(StopBackupJobCommand).resolves({});
    await deleted();
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input)).toEqual([{ BackupJobId: JOB_ID }]);
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
  });

  test('a fire-and-forget job under RETAIN is left to finish', async () => {
    describes({ State: 'RUNNING' });
    await deleted(backupJobProperties({ WaitForCompletion: 'false' }));
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
  });

  test('a running job of a type AWS Backup cannot stop is not stopped', async () => {
    describes({ State: 'RUNNING', ResourceType: 'RDS' });
    await deleted(backupJobProperties({ ResourceType: 'RDS', ResourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders' }));
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
  });

  test('never fails because of the backup', async () => {
    describes({ State: 'RUNNING' });
    backup.on(StopBackupJobCommand).rejects(awsError('AccessDeniedException', 403));
    backup.on(DeleteRecoveryPointCommand).rejects(awsError('InvalidResourceStateException', 400));
    await deleted(backupJobProperties({ RemovalPolicy: 'destroy' }));
  });

  test('never hangs: a stalled clean-up is given up after its budget', async () => {
    jest.useFakeTimers({ doNotFake: ['Date', 'nextTick', 'setImmediate', 'queueMicrotask'] });
    backup.on(DescribeBackupJobCommand).callsFake(() => new Promise(() => undefined));
    const request = buildDeleteEvent(started(), backupJobProperties({ RemovalPolicy: 'destroy' }));
    const answer = onEvent(request);
    await jest.advanceTimersByTimeAsync(60_000);
    await expect(answer).resolves.toMatchObject({ PhysicalResourceId: request.PhysicalResourceId });
  });

  test('an id that names no job (the framework\'s marker of a failed Create) needs nothing when the Create started none', async () => {
    await deleted(backupJobProperties(), 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
    // It looks for a job the Create may have started (none here); nothing is touched.
    expect(backup.calls().map((c) => c.args[0].constructor.name)).toEqual(['ListBackupJobsCommand']);
  });
});

describe('hygiene', () => {
  test('an unknown request type is an error', async () => {
    await expect(onEvent({ ...buildCreateEvent(), RequestType: 'Replace' } as any)).rejects.toThrow('Unknown RequestType Replace');
  });

  test('logs never carry the presigned ResponseURL or recovery point tag values', async () => {
    const { event } = await created(backupJobProperties({ RecoveryPointTags: { owner: 'secret-team-value' } }));
    describes({ State: 'COMPLETED' });
    await isComplete({ ...event, ResponseURL: 'https://example.com/?X-Amz-Signature=secret' });
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain('X-Amz-Signature');
    expect(all).not.toContain('secret-team-value');
  });
});

/** Recovery points AWS Backup holds the tags of: one this resource's start tagged, and someone else's. */
const OUR_POINT = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:OURS';
const THEIR_POINT = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:THEIRS';

/** ListTags: the owner tags on OUR_POINT, a colleague's on THEIR_POINT, and an error for any other ARN (not an arn:aws:backup one). */
function tagged(): void {
  backup.on(ListTagsCommand).rejects(awsError('InvalidParameterValueException', 400));
  backup.on(ListTagsCommand, { ResourceArn: OUR_POINT }).resolves({ Tags: { 'cdk-backup-jobs:stack': 'App', 'cdk-backup-jobs:logical-id': 'PreMigrationSnapshot' } });
  backup.on(ListTagsCommand, { ResourceArn: THEIR_POINT }).resolves({ Tags: { owner: 'colleague' } });
}

describe('the handlers act only on what is theirs, and find what a Create left behind', () => {
  const ours = { ResourceArn: TABLE_ARN, BackupVaultName: 'pre-migration', IamRoleArn: 'arn:aws:iam::123456789012:role/backup' };
  const listed = (jobs: Record<string, unknown>[]) => backup.on(ListBackupJobsCommand).resolves({ BackupJobs: jobs as any });

  test('a Delete with a physical id CloudFormation made up stops the job this resource started, and only that one: its recovery point carries the resource\'s owner tags', async () => {
    listed([
      { ...ours, BackupJobId: JOB_ID, State: 'RUNNING', RecoveryPointArn: OUR_POINT },
      { ...ours, BackupJobId: 'plan-job', State: 'RUNNING', CreatedBy: { BackupPlanId: 'nightly' } },
      { ...ours, BackupJobId: 'other-role', State: 'RUNNING', IamRoleArn: 'arn:aws:iam::123456789012:role/someone-else' },
      // Another request's job of the same resource, vault and role, ended before this Create waited.
      { ...ours, BackupJobId: 'earlier', State: 'COMPLETED', CompletionDate: new Date(NOW - 10 * 60_000), RecoveryPointArn: 'arn:earlier' },
      // Someone's CLI backup of the same resource, vault and role, running now: not tagged by this resource.
      { ...ours, BackupJobId: 'colleague', State: 'RUNNING', RecoveryPointArn: THEIR_POINT },
      // One whose recovery point's tags AWS Backup cannot read (not an arn:aws:backup one): nothing proves it ours.
      { ...ours, BackupJobId: 'untaggable', State: 'RUNNING', RecoveryPointArn: RECOVERY_POINT },
    ]);
    tagged();
    backup.on(StopBackupJobCommand).resolves({});
    const response = await onEvent(buildDeleteEvent('App-PreMigrationSnapshot-1A2B3C4D5E6F', backupJobProperties({ RemovalPolicy: 'destroy' })));
    expect(response).toMatchObject({ PhysicalResourceId: 'App-PreMigrationSnapshot-1A2B3C4D5E6F', Wait: { mode: 'deleted' } });
    const list = backup.commandCalls(ListBackupJobsCommand)[0].args[0].input;
    expect(list).toMatchObject({ ByResourceArn: TABLE_ARN, ByBackupVaultName: 'pre-migration' });
    // It looks back as far as the longest wait of this resource (its timeout) and a margin.
    expect(NOW - list.ByCreatedAfter!.getTime()).toBe((1800 + 15 * 60) * 1000);
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input.BackupJobId)).toEqual([JOB_ID]);
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input)).toEqual([{ BackupVaultName: 'pre-migration', RecoveryPointArn: OUR_POINT }]);
  });

  test('a Delete with a physical id CloudFormation made up waits while the job it finds is queued (its tags not readable yet), then stops and deletes it once it runs and is proven this resource\'s', async () => {
    const queued = { ...ours, BackupJobId: JOB_ID, State: 'CREATED', RecoveryPointArn: OUR_POINT };
    listed([queued]);
    // A queued job's recovery point is not made yet: AWS Backup cannot read its tags.
    backup.on(ListTagsCommand).rejects(awsError('ResourceNotFoundException', 400));
    backup.on(StopBackupJobCommand).resolves({});
    backup.on(DeleteRecoveryPointCommand).resolves({});
    const request = buildDeleteEvent('App-PreMigrationSnapshot-1A2B3C4D5E6F', backupJobProperties({ RemovalPolicy: 'destroy' }));
    const response = await onEvent(request);
    expect(response).toMatchObject({ Wait: { mode: 'deleting', blockingJobIds: [JOB_ID] } });
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);

    backup.on(DescribeBackupJobCommand, { BackupJobId: JOB_ID }).resolves(queued as any);
    await expect(isComplete(buildIsCompleteEvent(request, response))).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);

    // It runs now: its tags name this resource.
    backup.on(DescribeBackupJobCommand, { BackupJobId: JOB_ID }).resolves({ ...queued, State: 'RUNNING' } as any);
    tagged();
    await expect(isComplete(buildIsCompleteEvent(request, response))).resolves.toEqual({ IsComplete: true });
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input.BackupJobId)).toEqual([JOB_ID]);
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input.RecoveryPointArn)).toEqual([OUR_POINT]);
  });

  test('a queued job found by its description that runs as someone else\'s is left alone, and the Delete ends', async () => {
    const queued = { ...ours, BackupJobId: 'colleague', State: 'CREATED', RecoveryPointArn: THEIR_POINT };
    listed([queued]);
    backup.on(ListTagsCommand).rejects(awsError('ResourceNotFoundException', 400));
    const request = buildDeleteEvent('App-PreMigrationSnapshot-1A2B3C4D5E6F', backupJobProperties({ RemovalPolicy: 'destroy' }));
    const response = await onEvent(request);
    expect(response).toMatchObject({ Wait: { mode: 'deleting', blockingJobIds: ['colleague'] } });
    backup.on(DescribeBackupJobCommand, { BackupJobId: 'colleague' }).resolves({ ...queued, State: 'RUNNING' } as any);
    tagged();
    await expect(isComplete(buildIsCompleteEvent(request, response))).resolves.toEqual({ IsComplete: true });
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
  });

  test('a Delete naming a job that is not this resource\'s (a backup plan\'s) stops and deletes nothing', async () => {
    describes({ State: 'RUNNING', CreatedBy: { BackupPlanId: 'nightly' } });
    const physicalId = formatPhysicalId({ prefix: 'backup-job', jobId: JOB_ID, fingerprint: 'f'.repeat(16), tail: RECOVERY_POINT });
    await onEvent(buildDeleteEvent(physicalId, backupJobProperties({ RemovalPolicy: 'destroy' })));
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
  });

  test.each([
    ['another vault', { BackupVaultName: 'elsewhere' }],
    ['another role', { IamRoleArn: 'arn:aws:iam::123456789012:role/other' }],
    ['another resource', { ResourceArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Other' }],
  ])('a job of %s is left alone', async (_what, difference) => {
    describes({ State: 'COMPLETED', ...difference });
    const physicalId = formatPhysicalId({ prefix: 'backup-job', jobId: JOB_ID, fingerprint: 'f'.repeat(16), tail: RECOVERY_POINT });
    await onEvent(buildDeleteEvent(physicalId, backupJobProperties({ RemovalPolicy: 'destroy' })));
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
  });

  test('a retried Create while its own job runs gets that job back through the same token', async () => {
    const event = buildCreateEvent();
    const first = await onEvent(event);
    const second = await onEvent(event);
    expect(second!.PhysicalResourceId).toBe(first!.PhysicalResourceId);
    expect(parsePhysicalId(second!.PhysicalResourceId)).toMatchObject({ prefix: 'backup-job', jobId: JOB_ID });
    const tokens = backup.commandCalls(StartBackupJobCommand).map((c) => c.args[0].input.IdempotencyToken);
    expect(tokens).toEqual([idempotencyToken(event), idempotencyToken(event)]);
  });

  test('DESTROY of a job AWS Backup cannot stop: the Delete waits for it, then deletes its recovery point', async () => {
    const rds = backupJobProperties({ RemovalPolicy: 'destroy', ResourceType: 'RDS', ResourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders' });
    const rdsOwner = { ...ours, ResourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders' };
    backup.on(DescribeBackupJobCommand).resolves({ ...rdsOwner, BackupJobId: JOB_ID, State: 'RUNNING', RecoveryPointArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-1' });
    const physicalId = formatPhysicalId({ prefix: 'backup-job', jobId: JOB_ID, fingerprint: 'f'.repeat(16), tail: '' });
    const request = buildDeleteEvent(physicalId, rds);
    const response = await onEvent(request);
    expect(response).toMatchObject({ Wait: { mode: 'deleting', blockingJobIds: [JOB_ID] } });
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
    expect(await isComplete(buildIsCompleteEvent(request, response as any))).toEqual({ IsComplete: false });
    backup.on(DescribeBackupJobCommand).resolves({ ...rdsOwner, BackupJobId: JOB_ID, State: 'COMPLETED', RecoveryPointArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-1' });
    expect(await isComplete(buildIsCompleteEvent(request, response as any))).toEqual({ IsComplete: true });
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input.RecoveryPointArn)).toEqual(['arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-1']);
  });

  test('... and at the end of the timeout it answers, the recovery point left and named in the log', async () => {
    const rds = backupJobProperties({ RemovalPolicy: 'destroy', ResourceType: 'RDS', ResourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders' });
    backup.on(DescribeBackupJobCommand).resolves({ ...ours, ResourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders', BackupJobId: JOB_ID, State: 'RUNNING', RecoveryPointArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-1' });
    const request = buildDeleteEvent(formatPhysicalId({ prefix: 'backup-job', jobId: JOB_ID, fingerprint: 'f'.repeat(16), tail: '' }), rds);
    const response = await onEvent(request);
    clock += 1801 * 1000;
    expect(await isComplete(buildIsCompleteEvent(request, response as any))).toEqual({ IsComplete: true });
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
    expect(logs.some((l) => l.includes('arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-1'))).toBe(true);
  });
});

describe('a rollback\'s Update back to the current job', () => {
  const ours = { ResourceArn: TABLE_ARN, BackupVaultName: 'pre-migration', IamRoleArn: 'arn:aws:iam::123456789012:role/backup' };
  const current = formatPhysicalId({ prefix: 'backup-job', jobId: 'current-job', fingerprint: fingerprint(backupJobProperties({ Trigger: '1', RemovalPolicy: 'destroy' })), tail: 'arn:current' });
  const rollback = () => buildUpdateEvent(current, backupJobProperties({ Trigger: '1', RemovalPolicy: 'destroy' }), backupJobProperties({ Trigger: '2', RemovalPolicy: 'destroy' }));

  test('stops the job of the abandoned request (queued or running) and deletes its recovery point; the current job and a plan\'s are left alone', async () => {
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [
      { ...ours, BackupJobId: 'current-job', State: 'COMPLETED', CompletionDate: new Date(NOW - 1000), RecoveryPointArn: 'arn:current' },
      { ...ours, BackupJobId: JOB_ID, State: 'CREATED', RecoveryPointArn: OUR_POINT },
      { ...ours, BackupJobId: 'plan-job', State: 'RUNNING', CreatedBy: { BackupPlanId: 'nightly' } },
      { ...ours, BackupJobId: 'colleague', State: 'RUNNING', RecoveryPointArn: THEIR_POINT },
    ] as any });
    tagged();
    backup.on(StopBackupJobCommand).resolves({});
    backup.on(DeleteRecoveryPointCommand).resolves({});
    const request = rollback();
    const response = await onEvent(request);
    expect(response).toMatchObject({ PhysicalResourceId: current, Wait: { mode: 'unchanged' } });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input.BackupJobId)).toEqual([JOB_ID]);
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input.RecoveryPointArn)).toEqual([OUR_POINT]);
  });

  test('a DESTROY job AWS Backup cannot stop whose recovery point\'s tags AWS Backup cannot read (an RDS snapshot) is not proven ours: left alone, and the current job answered', async () => {
    const rdsArn = 'arn:aws:rds:eu-west-1:123456789012:db:orders';
    const rds = (trigger: string) => backupJobProperties({ Trigger: trigger, RemovalPolicy: 'destroy', ResourceType: 'RDS', ResourceArn: rdsArn });
    const physicalId = formatPhysicalId({ prefix: 'backup-job', jobId: 'current-job', fingerprint: fingerprint(rds('1')), tail: 'arn:current' });
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [{ ...ours, ResourceArn: rdsArn, BackupJobId: JOB_ID, State: 'RUNNING', RecoveryPointArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-2' }] as any });
    tagged();
    const response = await onEvent(buildUpdateEvent(physicalId, rds('1'), rds('2')));
    expect(response).toMatchObject({ Wait: { mode: 'unchanged' } });
    expect(response.Wait).not.toHaveProperty('blockingJobIds');
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
  });

  test('a DESTROY job AWS Backup cannot stop is waited for, then its recovery point deleted, and the current job answered', async () => {
    const rdsArn = 'arn:aws:rds:eu-west-1:123456789012:db:orders';
    const rds = (trigger: string) => backupJobProperties({ Trigger: trigger, RemovalPolicy: 'destroy', ResourceType: 'RDS', ResourceArn: rdsArn });
    const physicalId = formatPhysicalId({ prefix: 'backup-job', jobId: 'current-job', fingerprint: fingerprint(rds('1')), tail: 'arn:current' });
    // An Aurora-like job whose recovery point is AWS Backup's own (its tags readable, as this resource's start set them).
    const abandonedJob = { ...ours, ResourceArn: rdsArn, BackupJobId: JOB_ID, State: 'RUNNING', RecoveryPointArn: OUR_POINT };
    tagged();
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [abandonedJob] as any });
    backup.on(DescribeBackupJobCommand, { BackupJobId: JOB_ID }).resolves(abandonedJob as any);
    backup.on(DescribeBackupJobCommand, { BackupJobId: 'current-job' }).resolves({ ...ours, ResourceArn: rdsArn, BackupJobId: 'current-job', State: 'COMPLETED', RecoveryPointArn: 'arn:current' } as any);
    backup.on(DeleteRecoveryPointCommand).resolves({});
    const request = buildUpdateEvent(physicalId, rds('1'), rds('2'));
    const response = await onEvent(request);
    expect(response).toMatchObject({ Wait: { mode: 'unchanged', blockingJobIds: [JOB_ID] } });
    const event = buildIsCompleteEvent(request, response as any);
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
    backup.on(DescribeBackupJobCommand, { BackupJobId: JOB_ID }).resolves({ ...abandonedJob, State: 'COMPLETED' } as any);
    await expect(isComplete(event)).resolves.toMatchObject({ IsComplete: true, Data: { BackupJobId: 'current-job' } });
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input.RecoveryPointArn)).toEqual([abandonedJob.RecoveryPointArn]);
  });
});

describe('nothing starts after CloudFormation stopped waiting', () => {
  const ours = { ResourceArn: TABLE_ARN, BackupVaultName: 'pre-migration', IamRoleArn: 'arn:aws:iam::123456789012:role/backup' };
  const BEGAN = new Date(NOW - 1000);
  const shows = (status: string, lastUpdated: Date, physicalId?: string) => cloudFormation.on(DescribeStackResourceCommand).resolves({
    StackResourceDetail: { LogicalResourceId: 'PreMigrationSnapshot', ResourceType: 'Custom::BackupJob', ResourceStatus: status as any, LastUpdatedTimestamp: lastUpdated, PhysicalResourceId: physicalId },
  });

  test('onEvent records the resource as CloudFormation shows it when the request begins', async () => {
    shows('CREATE_IN_PROGRESS', BEGAN);
    const response = await onEvent(buildCreateEvent());
    expect(response).toMatchObject({ Wait: { mode: 'started', watch: { status: 'CREATE_IN_PROGRESS', lastUpdated: BEGAN.toISOString() } } });
    expect(cloudFormation.commandCalls(DescribeStackResourceCommand)[0].args[0].input).toEqual({
      StackName: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/App/5b0b4e10-0000-0000-0000-000000000000', LogicalResourceId: 'PreMigrationSnapshot',
    });
  });

  test('a delivery of a request CloudFormation no longer waits for starts nothing', async () => {
    shows('CREATE_FAILED', BEGAN);
    await expect(onEvent(buildCreateEvent())).rejects.toThrow('CloudFormation no longer waits for this Create of PreMigrationSnapshot (the resource is CREATE_FAILED); no backup was started');
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  });

  test('a queued job (CREATED behind another job) whose Create CloudFormation gave up on is stopped by its waiter', async () => {
    shows('CREATE_IN_PROGRESS', BEGAN);
    const request = buildCreateEvent(backupJobProperties({ RemovalPolicy: 'destroy' }));
    const response = await onEvent(request);
    backup.on(DescribeBackupJobCommand, { BackupJobId: JOB_ID }).resolves({ BackupJobId: JOB_ID, State: 'CREATED', ...ours });
    backup.on(StopBackupJobCommand).resolves({});
    shows('DELETE_IN_PROGRESS', new Date(NOW + 5_000), 'App-PreMigrationSnapshot-1A2B3C4D5E6F');
    clock = Math.ceil(NOW / 60_000) * 60_000 + 1_000; // a checking poll
    await expect(isComplete(buildIsCompleteEvent(request, response as any))).rejects.toThrow(
      /CloudFormation no longer waits for this request \(the resource is DELETE_IN_PROGRESS\); backup job .* was cleaned up/,
    );
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input.BackupJobId)).toEqual([JOB_ID]);
  });

  test('a running job whose request CloudFormation rolled back is stopped by its waiter (about once a minute it asks)', async () => {
    shows('UPDATE_IN_PROGRESS', BEGAN);
    const old = formatPhysicalId({ prefix: 'backup-job', jobId: 'old-job', fingerprint: 'f'.repeat(16), tail: 'arn:old' });
    const request = buildUpdateEvent(old, backupJobProperties({ Trigger: '2' }), backupJobProperties({ Trigger: '1' }));
    const response = await onEvent(request);
    const event = buildIsCompleteEvent(request, response as any);
    backup.on(DescribeBackupJobCommand).resolves({ BackupJobId: JOB_ID, State: 'RUNNING', ...ours });
    backup.on(StopBackupJobCommand).resolves({});
    // The rollback's Update put the old job back.
    shows('UPDATE_COMPLETE', new Date(NOW + 5_000), old);
    clock = Math.ceil(NOW / 60_000) * 60_000 + 30_000; // not a checking poll
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    clock += 35_000; // the next minute's first poll asks
    await expect(isComplete(event)).rejects.toThrow(/CloudFormation no longer waits for this request \(the resource is UPDATE_COMPLETE\)/);
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input.BackupJobId)).toEqual([JOB_ID]);
  });

  test('a second waiter of the same request, after the first answered with the same job, goes on to the same answer', async () => {
    shows('CREATE_IN_PROGRESS', BEGAN);
    const request = buildCreateEvent();
    const response = await onEvent(request);
    shows('CREATE_COMPLETE', new Date(NOW + 5_000), response!.PhysicalResourceId);
    backup.on(DescribeBackupJobCommand).resolves({ BackupJobId: JOB_ID, State: 'COMPLETED', ...ours, RecoveryPointArn: RECOVERY_POINT });
    clock = Math.ceil(NOW / 60_000) * 60_000 + 1_000;
    await expect(isComplete(buildIsCompleteEvent(request, response as any))).resolves.toMatchObject({ IsComplete: true, Data: { BackupJobId: JOB_ID } });
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
  });
});
