/**
 * The removal guard's handler with the AWS SDK mocked: when it backs up (each
 * row of what CloudFormation may be doing), what it asks AWS Backup, and what
 * it does when the backup fails.
 */
import { BackupClient, DescribeBackupJobCommand, ListBackupJobsCommand, ListTagsCommand, StartBackupJobCommand, StopBackupJobCommand, TagResourceCommand } from '@aws-sdk/client-backup';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand, GetTemplateCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { isComplete, onEvent } from '../../lambda/jobs';
import { decideOnDelete, decideOnUpdate, sameResource } from '../../lambda/jobs/backup-before-removal/decision';
import { REMOVAL_TAGS } from '../../lib/core/backup-before-removal-contract';
import { idempotencyToken } from '../../lib/core/properties';
import { buildCreateEvent, buildDeleteEvent, buildIsCompleteEvent, buildUpdateEvent, CfnProperties, STACK_ID, TABLE_ARN } from '../fixtures/events';

const backup = mockClient(BackupClient);
const cloudFormation = mockClient(CloudFormationClient);
const dynamodb = mockClient(DynamoDBClient);
const JOB_ID = 'B0E5B2F4-0000-4000-8000-000000000001';
const PHYSICAL_ID = 'backup-before-removal/App/OrdersGuard';
const NEW_TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Orders-2';

function guardProperties(overrides: Record<string, unknown> = {}): CfnProperties {
  const base: Record<string, unknown> = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:framework-onEvent',
    ResourceArn: TABLE_ARN,
    ResourceType: 'DynamoDB',
    ResourceLogicalId: 'OrdersTable',
    BackupVaultName: 'guards',
    IamRoleArn: 'arn:aws:iam::123456789012:role/backup',
    TimeoutSeconds: '1800',
    ProtectOnFailure: 'true',
  };
  return Object.fromEntries(Object.entries({ ...base, ...overrides }).filter(([, v]) => v !== undefined)) as CfnProperties;
}

const asGuard = <T extends object>(event: T): T => ({ ...event, ResourceType: 'Custom::BackupBeforeRemoval', LogicalResourceId: 'OrdersGuard' });
const stackIs = (status: string) => cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'App', StackId: STACK_ID, StackStatus: status as StackStatus, CreationTime: new Date() }] });
const templateHas = (...logicalIds: string[]) => cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: Object.fromEntries(logicalIds.map((id) => [id, { Type: 'X' }])) }) });

