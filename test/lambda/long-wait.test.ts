/**
 * The handlers on the long-wait path, with the SDK mocked: onEvent starts the
 * job and its poller and answers at once; every clean-up stops the poller; an
 * Update re-arms a new handle for the current job, and refuses a new job with
 * a reused handle; the result resource answers the job's attributes.
 */
import { BackupClient, DeleteRecoveryPointCommand, DescribeBackupJobCommand, ListBackupJobsCommand, StartBackupJobCommand, StopBackupJobCommand } from '@aws-sdk/client-backup';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { isComplete, onEvent } from '../../lambda/jobs';
import { executionArn, pollerExecutionName } from '../../lib/core/long-wait';
import { pollSchedule } from '../../lib/core/timing';
import { backupJobProperties, buildCreateEvent, buildDeleteEvent, buildIsCompleteEvent, buildUpdateEvent, TABLE_ARN } from '../fixtures/events';

const backup = mockClient(BackupClient);
const cloudFormation = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const JOB_ID = 'a827233a-d405-4a86-a440-759fa94f34dd';
const RECOVERY_POINT = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:ABC';
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:poller';
const LONG = { StateMachineArn: MACHINE, HandleLogicalId: 'SnapshotWaitHandleAAAA' };
const longProperties = (more: Record<string, unknown> = {}) => backupJobProperties({ TimeoutSeconds: '28800', LongWait: LONG, ...more });

