import {
  BackupClient,
  DescribeRestoreJobCommand,
  ListRestoreJobsCommand,
  GetRecoveryPointRestoreMetadataCommand,
  RestoreJobStatus,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { isComplete, onEvent } from '../../lambda/jobs';
import { formatPhysicalId, parsePhysicalId } from '../../lambda/jobs/physical-id';
import { fingerprint, idempotencyToken } from '../../lib/core/properties';
import { buildCreateEvent, buildDeleteEvent, buildIsCompleteEvent, buildUpdateEvent, CfnProperties } from '../fixtures/events';

const backup = mockClient(BackupClient);
const dynamodb = mockClient(DynamoDBClient);
const cloudFormation = mockClient(CloudFormationClient);
const NOW = Date.parse('2026-11-22T10:00:00Z');
const RECOVERY_POINT = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
const RESTORE_ID = 'B6F6B6E2-2D1C-4F6B-9A36-1E6A0D0C2C11';
const RESTORED_TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders-restore-test';
let clock = NOW;

function restoreProperties(overrides: Record<string, unknown> = {}): CfnProperties {
  const merged: Record<string, unknown> = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:framework-onEvent',
    RecoveryPointArn: RECOVERY_POINT,
    BackupVaultName: 'pre-migration',
    ResourceType: 'DynamoDB',
    Metadata: { targetTableName: 'orders-restore-test' },
    IamRoleArn: 'arn:aws:iam::123456789012:role/cdk-backup-jobs/restore',
    TimeoutSeconds: '1800',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as CfnProperties;
}

function restoreEvent<T extends { ResourceType: string }>(event: T): T {
  return { ...event, ResourceType: 'Custom::RestoreJob' };
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

function restoreStatus(Status: string, extra: Record<string, unknown> = {}) {
  backup.on(DescribeRestoreJobCommand).resolves({
    RestoreJobId: RESTORE_ID, Status: Status as RestoreJobStatus, RecoveryPointArn: RECOVERY_POINT, ResourceType: 'DynamoDB', CreationDate: new Date(NOW), ...extra,
  });
}

beforeAll(() => {
  process.env.AWS_REGION = 'eu-west-1';
});

beforeEach(() => {
  cloudFormation.reset();
  // Unless a test says otherwise, CloudFormation cannot tell: the handlers go on without the check.
  cloudFormation.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $retryable: {} }));
  backup.reset();
  dynamodb.reset();
  clock = NOW;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({
    RestoreMetadata: { originalTableName: 'orders', TargetTableName: 'orders', encryptionType: 'Default' },
  });
  backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: RESTORE_ID });
});

afterEach(() => jest.restoreAllMocks());

async function created(properties = restoreProperties()) {
  const request = restoreEvent(buildCreateEvent(properties));
  const response = await onEvent(request);
  return { request, response, event: buildIsCompleteEvent(request, response) };
}