beforeAll(() => { process.env.AWS_REGION = 'eu-west-1'; });
beforeEach(() => {
  backup.reset();
  cloudFormation.reset();
  dynamodb.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  backup.on(StartBackupJobCommand).resolves({ BackupJobId: JOB_ID, RecoveryPointArn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:RP', CreationDate: new Date() });
  backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
  cloudFormation.on(DescribeStackResourceCommand).resolves({
    StackResourceDetail: { LogicalResourceId: 'OrdersGuard', ResourceType: 'Custom::BackupBeforeRemoval', ResourceStatus: 'DELETE_IN_PROGRESS', LastUpdatedTimestamp: new Date(0) },
  });
});
afterEach(() => jest.restoreAllMocks());

describe('the decision, row by row', () => {
  const always = { backupOnDelete: true, backupOnReplace: true };
  test.each([
    ['the stack is deleted', { stackStatus: 'DELETE_IN_PROGRESS' }, { backup: true, reason: 'stack-deletion' }],
    ['the resource and its guard leave the template', { stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', resourceInTemplate: false }, { backup: true, reason: 'removal' }],
    ['only the guard leaves', { stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', resourceInTemplate: true, resourcePhysicalId: 'Orders' }, { backup: false }],
    ['the guard leaves as the same update replaced the resource', { stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', resourceInTemplate: true, resourcePhysicalId: 'Orders-2' }, { backup: true, reason: 'replacement' }],
    ['the creation rolls back', { stackStatus: 'ROLLBACK_IN_PROGRESS' }, { backup: false }],
    ['an update\'s rollback cleanup', { stackStatus: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' }, { backup: false }],
    ['CloudFormation cannot tell (the safe answer)', {}, { backup: true, reason: 'removal' }],
    ['the template cannot be read in a cleanup (the safe answer)', { stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' }, { backup: true, reason: 'removal' }],
  ])('Delete: %s', (_, view, expected) => {
    expect(decideOnDelete(view, TABLE_ARN, always)).toMatchObject(expected);
  });

  test('Delete: a resource CloudFormation keeps is not backed up before its deletion, a replaced one it keeps not before its replacement', () => {
    expect(decideOnDelete({ stackStatus: 'DELETE_IN_PROGRESS' }, TABLE_ARN, { backupOnDelete: false, backupOnReplace: true })).toMatchObject({ backup: false, why: expect.stringMatching(/DeletionPolicy/) });
    expect(decideOnDelete({ stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', resourceInTemplate: true, resourcePhysicalId: 'x' }, TABLE_ARN, { backupOnDelete: true, backupOnReplace: false }))
      .toMatchObject({ backup: false, why: expect.stringMatching(/UpdateReplacePolicy/) });
  });

  test.each([
    ['the update phase (a replacement)', 'UPDATE_IN_PROGRESS', { backup: true, reason: 'replacement' }],
    ['a rollback back to the old resource', 'UPDATE_ROLLBACK_IN_PROGRESS', { backup: false }],
    ['CloudFormation cannot tell (the safe answer)', undefined, { backup: true, reason: 'replacement' }],
  ])('Update with a new ARN: %s', (_, stackStatus, expected) => {
    expect(decideOnUpdate({ stackStatus }, always)).toMatchObject(expected);
  });

  test.each([
    ['arn:aws:dynamodb:eu-west-1:1:table/Orders', 'Orders', true],
    ['arn:aws:dynamodb:eu-west-1:1:table/Orders', 'Orders-2', false],
    ['arn:aws:s3:::bucket', 'bucket', true],
    ['arn:aws:rds:eu-west-1:1:db:main', 'main', true],
    ['arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1', 'fs-1', true],
  ])('%s is the physical resource %s: %s', (arn, physicalId, same) => {
    expect(sameResource(arn, physicalId)).toBe(same);
  });
});

describe('onEvent', () => {
  test('Create takes no backup and asks AWS nothing; the physical id names the guard', async () => {
    const response = await onEvent(asGuard(buildCreateEvent(guardProperties())));
    expect(response).toMatchObject({ PhysicalResourceId: 'backup-before-removal/App/OrdersGuard', Wait: { mode: 'deleted' } });
    expect(backup.calls()).toHaveLength(0);
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  test('Create with a timeout past 58 minutes fails, naming the property and the rule', async () => {
    await expect(onEvent(asGuard(buildCreateEvent(guardProperties({ TimeoutSeconds: '7200' })))))
      .rejects.toThrow(/Property TimeoutSeconds \(2 hours\) must be at most 58 minutes/);
  });

  test('Delete while the stack is deleted: StartBackupJob with the request\'s token and the tags, the job handed to isComplete', async () => {
    stackIs('DELETE_IN_PROGRESS');
    const event = asGuard(buildDeleteEvent(PHYSICAL_ID, guardProperties({ RecoveryPointTags: { team: 'data' } })));
    const response = await onEvent(event);
    expect(response).toMatchObject({ PhysicalResourceId: PHYSICAL_ID, Wait: { mode: 'started', jobId: JOB_ID, reason: 'stack-deletion' } });
    const [start] = backup.commandCalls(StartBackupJobCommand);
    expect(start.args[0].input).toMatchObject({
      ResourceArn: TABLE_ARN,
      BackupVaultName: 'guards',
      IdempotencyToken: idempotencyToken(event),
      RecoveryPointTags: { team: 'data', [REMOVAL_TAGS.stack]: 'App', [REMOVAL_TAGS.logicalId]: 'OrdersTable', [REMOVAL_TAGS.reason]: 'stack-deletion' },
    });
  });

  test('Delete when only the guard leaves the template: no backup', async () => {
    stackIs('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    templateHas('OrdersTable', 'Other');
    cloudFormation.on(DescribeStackResourceCommand, { LogicalResourceId: 'OrdersTable' }).resolves({ StackResourceDetail: { LogicalResourceId: 'OrdersTable', ResourceType: 'AWS::DynamoDB::Table', ResourceStatus: 'UPDATE_COMPLETE', PhysicalResourceId: 'Orders', LastUpdatedTimestamp: new Date() } });
    expect(await onEvent(asGuard(buildDeleteEvent(PHYSICAL_ID, guardProperties())))).toMatchObject({ Wait: { mode: 'deleted' } });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  });

  test('Delete when CloudFormation cannot say what it does: a backup (the safe answer)', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Access denied'), { name: 'AccessDenied' }));
    expect(await onEvent(asGuard(buildDeleteEvent(PHYSICAL_ID, guardProperties())))).toMatchObject({ Wait: { mode: 'started', reason: 'removal' } });
  });

  test('Delete of a guard whose Create never answered (a physical id it never gave): nothing', async () => {
    expect(await onEvent(asGuard(buildDeleteEvent('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', guardProperties())))).toMatchObject({ Wait: { mode: 'deleted' } });
    expect(backup.calls()).toHaveLength(0);
  });

  test('Update to a new ARN in the update phase backs up the OLD resource with the old properties', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { LogicalResourceId: 'OrdersGuard', ResourceType: 'Custom::BackupBeforeRemoval', ResourceStatus: 'UPDATE_IN_PROGRESS', LastUpdatedTimestamp: new Date(0) } });
    const response = await onEvent(asGuard(buildUpdateEvent(PHYSICAL_ID, guardProperties({ ResourceArn: NEW_TABLE_ARN, BackupVaultName: 'new-vault' }), guardProperties())));
    expect(response).toMatchObject({ PhysicalResourceId: PHYSICAL_ID, Wait: { mode: 'started', reason: 'replacement' } });
    expect(backup.commandCalls(StartBackupJobCommand)[0].args[0].input).toMatchObject({ ResourceArn: TABLE_ARN, BackupVaultName: 'guards' });
  });

  test('Update in a rollback, or with the same ARN: no backup', async () => {
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(await onEvent(asGuard(buildUpdateEvent(PHYSICAL_ID, guardProperties(), guardProperties({ ResourceArn: NEW_TABLE_ARN }))))).toMatchObject({ Wait: { mode: 'unchanged' } });
    expect(await onEvent(asGuard(buildUpdateEvent(PHYSICAL_ID, guardProperties({ TimeoutSeconds: '600' }), guardProperties())))).toMatchObject({ Wait: { mode: 'unchanged' } });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  });

  test('a Delete CloudFormation no longer waits for (a late delivery) starts nothing', async () => {
    stackIs('DELETE_IN_PROGRESS');
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { LogicalResourceId: 'OrdersGuard', ResourceType: 'Custom::BackupBeforeRemoval', ResourceStatus: 'DELETE_FAILED', LastUpdatedTimestamp: new Date(0) } });
    await expect(onEvent(asGuard(buildDeleteEvent(PHYSICAL_ID, guardProperties())))).rejects.toThrow(/no longer waits for this Delete of OrdersGuard .*no backup was started/);
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  });
});

describe('isComplete', () => {
  const deleting = () => {
    const event = asGuard(buildDeleteEvent(PHYSICAL_ID, guardProperties()));
    return buildIsCompleteEvent(event, {
      PhysicalResourceId: PHYSICAL_ID,
      Wait: { mode: 'started', jobId: JOB_ID, reason: 'stack-deletion', deadline: new Date(Date.now() + 600_000).toISOString(), watch: { status: 'DELETE_IN_PROGRESS', lastUpdated: new Date(0).toISOString() } },
    });
  };
  const job = (fields: Record<string, unknown>) => backup.on(DescribeBackupJobCommand).resolves({
    BackupJobId: JOB_ID, ResourceArn: TABLE_ARN, BackupVaultName: 'guards', IamRoleArn: 'arn:aws:iam::123456789012:role/backup', CreationDate: new Date(), ...fields,
  });

  test('running: not complete; COMPLETED: complete, with no attributes and the same physical id', async () => {
    job({ State: 'RUNNING', PercentDone: '40.0' });
    expect(await isComplete(deleting())).toEqual({ IsComplete: false });
    job({ State: 'COMPLETED', RecoveryPointArn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:RP' });
    expect(await isComplete(deleting())).toEqual({ IsComplete: true });
  });

  test('FAILED: the deletion fails with AWS Backup\'s message, after deletion protection was turned on', async () => {
    job({ State: 'FAILED', StatusMessage: 'Access denied to the table.' });
    dynamodb.on(UpdateTableCommand).resolves({});
    await expect(isComplete(deleting())).rejects.toThrow(/^Backup of OrdersTable \(arn:aws:dynamodb:eu-west-1:123456789012:table\/Orders\) before the stack's deletion failed: Backup job B0E5B2F4-0000-4000-8000-000000000001 of \S+ ended FAILED: Access denied to the table\. Deletion protection is now on/);
    expect(dynamodb.commandCalls(UpdateTableCommand)[0].args[0].input).toEqual({ TableName: 'Orders', DeletionProtectionEnabled: true });
  });

  test('the timeout of a deletion\'s backup: the job goes on (not stopped), protection is turned on, and the message says to delete again', async () => {
    job({ State: 'RUNNING', PercentDone: '40.0' });
    dynamodb.on(UpdateTableCommand).resolves({});
    const event = deleting();
    event.Wait.deadline = new Date(Date.now() - 1000).toISOString();
    await expect(isComplete(event)).rejects.toThrow(new RegExp('Timed out after 30 minutes waiting for backup job .* it goes on \\(not stopped\\)\\. Delete again within 12 hours: the deletion takes this same '
      + 'backup job over and waits up to 30 minutes more\\. Deletion protection is now on, .* To go on: turn deletion protection off \\(aws dynamodb update-table'));
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(UpdateTableCommand)).toHaveLength(1);
  });

  test('the timeout of a replacement\'s backup: the job is stopped (the update rolls back, the resource stays)', async () => {
    job({ State: 'RUNNING', PercentDone: '40.0' });
    backup.on(StopBackupJobCommand).resolves({});
    // CloudFormation still waits for the update (it is asked: the first 20 s of a minute).
    const now = Math.floor(Date.now() / 60_000) * 60_000 + 5_000;
    jest.spyOn(Date, 'now').mockReturnValue(now);
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { LogicalResourceId: 'OrdersGuard', ResourceType: 'Custom::BackupBeforeRemoval', ResourceStatus: 'UPDATE_IN_PROGRESS', LastUpdatedTimestamp: new Date(0) } });
    const update = asGuard(buildUpdateEvent(PHYSICAL_ID, guardProperties({ ResourceArn: NEW_TABLE_ARN }), guardProperties()));
    const event = buildIsCompleteEvent(update, {
      PhysicalResourceId: PHYSICAL_ID,
      Wait: { mode: 'started', jobId: JOB_ID, reason: 'replacement', deadline: new Date(now - 1000).toISOString(), watch: { status: 'UPDATE_IN_PROGRESS', lastUpdated: new Date(0).toISOString() } },
    });
    await expect(isComplete(event)).rejects.toThrow(/Timed out after 30 minutes .* it was stopped\. Raise timeout \(at most 58 minutes\)\. The update rolls back/);
    expect(cloudFormation.commandCalls(DescribeStackResourceCommand).length).toBeGreaterThan(0);
    expect(backup.commandCalls(StopBackupJobCommand)).toHaveLength(1);
  });

  test('a failed backup in an update\'s cleanup phase: the message says the update completes and the resource left the stack', async () => {
    job({ State: 'FAILED', StatusMessage: 'Access denied to the table.' });
    dynamodb.on(UpdateTableCommand).resolves({});
    const event = deleting();
    event.Wait.reason = 'removal';
    const failure = isComplete(event);
    await expect(failure).rejects.toThrow(/Deletion protection is now on, .* The update completes, and OrdersTable has left the stack \(CloudFormation no longer manages it\): back it up, then delete it yourself/);
    await expect(failure).rejects.not.toThrow(/retain-resources|delete again/);
  });

  test('protection that cannot be turned on is said in the message', async () => {
    job({ State: 'FAILED', StatusMessage: 'Access denied.' });
    dynamodb.on(UpdateTableCommand).rejects(Object.assign(new Error('not authorized to perform: dynamodb:UpdateTable'), { name: 'AccessDeniedException' }));
    await expect(isComplete(deleting())).rejects.toThrow(/Deletion protection was not turned on \(AccessDeniedException: not authorized to perform: dynamodb:UpdateTable\)/);
  });
});

describe('a guard\'s earlier backups', () => {
  const RP = (n: number) => `arn:aws:backup:eu-west-1:123456789012:recovery-point:RP-${n}`;
  const ours = { BackupVaultName: 'guards', IamRoleArn: 'arn:aws:iam::123456789012:role/backup', ResourceArn: TABLE_ARN };
  const tags = (reason: string, logicalId = 'OrdersTable', stack = 'App') => ({ [REMOVAL_TAGS.stack]: stack, [REMOVAL_TAGS.logicalId]: logicalId, [REMOVAL_TAGS.reason]: reason });
  const listed = (...jobs: Record<string, unknown>[]) => backup.on(ListBackupJobsCommand).resolves({
    BackupJobs: jobs.map((j, i) => ({ BackupJobId: `EARLIER-${i + 1}`, RecoveryPointArn: RP(i + 1), CreationDate: new Date(Date.now() - (i + 1) * 60_000), ...ours, ...j })),
  });
  const tagged = (n: number, value: Record<string, string> | Error) => (value instanceof Error
    ? backup.on(ListTagsCommand, { ResourceArn: RP(n) }).rejects(value)
    : backup.on(ListTagsCommand, { ResourceArn: RP(n) }).resolves({ Tags: value }));
  const deletion = () => { stackIs('DELETE_IN_PROGRESS'); return onEvent(asGuard(buildDeleteEvent(PHYSICAL_ID, guardProperties()))); };

  test('a deletion takes over the guard\'s running backup for the same reason: no new job', async () => {
    listed({ State: 'RUNNING' });
    tagged(1, tags('stack-deletion'));
    expect(await deletion()).toMatchObject({ Wait: { mode: 'started', jobId: 'EARLIER-1', reason: 'stack-deletion' } });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  });

  test('a completed one is taken over when none runs; a running one comes first', async () => {
    listed({ State: 'COMPLETED' }, { State: 'RUNNING' });
    tagged(1, tags('stack-deletion'));
    tagged(2, tags('stack-deletion'));
    expect(await deletion()).toMatchObject({ Wait: { jobId: 'EARLIER-2' } });
    backup.reset();
    listed({ State: 'COMPLETED' });
    tagged(1, tags('stack-deletion'));
    expect(await deletion()).toMatchObject({ Wait: { jobId: 'EARLIER-1' } });
  });

  test.each([
    ['another logical id', { State: 'RUNNING' }, tags('stack-deletion', 'Other')],
    ['another stack', { State: 'RUNNING' }, tags('stack-deletion', 'OrdersTable', 'Else')],
    ['another reason', { State: 'RUNNING' }, tags('removal')],
    ['a job that ended otherwise (ABORTED)', { State: 'ABORTED' }, tags('stack-deletion')],
    ['another vault', { State: 'RUNNING', BackupVaultName: 'other' }, tags('stack-deletion')],
    ['a backup plan\'s job', { State: 'RUNNING', CreatedBy: { BackupPlanId: 'nightly' } }, tags('stack-deletion')],
    ['tags AWS Backup cannot read', { State: 'RUNNING' }, Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' })],
  ])('never taken over: %s (a new backup starts)', async (_, fields, tagsOrError) => {
    listed(fields);
    tagged(1, tagsOrError as Record<string, string> | Error);
    expect(await deletion()).toMatchObject({ Wait: { mode: 'started', jobId: JOB_ID } });
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
  });

  test('an Update never takes over: a replacement starts its own backup', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    listed({ State: 'RUNNING' });
    tagged(1, tags('replacement'));
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { LogicalResourceId: 'OrdersGuard', ResourceType: 'Custom::BackupBeforeRemoval', ResourceStatus: 'UPDATE_IN_PROGRESS', LastUpdatedTimestamp: new Date(0) } });
    await onEvent(asGuard(buildUpdateEvent(PHYSICAL_ID, guardProperties({ ResourceArn: NEW_TABLE_ARN }), guardProperties())));
    expect(backup.commandCalls(StartBackupJobCommand)).toHaveLength(1);
  });

  test('a rollback\'s Update retags the replacement backups of the resource it goes back to (its reason tag only)', async () => {
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    listed({ State: 'COMPLETED' }, { State: 'COMPLETED' });
    tagged(1, tags('replacement'));
    tagged(2, tags('stack-deletion'));
    backup.on(TagResourceCommand).resolves({});
    // A rollback: the guard goes back from the new table (old properties) to the table it had (properties).
    expect(await onEvent(asGuard(buildUpdateEvent(PHYSICAL_ID, guardProperties(), guardProperties({ ResourceArn: NEW_TABLE_ARN }))))).toMatchObject({ Wait: { mode: 'unchanged' } });
    expect(backup.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([{ ResourceArn: RP(1), Tags: { [REMOVAL_TAGS.reason]: 'replacement-rolled-back' } }]);
    expect(backup.commandCalls(ListBackupJobsCommand)[0].args[0].input).toMatchObject({ ByResourceArn: TABLE_ARN, ByBackupVaultName: 'guards' });
  });
});