beforeAll(() => {
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_LAMBDA_FUNCTION_NAME = 'cdk-backup-jobs-onEvent';
});
afterAll(() => { delete process.env.AWS_LAMBDA_FUNCTION_NAME; });
beforeEach(() => {
  backup.reset();
  cloudFormation.reset();
  sfn.reset();
  cloudFormation.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $retryable: {} }));
  backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
  backup.on(StartBackupJobCommand).resolves({ BackupJobId: JOB_ID, RecoveryPointArn: RECOVERY_POINT, CreationDate: new Date('2026-12-01T00:00:00Z') });
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:x`, startDate: new Date() });
  sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

function describes(job: Record<string, unknown>) {
  backup.on(DescribeBackupJobCommand).resolves({
    BackupJobId: JOB_ID, ResourceArn: TABLE_ARN, ResourceType: 'DynamoDB', RecoveryPointArn: RECOVERY_POINT, BackupVaultName: 'pre-migration',
    IamRoleArn: 'arn:aws:iam::123456789012:role/backup', CreationDate: new Date('2026-12-01T00:00:00Z'), ...job,
  });
}

test('Create starts the job, then its poller (named by job and handle, with the schedule of the timeout), and answers at once with the job\'s first attributes', async () => {
  const request = buildCreateEvent(longProperties({ RecoveryPointTags: { owner: 'data-team' } }));
  const response = await onEvent(request);
  expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
  const [start] = sfn.commandCalls(StartExecutionCommand);
  expect(start.args[0].input).toMatchObject({ stateMachineArn: MACHINE, name: pollerExecutionName(JOB_ID, LONG.HandleLogicalId) });
  const input = JSON.parse(start.args[0].input.input!);
  expect(input).toEqual({
    Kind: 'backup', JobId: JOB_ID, StackId: request.StackId, HandleLogicalId: LONG.HandleLogicalId, AllowPartial: false,
    Schedule: pollSchedule(28800), Polls: pollSchedule(28800).length, Counter: { Poll: 0 },
    // What the attempt function needs on a busy resource: the request (for the attempts' tokens) and its StartBackupJob.
    Attempts: {
      FirstJobId: JOB_ID,
      Request: { StackId: request.StackId, LogicalResourceId: request.LogicalResourceId, RequestId: request.RequestId },
      Start: { BackupVaultName: 'pre-migration', ResourceArn: TABLE_ARN, IamRoleArn: 'arn:aws:iam::123456789012:role/backup', RecoveryPointTags: { 'owner': 'data-team', 'cdk-backup-jobs:stack': 'App', 'cdk-backup-jobs:logical-id': request.LogicalResourceId } },
      ResourceType: 'DynamoDB', ConditionLogicalId: '', TimeoutSeconds: 28800, HeldBy: [], Queued: false,
    },
    // What the poller hands a job to if its handle goes: this function, with the resource's Delete (no tags).
    CleanUp: {
      FunctionName: 'cdk-backup-jobs-onEvent',
      Event: expect.objectContaining({ RequestType: 'Delete', ResourceType: 'Custom::BackupJob', PhysicalResourceId: response.PhysicalResourceId, StackId: request.StackId }),
    },
  });
  expect(input.CleanUp.Event.ResourceProperties).not.toHaveProperty('RecoveryPointTags');
  expect(input.CleanUp.Event.ResourceProperties).toMatchObject({ ResourceArn: TABLE_ARN, LongWait: LONG });
  expect(response).toMatchObject({ Wait: { mode: 'handed-off' }, Data: { BackupJobId: JOB_ID, RecoveryPointArn: RECOVERY_POINT, State: 'CREATED' } });
  // isComplete answers at its first call, without asking AWS Backup.
  expect(await isComplete(buildIsCompleteEvent(request, response))).toEqual({ IsComplete: true });
  expect(backup.commandCalls(DescribeBackupJobCommand)).toHaveLength(0);
});

test('a poller that cannot start: the job is stopped and the request fails, saying so', async () => {
  sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('User is not authorized to perform: states:StartExecution'), { name: 'AccessDeniedException' }));
  describes({ State: 'RUNNING' });
  await expect(onEvent(buildCreateEvent(longProperties()))).rejects.toThrow(`Could not start the long-wait poller for backup job ${JOB_ID}: AccessDeniedException: User is not authorized to perform: states:StartExecution; the job was cleaned up`);
  expect(backup.commandCalls(StopBackupJobCommand).map((c) => c.args[0].input)).toEqual([{ BackupJobId: JOB_ID }]);
});

test('Delete stops the job\'s poller by its name, then the job', async () => {
  describes({ State: 'RUNNING' });
  const created = await onEvent(buildCreateEvent(longProperties()));
  await onEvent(buildDeleteEvent(created.PhysicalResourceId!, longProperties()));
  expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([executionArn(MACHINE, pollerExecutionName(JOB_ID, LONG.HandleLogicalId))]);
  expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(1);
});

test('a poller that already ended (or never ran) does not hold up the Delete', async () => {
  describes({ State: 'COMPLETED' });
  sfn.on(StopExecutionCommand).rejects(Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' }));
  const created = await onEvent(buildCreateEvent(longProperties()));
  await expect(onEvent(buildDeleteEvent(created.PhysicalResourceId!, longProperties()))).resolves.toMatchObject({ Wait: { mode: 'deleted' } });
});

test('an Update with a new handle and the same job (a new timeout) re-arms: the current job\'s poller for the new handle, no new job', async () => {
  const created = await onEvent(buildCreateEvent(longProperties()));
  const rearmed = { ...LONG, HandleLogicalId: 'SnapshotWaitHandleBBBB' };
  const response = await onEvent(buildUpdateEvent(created.PhysicalResourceId!, longProperties({ TimeoutSeconds: '36000', LongWait: rearmed }), longProperties()));
  expect(response.PhysicalResourceId).toBe(created.PhysicalResourceId);
  expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
  const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
  expect(names).toEqual([pollerExecutionName(JOB_ID, LONG.HandleLogicalId), pollerExecutionName(JOB_ID, rearmed.HandleLogicalId)]);
});

test('an Update that needs a new job but names the previous handle is refused before anything starts', async () => {
  const created = await onEvent(buildCreateEvent(longProperties()));
  backup.resetHistory();
  sfn.resetHistory();
  const replacedTable = longProperties({ ResourceArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Orders-v2' });
  await expect(onEvent(buildUpdateEvent(created.PhysicalResourceId!, replacedTable, longProperties()))).rejects.toThrow(
    `A new backup job is needed (a property changed at deploy time, e.g. a resource was replaced), but its WaitCondition ${LONG.HandleLogicalId} already waited for the previous job and would not wait again; change the construct's trigger`);
  expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