describe('Create', () => {
  test('starts from the backed-up metadata with the overrides applied, whatever their case', async () => {
    const { request, response } = await created(restoreProperties({ CopySourceTagsToRestoredResource: 'true' }));
    expect(backup.commandCalls(GetRecoveryPointRestoreMetadataCommand)[0].args[0].input).toEqual({
      BackupVaultName: 'pre-migration', RecoveryPointArn: RECOVERY_POINT,
    });
    expect(backup.commandCalls(StartRestoreJobCommand)[0].args[0].input).toEqual({
      RecoveryPointArn: RECOVERY_POINT,
      // The override replaces the backed-up TargetTableName that differs from it only in case.
      Metadata: { originalTableName: 'orders', encryptionType: 'Default', targetTableName: 'orders-restore-test' },
      IamRoleArn: 'arn:aws:iam::123456789012:role/cdk-backup-jobs/restore',
      IdempotencyToken: idempotencyToken(request, 'DynamoDB'),
      ResourceType: 'DynamoDB',
      CopySourceTagsToRestoredResource: true,
    });
    expect(parsePhysicalId(response.PhysicalResourceId)).toEqual({
      prefix: 'restore-job', jobId: RESTORE_ID, fingerprint: fingerprint(request.ResourceProperties), tail: '',
    });
  });

  test('without the backed-up metadata, only the given metadata is sent', async () => {
    await created(restoreProperties({ UseBackedUpMetadata: 'false', Metadata: { targetTableName: 'copy', encryptionType: 'KMS' } }));
    expect(backup.commandCalls(GetRecoveryPointRestoreMetadataCommand)).toHaveLength(0);
    expect(backup.commandCalls(StartRestoreJobCommand)[0].args[0].input.Metadata).toEqual({ targetTableName: 'copy', encryptionType: 'KMS' });
  });

  test('a type name the API pattern refuses is not sent as ResourceType', async () => {
    await created(restoreProperties({ ResourceType: 'SAP HANA on Amazon EC2', Metadata: {} }));
    expect(backup.commandCalls(StartRestoreJobCommand)[0].args[0].input.ResourceType).toBeUndefined();
  });

  test('the token is the same for a retried request, and differs with the request', async () => {
    const request = restoreEvent(buildCreateEvent(restoreProperties()));
    await onEvent(request);
    await onEvent(request);
    await onEvent(restoreEvent(buildCreateEvent(restoreProperties())));
    const tokens = backup.commandCalls(StartRestoreJobCommand).map((c) => c.args[0].input.IdempotencyToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(idempotencyToken(request, 'DynamoDB')).not.toBe(idempotencyToken(request, 'EFS'));
  });

  test('a refused StartRestoreJob fails the Create with AWS Backup\'s message', async () => {
    backup.on(StartRestoreJobCommand).rejects(awsError('InvalidParameterValueException', 400));
    await expect(onEvent(restoreEvent(buildCreateEvent(restoreProperties())))).rejects.toThrow('StartRestoreJob failed: InvalidParameterValueException: InvalidParameterValueException from AWS');
  });
});

describe('isComplete maps every restore status', () => {
  test.each(['PENDING', 'RUNNING'])('%s is still running', async (status) => {
    const { event } = await created();
    restoreStatus(status);
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
  });

  test('COMPLETED completes with the created resource, which joins the physical id', async () => {
    const { event, request } = await created();
    restoreStatus('COMPLETED', { CreatedResourceArn: RESTORED_TABLE, CompletionDate: new Date(NOW + 60_000), BackupSizeInBytes: 1024 });
    const result = await isComplete(event);
    expect(result).toEqual({
      IsComplete: true,
      Data: {
        RestoreJobId: RESTORE_ID,
        CreatedResourceArn: RESTORED_TABLE,
        Status: 'COMPLETED',
        StatusMessage: '',
        RecoveryPointArn: RECOVERY_POINT,
        ResourceType: 'DynamoDB',
        BackupSizeInBytes: '1024',
        CreationDate: '2026-11-22T10:00:00.000Z',
        CompletionDate: '2026-11-22T10:01:00.000Z',
      },
      PhysicalResourceId: formatPhysicalId({ prefix: 'restore-job', jobId: RESTORE_ID, fingerprint: fingerprint(request.ResourceProperties), tail: RESTORED_TABLE }),
    });
  });

  test.each([
    ['FAILED', 'Table already exists: orders-restore-test'],
    ['ABORTED', 'Restore job was aborted.'],
  ])('%s fails with AWS Backup\'s status message', async (status, message) => {
    const { event } = await created();
    restoreStatus(status, { StatusMessage: message });
    await expect(isComplete(event)).rejects.toThrow(`Restore job ${RESTORE_ID} of ${RECOVERY_POINT} ended ${status}: ${message}`);
  });

  test('a status this handler does not know keeps the wait going', async () => {
    const { event } = await created();
    restoreStatus('VALIDATING');
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
  });

  test('waitForCompletion false completes once the restore runs', async () => {
    const { event } = await created(restoreProperties({ WaitForCompletion: 'false' }));
    restoreStatus('RUNNING');
    await expect(isComplete(event)).resolves.toMatchObject({ IsComplete: true, Data: { Status: 'RUNNING', CreatedResourceArn: '' } });
  });

  test('throttling is retried at the next poll; at the timeout the wait ends, saying the restore goes on', async () => {
    const { event } = await created();
    backup.on(DescribeRestoreJobCommand).rejectsOnce(awsError('ThrottlingException', 400)).resolves({ RestoreJobId: RESTORE_ID, Status: 'RUNNING' });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    clock = NOW + 1800_000;
    await expect(isComplete(event)).rejects.toThrow(`Timed out after 30 minutes waiting for restore job ${RESTORE_ID} (still RUNNING); AWS Backup cannot stop a restore job, so it goes on`);
  });

  test('an error that is not transient fails the resource', async () => {
    const { event } = await created();
    backup.on(DescribeRestoreJobCommand).rejects(awsError('AccessDeniedException', 403));
    await expect(isComplete(event)).rejects.toThrow(`DescribeRestoreJob of ${RESTORE_ID} failed: AccessDeniedException`);
  });
});

describe('Update', () => {
  const current = (properties: CfnProperties) => formatPhysicalId({
    prefix: 'restore-job', jobId: 'old-restore', fingerprint: fingerprint(properties), tail: 'arn:aws:dynamodb:eu-west-1:123456789012:table/old',
  });

  test('a changed trigger starts a new restore', async () => {
    const before = restoreProperties({ Trigger: '1' });
    const response = await onEvent(restoreEvent(buildUpdateEvent(current(before), restoreProperties({ Trigger: '2' }), before)));
    expect(backup.commandCalls(StartRestoreJobCommand)).toHaveLength(1);
    expect(response.PhysicalResourceId).not.toBe(current(before));
  });

  test('a rollback to the current restore\'s properties starts none, even when AWS has forgotten the job', async () => {
    const properties = restoreProperties({ Trigger: '1' });
    const request = restoreEvent(buildUpdateEvent(current(properties), properties, restoreProperties({ Trigger: '2' })));
    const response = await onEvent(request);
    expect(backup.commandCalls(StartRestoreJobCommand)).toHaveLength(0);
    backup.on(DescribeRestoreJobCommand).rejects(awsError('ResourceNotFoundException', 400));
    await expect(isComplete(buildIsCompleteEvent(request, response))).resolves.toMatchObject({
      IsComplete: true, Data: { RestoreJobId: 'old-restore', CreatedResourceArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/old' },
    });
  });
});

describe('Delete', () => {
  const physicalId = (createdResourceArn = '') => formatPhysicalId({ prefix: 'restore-job', jobId: RESTORE_ID, fingerprint: 'f', tail: createdResourceArn });

  async function deleteWith(properties: CfnProperties, id = physicalId()) {
    const request = restoreEvent(buildDeleteEvent(id, properties));
    const response = await onEvent(request);
    return { response, event: buildIsCompleteEvent(request, response) };
  }

  test('RETAIN keeps the restored table', async () => {
    restoreStatus('COMPLETED', { CreatedResourceArn: RESTORED_TABLE });
    const { event } = await deleteWith(restoreProperties());
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  test('DESTROY deletes the restored table', async () => {
    restoreStatus('COMPLETED', { CreatedResourceArn: RESTORED_TABLE });
    dynamodb.on(DeleteTableCommand).resolves({});
    const { event } = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.commandCalls(DeleteTableCommand).map((c) => c.args[0].input)).toEqual([{ TableName: 'orders-restore-test' }]);
  });

  test('DESTROY of a restore that still runs waits for it, then deletes the table', async () => {
    dynamodb.on(DeleteTableCommand).resolves({});
    restoreStatus('RUNNING');
    const { response, event } = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }));
    expect(response.Wait).toEqual({ mode: 'deleting', deadline: new Date(NOW + 1800_000).toISOString(), blockingJobIds: [RESTORE_ID] });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    restoreStatus('COMPLETED', { CreatedResourceArn: RESTORED_TABLE });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.commandCalls(DeleteTableCommand)).toHaveLength(1);
  });

  test('DESTROY gives up at the timeout and answers: a Delete never hangs', async () => {
    restoreStatus('RUNNING');
    const { event } = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }));
    clock = NOW + 1800_000;
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  test('DESTROY finds the table from the physical id when AWS has forgotten the job; a table already gone is fine', async () => {
    backup.on(DescribeRestoreJobCommand).rejects(awsError('ResourceNotFoundException', 400));
    dynamodb.on(DeleteTableCommand).rejects(awsError('ResourceNotFoundException', 400));
    const { event } = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }), physicalId(RESTORED_TABLE));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.commandCalls(DeleteTableCommand).map((c) => c.args[0].input)).toEqual([{ TableName: 'orders-restore-test' }]);
  });

  test('a failed restore has nothing to delete; a refused delete is only logged', async () => {
    restoreStatus('FAILED');
    const failed = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }));
    await expect(isComplete(failed.event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.calls()).toHaveLength(0);

    restoreStatus('COMPLETED', { CreatedResourceArn: RESTORED_TABLE });
    dynamodb.on(DeleteTableCommand).rejects(awsError('AccessDeniedException', 403));
    const refused = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }));
    await expect(isComplete(refused.event)).resolves.toEqual({ IsComplete: true });
  });

  test('an id that names no restore: the restores of a cancelled Create are looked for (none here), nothing is deleted', async () => {
    backup.on(ListRestoreJobsCommand).resolves({ RestoreJobs: [] });
    const { event } = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }), 'E2E-RestoreTest-1A2B3C4D5E6F');
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(backup.calls().map((c) => c.args[0].constructor.name)).toEqual(['ListRestoreJobsCommand']);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  test('a cancelled Create\'s FAILED restore (the table existed before) deletes nothing; a running one whose description then fails deletes nothing either', async () => {
    const ours = { RestoreJobId: RESTORE_ID, RecoveryPointArn: RECOVERY_POINT, IamRoleArn: 'arn:aws:iam::123456789012:role/cdk-backup-jobs/restore', CreationDate: new Date(NOW - 60_000) };
    backup.on(ListRestoreJobsCommand).resolves({ RestoreJobs: [{ ...ours, Status: 'FAILED', StatusMessage: 'Table already exists: orders-restore-test', CreatedResourceArn: RESTORED_TABLE, CompletionDate: new Date(NOW - 1_000) }] });
    dynamodb.on(DeleteTableCommand).resolves({});
    const failed = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }), 'E2E-RestoreTest-1A2B3C4D5E6F');
    await expect(isComplete(failed.event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.commandCalls(DeleteTableCommand)).toHaveLength(0);

    backup.on(ListRestoreJobsCommand).resolves({ RestoreJobs: [{ ...ours, Status: 'RUNNING' }] });
    const running = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }), 'E2E-RestoreTest-1A2B3C4D5E6F');
    expect(running.response.Wait).toMatchObject({ mode: 'deleting', blockingJobIds: [RESTORE_ID] });
    backup.on(DescribeRestoreJobCommand).rejects(awsError('ThrottlingException', 400));
    await expect(isComplete(running.event)).resolves.toEqual({ IsComplete: false });
    backup.on(DescribeRestoreJobCommand).rejects(awsError('AccessDeniedException', 403));
    await expect(isComplete(running.event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.commandCalls(DeleteTableCommand)).toHaveLength(0);
  });

  test('a restore that is not this resource\'s (another recovery point) is left alone', async () => {
    backup.on(DescribeRestoreJobCommand).resolves({ RestoreJobId: 'other', Status: 'COMPLETED', RecoveryPointArn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:OTHER', CreatedResourceArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders-restore-test' });
    const { event } = await deleteWith(restoreProperties({ RemovalPolicy: 'destroy' }), 'restore-job/other/ffffffffffffffff/arn:aws:dynamodb:eu-west-1:123456789012:table/orders-restore-test');
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

test('a resource type the provider does not serve is an error', async () => {
  await expect(onEvent({ ...buildCreateEvent(restoreProperties()), ResourceType: 'Custom::Other' })).rejects.toThrow(
    'This provider serves Custom::BackupJob, Custom::BackupJobResult, Custom::RestoreJob, Custom::RestoreJobResult, Custom::BackupBeforeRemoval, Custom::CopyJob, Custom::CopyJobResult, Custom::ScanJob, Custom::ScanJobResult, not Custom::Other',
  );
});
