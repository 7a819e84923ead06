import {
  BackupClient, CopyJobState, DeleteRecoveryPointCommand, DescribeCopyJobCommand, ListCopyJobsCommand, StartCopyJobCommand,
} from '@aws-sdk/client-backup';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { isComplete, onEvent } from '../../lambda/jobs';
import { parsePhysicalId } from '../../lambda/jobs/physical-id';
import { fingerprint, idempotencyToken } from '../../lib/core/properties';
import { buildCreateEvent, buildDeleteEvent, buildIsCompleteEvent, CfnProperties } from '../fixtures/events';

const backup = mockClient(BackupClient);
const cloudFormation = mockClient(CloudFormationClient);
const NOW = Date.parse('2026-12-04T10:00:00Z');
const RECOVERY_POINT = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';
const COPY = 'arn:aws:backup:us-west-2:123456789012:recovery-point:9C1D2B7A-0000-4000-8000-000000000001';
const COPY_ID = '5D2E0F6A-7B1C-4E2D-9F3A-0C1B2D3E4F50';
const ROLE = 'arn:aws:iam::123456789012:role/cdk-backup-jobs/copy';
let clock = NOW;

function copyProperties(overrides: Record<string, unknown> = {}): CfnProperties {
  const merged: Record<string, unknown> = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:framework-onEvent',
    RecoveryPointArn: RECOVERY_POINT,
    SourceBackupVaultName: 'pre-migration',
    DestinationBackupVaultArn: DR_VAULT,
    IamRoleArn: ROLE,
    ResourceType: 'DynamoDB',
    TimeoutSeconds: '1800',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as CfnProperties;
}

const copyEvent = <T extends { ResourceType: string }>(event: T): T => ({ ...event, ResourceType: 'Custom::CopyJob' });

function copyState(State: string, extra: Record<string, unknown> = {}) {
  backup.on(DescribeCopyJobCommand).resolves({
    CopyJob: {
      CopyJobId: COPY_ID, State: State as CopyJobState, SourceRecoveryPointArn: RECOVERY_POINT, DestinationBackupVaultArn: DR_VAULT, IamRoleArn: ROLE,
      ResourceType: 'DynamoDB', CreationDate: new Date(NOW), ...extra,
    },
  });
}

beforeAll(() => { process.env.AWS_REGION = 'eu-west-1'; });

beforeEach(() => {
  cloudFormation.reset();
  cloudFormation.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $retryable: {} }));
  backup.reset();
  clock = NOW;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  backup.on(StartCopyJobCommand).resolves({ CopyJobId: COPY_ID });
});

afterEach(() => jest.restoreAllMocks());

async function created(properties = copyProperties()) {
  const request = copyEvent(buildCreateEvent(properties));
  const response = await onEvent(request);
  return { request, response, event: buildIsCompleteEvent(request, response) };
}

test('Create starts the copy with the request\'s token and answers with the copy job in the physical id', async () => {
  const { request, response } = await created(copyProperties({ Lifecycle: { DeleteAfterDays: '35' } }));
  expect(backup.commandCalls(StartCopyJobCommand)[0].args[0].input).toEqual({
    RecoveryPointArn: RECOVERY_POINT, SourceBackupVaultName: 'pre-migration', DestinationBackupVaultArn: DR_VAULT, IamRoleArn: ROLE,
    Lifecycle: { DeleteAfterDays: 35 }, IdempotencyToken: idempotencyToken(request, 'copy'),
  });
  expect(parsePhysicalId(response.PhysicalResourceId)).toEqual({ prefix: 'copy-job', jobId: COPY_ID, fingerprint: fingerprint(request.ResourceProperties), tail: '' });
});

