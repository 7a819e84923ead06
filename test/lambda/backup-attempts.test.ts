/**
 * A backup on a busy resource, the handlers with the SDK mocked: AWS Backup's
 * jobs are a small table the mocks answer from (DescribeBackupJob by id,
 * ListBackupJobs by its filters, StartBackupJob idempotent by token, ListTags
 * of a recovery point once its job started).
 */
import {
  BackupClient,
  DescribeBackupJobCommand,
  DeleteRecoveryPointCommand,
  ListBackupJobsCommand,
  ListTagsCommand,
  StartBackupJobCommand,
  StopBackupJobCommand,
} from '@aws-sdk/client-backup';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { attempt as attemptTask, isComplete, onEvent } from '../../lambda/jobs';
import { parsePhysicalId } from '../../lambda/jobs/physical-id';
import { endedBecauseBusy } from '../../lambda/shared/backup-attempts';
import { idempotencyToken } from '../../lib/core/properties';
import { pollerInput, PollerInput } from '../../lib/core/long-wait';
import type { BackupAttempts } from '../../lib/core/backup-job-poller';
import { backupJobProperties, buildCreateEvent, buildDeleteEvent, buildIsCompleteEvent, STACK_ID, TABLE_ARN } from '../fixtures/events';

const backup = mockClient(BackupClient);
const cloudFormation = mockClient(CloudFormationClient);
const NOW = Date.parse('2026-12-01T10:00:00Z');
const ROLE = 'arn:aws:iam::123456789012:role/backup';
const EXPIRED_BUSY = 'Backup job expired because another backup job for the same resource was already in progress.';
const FAILED_BUSY = 'Backup job failed because there was a running job for the same resource.';

type Job = Record<string, any> & { BackupJobId: string; State: string };
let jobs: Job[];
let clock: number;
let next: number;

function job(fields: Partial<Job>): Job {
  const made: Job = {
    BackupJobId: `JOB-${++next}`, ResourceArn: TABLE_ARN, ResourceType: 'DynamoDB', BackupVaultName: 'pre-migration', IamRoleArn: ROLE,
    RecoveryPointArn: `arn:aws:backup:eu-west-1:123456789012:recovery-point:RP-${next}`, CreationDate: new Date(clock), State: 'CREATED', ...fields,
  };
  jobs.push(made);
  return made;
}

const byId = (id: string) => jobs.find((j) => j.BackupJobId === id)!;

beforeEach(() => {
  backup.reset();
  cloudFormation.reset();
  jobs = [];
  next = 0;
  clock = NOW;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  // CloudFormation cannot tell, unless a test says otherwise: the handlers go on without the check.
  cloudFormation.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $retryable: {} }));
  backup.on(DescribeBackupJobCommand).callsFake((input) => {
    const found = byId(input.BackupJobId);
    if (!found) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return { ...found };
  });
  backup.on(ListBackupJobsCommand).callsFake((input) => ({
    BackupJobs: jobs.filter((j) => (!input.ByResourceArn || j.ResourceArn === input.ByResourceArn)
      && (!input.ByState || j.State === input.ByState)
      && (!input.ByBackupVaultName || j.BackupVaultName === input.ByBackupVaultName)
      && (!input.ByCreatedAfter || j.CreationDate.getTime() > input.ByCreatedAfter.getTime())).map((j) => ({ ...j })),
  }));
  backup.on(StartBackupJobCommand).callsFake((input) => {
    const same = jobs.find((j) => j.token !== undefined && j.token === input.IdempotencyToken);
    const started = same ?? job({
      token: input.IdempotencyToken, ResourceArn: input.ResourceArn, BackupVaultName: input.BackupVaultName, IamRoleArn: input.IamRoleArn, Tags: input.RecoveryPointTags,
    });
    return { BackupJobId: started.BackupJobId, RecoveryPointArn: started.RecoveryPointArn, CreationDate: started.CreationDate };
  });
  // A recovery point exists once its job started: a queued job's tags cannot be read yet.
  backup.on(ListTagsCommand).callsFake((input) => {
    const found = jobs.find((j) => j.RecoveryPointArn === input.ResourceArn && j.State !== 'CREATED');
    if (!found) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return { Tags: { ...found.Tags } };
  });
  backup.on(StopBackupJobCommand).callsFake((input) => {
    byId(input.BackupJobId).State = 'ABORTED';
    return {};
  });
});

afterEach(() => jest.restoreAllMocks());

/** A plan's job that holds the resource. */
function planJob(): Job {
  return job({ State: 'RUNNING', CreatedBy: { BackupPlanId: 'nightly' }, IamRoleArn: 'arn:aws:iam::123456789012:role/plan', BackupVaultName: 'Default' });
}