describe('the result resource', () => {
  const resultEvent = (properties: { ServiceToken: string } & Record<string, unknown>) => ({ ...buildCreateEvent(properties), ResourceType: 'Custom::BackupJobResult' });

  test('answers the completed job\'s attributes at once', async () => {
    describes({ State: 'COMPLETED', BackupSizeInBytes: 42, CompletionDate: new Date('2026-12-01T08:00:00Z') });
    const response = await onEvent(resultEvent({ ServiceToken: 'x', JobId: JOB_ID }) as never);
    // The physical id names the job and what it made (the result's Delete under DESTROY deletes it).
    expect(response).toMatchObject({ PhysicalResourceId: `job-result/${JOB_ID}/arn:aws:backup:eu-west-1:123456789012:recovery-point:ABC`, Data: { BackupJobId: JOB_ID, State: 'COMPLETED', BackupSizeInBytes: '42', CompletionDate: '2026-12-01T08:00:00.000Z' } });
  });

  test('an Update for the same job (a change of how it is kept) answers as the job stands, even once AWS Backup no longer describes it', async () => {
    backup.on(DescribeBackupJobCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    const physicalId = `job-result/${JOB_ID}/${RECOVERY_POINT}`;
    const event = {
      ...buildUpdateEvent(physicalId, { ServiceToken: 'x', JobId: JOB_ID, Job: longProperties({ RemovalPolicy: 'destroy' }) }, { ServiceToken: 'x', JobId: JOB_ID, Job: longProperties() }),
      ResourceType: 'Custom::BackupJobResult',
    };
    await expect(onEvent(event as never)).resolves.toMatchObject({ PhysicalResourceId: physicalId, Data: { BackupJobId: JOB_ID, RecoveryPointArn: RECOVERY_POINT } });
  });

  test('Delete under DESTROY deletes what the job made, named by the physical id, even once AWS Backup no longer describes the job; RETAIN keeps it', async () => {
    backup.on(DescribeBackupJobCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    backup.on(DeleteRecoveryPointCommand).resolves({});
    const physicalId = `job-result/${JOB_ID}/${RECOVERY_POINT}`;
    const deleteOf = (removalPolicy?: string) => ({
      ...buildDeleteEvent(physicalId, { ServiceToken: 'x', JobId: JOB_ID, Job: longProperties({ RemovalPolicy: removalPolicy }) }), ResourceType: 'Custom::BackupJobResult',
    });
    await expect(onEvent(deleteOf() as never)).resolves.toMatchObject({ Wait: { mode: 'deleted' } });
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(0);
    await expect(onEvent(deleteOf('destroy') as never)).resolves.toMatchObject({ Wait: { mode: 'deleted' } });
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input)).toEqual([{ BackupVaultName: 'pre-migration', RecoveryPointArn: RECOVERY_POINT }]);
  });

  test('its event is logged without the values of the job\'s sensitive maps', async () => {
    describes({ State: 'COMPLETED' });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await onEvent(resultEvent({ ServiceToken: 'x', JobId: JOB_ID, Job: longProperties({ RecoveryPointTags: { owner: 'secret-team' } }) }) as never);
    const logged = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toContain('"owner":"***"');
    expect(logged).not.toContain('secret-team');
  });

  test('fails for a job that is not COMPLETED (PARTIAL only with AllowPartial)', async () => {
    describes({ State: 'PARTIAL', StatusMessage: 'Some items were skipped.' });
    await expect(onEvent(resultEvent({ ServiceToken: 'x', JobId: JOB_ID }) as never)).rejects.toThrow(`Backup job ${JOB_ID} is PARTIAL, not COMPLETED: Some items were skipped.`);
    await expect(onEvent(resultEvent({ ServiceToken: 'x', JobId: JOB_ID, AllowPartial: 'true' }) as never)).resolves.toMatchObject({ Data: { State: 'PARTIAL' } });
  });
});