describe('isComplete maps every state to one answer', () => {
  test.each(['CREATED', 'RUNNING'])('%s: not yet', async (state) => {
    copyState(state);
    const { event } = await created();
    expect(await isComplete(event)).toEqual({ IsComplete: false });
  });

  test('COMPLETED: the attributes, and the copy\'s ARN in the physical id', async () => {
    copyState('COMPLETED', { DestinationRecoveryPointArn: COPY, BackupSizeInBytes: 1024, CompletionDate: new Date(NOW + 60_000) });
    const { event } = await created();
    const answer = await isComplete(event);
    expect(answer).toMatchObject({
      IsComplete: true,
      Data: { CopyJobId: COPY_ID, DestinationRecoveryPointArn: COPY, State: 'COMPLETED', BackupSizeInBytes: '1024', CompletionDate: '2026-12-04T10:01:00.000Z' },
    });
    expect(parsePhysicalId(answer.PhysicalResourceId)!.tail).toBe(COPY);
  });

  test('FAILED: thrown with AWS Backup\'s message', async () => {
    copyState('FAILED', { StatusMessage: 'Access Denied trying to call AWS Backup service' });
    const { event } = await created();
    await expect(isComplete(event)).rejects.toThrow(`Copy job ${COPY_ID} of ${RECOVERY_POINT} to ${DR_VAULT} ended FAILED: Access Denied trying to call AWS Backup service`);
  });

  test('PARTIAL: thrown unless allowPartial', async () => {
    copyState('PARTIAL', { StatusMessage: 'partly', DestinationRecoveryPointArn: COPY });
    await expect(isComplete((await created()).event)).rejects.toThrow(/ended PARTIAL: partly \(set allowPartial to accept a partial copy\)/);
    expect((await isComplete((await created(copyProperties({ AllowPartial: 'true' }))).event)).IsComplete).toBe(true);
  });

  test('a state the handler does not know: waits on', async () => {
    copyState('PAUSED');
    expect(await isComplete((await created()).event)).toEqual({ IsComplete: false });
  });

  test('the timeout: thrown, saying the copy goes on', async () => {
    copyState('RUNNING');
    const { event } = await created();
    clock = NOW + 1800_000;
    await expect(isComplete(event)).rejects.toThrow(`Timed out after 30 minutes waiting for copy job ${COPY_ID} (still RUNNING); AWS Backup cannot stop a copy job, so it goes on`);
  });

  test('throttled: tried again at the next poll', async () => {
    backup.on(DescribeCopyJobCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: {}, $metadata: { httpStatusCode: 400 } }));
    expect(await isComplete((await created()).event)).toEqual({ IsComplete: false });
  });
});

describe('Delete', () => {
  const physicalId = `copy-job/${COPY_ID}/0123456789abcdef/${COPY}`;

  test('RETAIN keeps the copy: no call at all', async () => {
    const answer = await onEvent(copyEvent(buildDeleteEvent(physicalId, copyProperties())));
    expect(answer).toMatchObject({ PhysicalResourceId: physicalId, Wait: { mode: 'deleted' } });
    expect(backup.calls()).toHaveLength(0);
  });

  test('DESTROY deletes the copy from its vault, in its Region', async () => {
    copyState('COMPLETED', { DestinationRecoveryPointArn: COPY });
    backup.on(DeleteRecoveryPointCommand).resolves({});
    const answer = await onEvent(copyEvent(buildDeleteEvent(physicalId, copyProperties({ RemovalPolicy: 'destroy' }))));
    expect(answer.Wait).toEqual({ mode: 'deleted' });
    const [call] = backup.commandCalls(DeleteRecoveryPointCommand);
    expect(call.args[0].input).toEqual({ BackupVaultName: 'dr', RecoveryPointArn: COPY });
    expect(await (call.thisValue as BackupClient).config.region()).toBe('us-west-2');
  });

  test('DESTROY of a copy that still runs: isComplete waits for it, then deletes it', async () => {
    copyState('RUNNING');
    const request = copyEvent(buildDeleteEvent(physicalId, copyProperties({ RemovalPolicy: 'destroy' })));
    const answer = await onEvent(request);
    expect(answer.Wait).toMatchObject({ mode: 'deleting', blockingJobIds: [COPY_ID] });
    const event = buildIsCompleteEvent(request, answer);
    expect(await isComplete(event)).toEqual({ IsComplete: false });
    copyState('COMPLETED', { DestinationRecoveryPointArn: COPY });
    backup.on(DeleteRecoveryPointCommand).resolves({});
    expect(await isComplete(event)).toEqual({ IsComplete: true });
    expect(backup.commandCalls(DeleteRecoveryPointCommand)).toHaveLength(1);
  });

  test('DESTROY with a physical id CloudFormation made up: the copy is found by its description; another request\'s is left alone', async () => {
    backup.on(ListCopyJobsCommand).resolves({
      CopyJobs: [
        { CopyJobId: COPY_ID, State: 'COMPLETED', SourceRecoveryPointArn: RECOVERY_POINT, DestinationBackupVaultArn: DR_VAULT, IamRoleArn: ROLE, DestinationRecoveryPointArn: COPY, CompletionDate: new Date(NOW - 10_000) },
        { CopyJobId: 'OTHER', State: 'COMPLETED', SourceRecoveryPointArn: RECOVERY_POINT, DestinationBackupVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:other', IamRoleArn: ROLE, CompletionDate: new Date(NOW - 10_000) },
      ],
    });
    copyState('COMPLETED', { DestinationRecoveryPointArn: COPY });
    backup.on(DeleteRecoveryPointCommand).resolves({});
    await onEvent(copyEvent(buildDeleteEvent('E2E-DrCopy1A2B3C4D-ABCDEF123456', copyProperties({ RemovalPolicy: 'destroy' }))));
    expect(backup.commandCalls(ListCopyJobsCommand)[0].args[0].input).toMatchObject({ BySourceRecoveryPointArn: RECOVERY_POINT });
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input.RecoveryPointArn)).toEqual([COPY]);
  });

  test('a Delete never fails because of the copy: DeleteRecoveryPoint refused is logged', async () => {
    copyState('COMPLETED', { DestinationRecoveryPointArn: COPY });
    backup.on(DeleteRecoveryPointCommand).rejects(Object.assign(new Error('locked'), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } }));
    await expect(onEvent(copyEvent(buildDeleteEvent(physicalId, copyProperties({ RemovalPolicy: 'destroy' }))))).resolves.toMatchObject({ Wait: { mode: 'deleted' } });
  });
});