async function created() {
  const request = buildCreateEvent(backupJobProperties());
  clock += 1000;
  const response = await onEvent(request);
  return { request, response, event: buildIsCompleteEvent(request, response) };
}

const poll = (event: unknown) => {
  clock += 15_000;
  return isComplete(event as never);
};

test('the busy messages AWS Backup is reported to give are told from other ends', () => {
  expect(endedBecauseBusy({ State: 'EXPIRED', StatusMessage: EXPIRED_BUSY })).toBe(true);
  expect(endedBecauseBusy({ State: 'FAILED', StatusMessage: FAILED_BUSY })).toBe(true);
  expect(endedBecauseBusy({ State: 'EXPIRED', StatusMessage: 'Backup job expired because it did not start within its start window.' })).toBe(false);
  expect(endedBecauseBusy({ State: 'FAILED', StatusMessage: 'Insufficient privileges to perform this action.' })).toBe(false);
  expect(endedBecauseBusy({ State: 'COMPLETED', StatusMessage: FAILED_BUSY })).toBe(false);
  expect(endedBecauseBusy({ State: 'FAILED' })).toBe(false);
});

describe.each([['EXPIRED', EXPIRED_BUSY], ['FAILED', FAILED_BUSY]])('a job AWS Backup ends %s because another job holds the resource', (state, message) => {
  test('the next attempt waits for the other job, starts once it ended (its own token), and the answer names the attempt that completed', async () => {
    const plan = planJob();
    const { request, event } = await created();
    const first = jobs[1];
    Object.assign(first, { State: state, StatusMessage: message, CompletionDate: new Date(clock) });

    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);

    plan.State = 'COMPLETED';
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    const starts = backup.commandCalls(StartBackupJobCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(2);
    // Its own token, and its recovery point tagged as the first job's attempt.
    expect(starts[1]).toEqual({
      ...starts[0], IdempotencyToken: idempotencyToken(request, 'attempt-2'), RecoveryPointTags: { ...starts[0].RecoveryPointTags, 'cdk-backup-jobs:attempt-of': first.BackupJobId },
    });
    const second = jobs[2];

    // A poll while it is queued (its tags not readable yet) starts nothing.
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    expect(jobs).toHaveLength(3);
    second.State = 'RUNNING';
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    expect(jobs).toHaveLength(3);

    Object.assign(second, { State: 'COMPLETED', MessageCategory: 'SUCCESS', BackupSizeInBytes: 42 });
    const done = await poll(event) as any;
    expect(done).toMatchObject({ IsComplete: true, Data: { BackupJobId: second.BackupJobId, RecoveryPointArn: second.RecoveryPointArn, State: 'COMPLETED', MessageCategory: 'SUCCESS' } });
    expect(parsePhysicalId(done.PhysicalResourceId)).toMatchObject({ prefix: 'backup-job', jobId: second.BackupJobId, tail: second.RecoveryPointArn });
  });

  test('when CloudFormation no longer waits, no attempt starts; the wait ends', async () => {
    planJob().State = 'COMPLETED';
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { ResourceStatus: 'CREATE_IN_PROGRESS', LastUpdatedTimestamp: new Date(NOW) } } as never);
    const { event } = await created();
    Object.assign(jobs[1], { State: state, StatusMessage: message });
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { ResourceStatus: 'DELETE_IN_PROGRESS', LastUpdatedTimestamp: new Date(NOW + 60_000) } } as never);
    await expect(poll(event)).rejects.toThrow(/CloudFormation no longer waits for this request/);
    expect(jobs.filter((j) => !j.CreatedBy)).toHaveLength(1);
  });

  test('at the timeout, the failure names the job that ended and the jobs that still hold the resource', async () => {
    const plan = planJob();
    const { event } = await created();
    Object.assign(jobs[1], { State: state, StatusMessage: message });
    clock = NOW + 1800_000;
    await expect(poll(event)).rejects.toThrow(
      `Timed out after 30 minutes: Backup job ${jobs[1].BackupJobId} of ${TABLE_ARN} ended ${state}: ${message}, and backup job(s) ${plan.BackupJobId} still held the resource (AWS Backup runs one backup of a resource at a time), so no backup was taken. Raise timeout`,
    );
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
  });
});