describe('CloudFormation gives up on the request while the copy runs', () => {
  const BEGAN = new Date(NOW - 1_000);
  const shows = (status: string, lastUpdated: Date, physicalId?: string) => cloudFormation.on(DescribeStackResourceCommand).resolves({
    StackResourceDetail: { LogicalResourceId: 'PreMigrationSnapshot', ResourceType: 'Custom::CopyJob', ResourceStatus: status as any, LastUpdatedTimestamp: lastUpdated, PhysicalResourceId: physicalId },
  });

  test('RETAIN: the waiter ends at its next checking poll (nobody waits for the copy, which goes on)', async () => {
    shows('CREATE_IN_PROGRESS', BEGAN);
    const { event } = await created();
    copyState('RUNNING');
    shows('DELETE_IN_PROGRESS', new Date(NOW + 5_000), 'App-DrCopy-1A2B3C4D5E6F');
    clock = Math.ceil(NOW / 60_000) * 60_000 + 30_000; // not a checking poll
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    clock += 35_000;
    await expect(isComplete(event)).rejects.toThrow(`CloudFormation no longer waits for this request (the resource is DELETE_IN_PROGRESS); copy job ${COPY_ID} goes on (AWS Backup cannot stop a copy) and is kept (RETAIN)`);
  });

  test('DESTROY: the waiter stays until the copy ended, then deletes it', async () => {
    shows('CREATE_IN_PROGRESS', BEGAN);
    const { event } = await created(copyProperties({ RemovalPolicy: 'destroy' }));
    copyState('RUNNING');
    shows('DELETE_IN_PROGRESS', new Date(NOW + 5_000), 'App-DrCopy-1A2B3C4D5E6F');
    clock = Math.ceil(NOW / 60_000) * 60_000 + 65_000;
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    copyState('COMPLETED', { DestinationRecoveryPointArn: COPY });
    backup.on(DeleteRecoveryPointCommand).resolves({});
    await expect(isComplete(event)).rejects.toThrow(`copy job ${COPY_ID} ended and the copy was deleted`);
    expect(backup.commandCalls(DeleteRecoveryPointCommand).map((c) => c.args[0].input.RecoveryPointArn)).toEqual([COPY]);
  });
});