describe('only this request\'s attempts', () => {
  test('another job of the same resource, vault and role (a colleague\'s CLI run) started after the first attempt gave way is not taken for an attempt: it holds the resource, then ours starts; a DESTROY Delete deletes only ours', async () => {
    const plan = planJob();
    const { request, event } = await created();
    const first = jobs[1];
    Object.assign(first, { State: 'EXPIRED', StatusMessage: EXPIRED_BUSY, CompletionDate: new Date(clock) });
    plan.State = 'COMPLETED';
    clock += 5000;
    const colleague = job({ State: 'RUNNING', Tags: { owner: 'colleague' } });

    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
    colleague.State = 'COMPLETED';
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    const ours = jobs[jobs.length - 1];
    expect(ours.token).toBe(idempotencyToken(request, 'attempt-2'));
    ours.State = 'COMPLETED';
    const done = await poll(event) as any;
    expect(done).toMatchObject({ IsComplete: true, Data: { BackupJobId: ours.BackupJobId } });

    // DESTROY: the Delete of this request's resource deletes its attempts' recovery points, never the colleague's.
    backup.on(DeleteRecoveryPointCommand).resolves({});
    const deletion = buildDeleteEvent(done.PhysicalResourceId, backupJobProperties({ RemovalPolicy: 'destroy' }));
    await onEvent(deletion);
    const deleted = backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input.RecoveryPointArn);
    expect(deleted).toContain(ours.RecoveryPointArn);
    expect(deleted).not.toContain(colleague.RecoveryPointArn);
  });

  test('an attempt whose tags AWS Backup cannot read (an RDS snapshot) is found again by its token once it ended: no third job', async () => {
    const plan = planJob();
    const { event } = await created();
    const first = jobs[1];
    Object.assign(first, { State: 'EXPIRED', StatusMessage: EXPIRED_BUSY, CompletionDate: new Date(clock) });
    plan.State = 'COMPLETED';
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    const second = jobs[jobs.length - 1];
    Object.assign(second, { State: 'RUNNING', RecoveryPointArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-2' });
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    second.State = 'COMPLETED';
    const done = await poll(event) as any;
    expect(done).toMatchObject({ IsComplete: true, Data: { BackupJobId: second.BackupJobId } });
    expect(jobs.filter((j) => j.token !== undefined)).toHaveLength(2);
  });
});

test('a job that fails for another reason fails the deploy at once, with AWS Backup\'s message, and no attempt follows', async () => {
  const { event } = await created();
  Object.assign(jobs[0], { State: 'FAILED', StatusMessage: 'Insufficient privileges to perform this action.' });
  await expect(poll(event)).rejects.toThrow(`Backup job ${jobs[0].BackupJobId} of ${TABLE_ARN} ended FAILED: Insufficient privileges to perform this action.`);
  expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
});

describe('a first attempt AWS Backup keeps queued behind another job', () => {
  test('once the other job ended, the queued one is stopped, then the next attempt starts at once', async () => {
    const plan = planJob();
    const { request, response, event } = await created();
    const first = jobs[1];
    expect(response.Wait).toMatchObject({ heldBy: [plan.BackupJobId] });
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);

    plan.State = 'COMPLETED';
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StartBackupJobCommand).map((c) => c.args[0].input.IdempotencyToken)).toEqual([idempotencyToken(request), idempotencyToken(request, 'attempt-2')]);
    // Stopped first, then the next started: started while ours still waited, it would queue behind our own job.
    expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input)).toEqual([{ BackupJobId: first.BackupJobId }]);
    const order = backup.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name).filter((n) => n === 'StopBackupJobCommand' || n === 'StartBackupJobCommand');
    expect(order).toEqual(['StartBackupJobCommand', 'StopBackupJobCommand', 'StartBackupJobCommand']);

    Object.assign(jobs[2], { State: 'COMPLETED' });
    await expect(poll(event)).resolves.toMatchObject({ IsComplete: true, Data: { BackupJobId: jobs[2].BackupJobId } });
  });

  test('a job AWS Backup just started in time is followed as it is', async () => {
    const plan = planJob();
    const { event } = await created();
    plan.State = 'COMPLETED';
    jobs[1].State = 'RUNNING';
    await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
  });

  test('a type AWS Backup cannot stop waits for AWS Backup\'s next try', async () => {
    const rds = 'arn:aws:rds:eu-west-1:123456789012:db:orders';
    const plan = job({ State: 'RUNNING', ResourceArn: rds, CreatedBy: { BackupPlanId: 'nightly' } });
    const request = buildCreateEvent(backupJobProperties({ ResourceType: 'RDS', ResourceArn: rds }));
    const response = await onEvent(request);
    plan.State = 'COMPLETED';
    await expect(poll(buildIsCompleteEvent(request, response))).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
  });

  test('a job that waits in CREATED with nothing ahead of it is not replaced', async () => {
    const { event } = await created();
    for (let i = 0; i < 5; i++) await expect(poll(event)).resolves.toEqual({ IsComplete: false });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
  });
});

describe('the long-wait poller\'s attempt task', () => {
  function state(firstJobId: string, extra: Partial<PollerInput> = {}): PollerInput {
    return {
      ...pollerInput({
        kind: 'backup', jobId: firstJobId, stackId: STACK_ID, handleLogicalId: 'SnapshotWaitHandleAAAA', allowPartial: false, timeoutSeconds: 8 * 3600,
        cleanUp: { FunctionName: 'onEvent', Event: {} },
        attempts: <BackupAttempts>{
          FirstJobId: firstJobId, Request: { StackId: STACK_ID, LogicalResourceId: 'Snapshot', RequestId: 'r-1' },
          Start: { ResourceArn: TABLE_ARN, BackupVaultName: 'pre-migration', IamRoleArn: ROLE }, ResourceType: 'DynamoDB',
          ConditionLogicalId: 'SnapshotWaitConditionAAAA', TimeoutSeconds: 8 * 3600, HeldBy: [], Queued: false,
        },
      }),
      ...extra,
    };
  }

  const conditionIs = (status: string) => cloudFormation.on(DescribeStackResourceCommand, { LogicalResourceId: 'SnapshotWaitConditionAAAA' })
    .resolves({ StackResourceDetail: { ResourceStatus: status } } as never);

  test('while another job holds the resource: poll on, naming it; once free and CloudFormation waits for the condition: the next attempt', async () => {
    const plan = planJob();
    const first = job({ State: 'EXPIRED', StatusMessage: EXPIRED_BUSY, token: idempotencyToken({ StackId: STACK_ID, LogicalResourceId: 'Snapshot', RequestId: 'r-1' }) });
    conditionIs('CREATE_IN_PROGRESS');
    const waiting = await attemptTask(state(first.BackupJobId));
    expect(waiting).toMatchObject({ JobId: first.BackupJobId, Job: { State: 'EXPIRED', Holders: [plan.BackupJobId] }, Attempts: { Outcome: 'poll', Holders: [plan.BackupJobId] } });

    plan.State = 'COMPLETED';
    const started = await attemptTask(waiting);
    const second = jobs[2];
    expect(started).toMatchObject({ JobId: second.BackupJobId, Job: { State: 'CREATED' }, Attempts: { Outcome: 'poll', FirstJobId: first.BackupJobId } });
    expect(backup.commandCalls(StartBackupJobCommand)[0].args[0].input).toMatchObject({
      IdempotencyToken: idempotencyToken({ StackId: STACK_ID, LogicalResourceId: 'Snapshot', RequestId: 'r-1' }, 'attempt-2'),
    });
    // The poller's state goes back whole, dates as JSON.
    expect(typeof (started.Job as any).CreationDate).toBe('string');
    expect(started.Schedule).toEqual(waiting.Schedule);
  });

  test('no attempt once CloudFormation no longer waits for the condition: the backup fails', async () => {
    const first = job({ State: 'FAILED', StatusMessage: FAILED_BUSY });
    conditionIs('CREATE_FAILED');
    await expect(attemptTask(state(first.BackupJobId))).resolves.toMatchObject({ Attempts: { Outcome: 'failed' } });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  });

  test('no attempt once the wait timed out', async () => {
    const first = job({ State: 'FAILED', StatusMessage: FAILED_BUSY });
    conditionIs('CREATE_IN_PROGRESS');
    const s = state(first.BackupJobId);
    await expect(attemptTask({ ...s, Counter: { Poll: s.Polls } })).resolves.toMatchObject({ Attempts: { Outcome: 'poll' } });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  });

  test('an end that was not another job\'s doing fails the backup; a later attempt that completed is judged at once', async () => {
    const failed = job({ State: 'FAILED', StatusMessage: 'Insufficient privileges to perform this action.' });
    await expect(attemptTask(state(failed.BackupJobId))).resolves.toMatchObject({ JobId: failed.BackupJobId, Attempts: { Outcome: 'failed' } });

    // A first attempt queued behind a plan's job and replaced (stopped) once that ended: its replacement is followed.
    const plan = planJob();
    const aborted = job({ State: 'ABORTED', StatusMessage: 'Backup job was stopped by user.' });
    plan.State = 'COMPLETED';
    clock += 20_000;
    const replacement = job({ State: 'COMPLETED', Tags: { 'cdk-backup-jobs:attempt-of': aborted.BackupJobId } });
    const queued = state(aborted.BackupJobId);
    const heldBy: BackupAttempts = { ...(queued.Attempts as BackupAttempts), HeldBy: [plan.BackupJobId] };
    await expect(attemptTask({ ...queued, Attempts: heldBy })).resolves.toMatchObject({ JobId: replacement.BackupJobId, Attempts: { Outcome: 'check' } });
    // Stopped by a user (nothing was queued ahead of it): the backup fails.
    await expect(attemptTask(state(aborted.BackupJobId))).resolves.toMatchObject({ JobId: aborted.BackupJobId, Attempts: { Outcome: 'failed' } });
  });
});
