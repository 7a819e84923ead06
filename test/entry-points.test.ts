/**
 * The handler names the constructs render are the bundle's exports: one
 * constant (lib/core/entry-points.ts) names them for both sides.
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { BackupBeforeRemoval, BackupJob, CopyJob, ProtectedResource, RecoveryPoint, RestoreJob } from '../lib';
import { ENTRY_POINTS, handlerOf } from '../lib/core/entry-points';

const bundlePath = path.join(__dirname, '..', 'dist', 'handlers', 'jobs', 'index.js');

/** A stack with every kind of job (each on the long path, so that its result resource is there too) and a removal guard. */
function everyKind(): Stack {
  const stack = new Stack(new App(), 'Entry');
  const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), timeout: Duration.hours(3) });
  new RestoreJob(stack, 'Restore', { recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: 'copy' }, timeout: Duration.hours(2) });
  new CopyJob(stack, 'DrCopy', {
    recoveryPoint: RecoveryPoint.fromBackupJob(job),
    destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr'),
    timeout: Duration.hours(2),
  });
  new BackupBeforeRemoval(stack, 'Guard', { resource: ProtectedResource.fromDynamoDbTable(table), resourceConstruct: table });
  return stack;
}

test('every function of the library runs an entry point the handler bundle exports, and every entry point is used', () => {
  const stack = everyKind();
  const ours = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .map((f) => f.Properties.Handler as string)
    .filter((h) => ENTRY_POINTS.some((e) => handlerOf(e) === h));
  expect(new Set(ours)).toEqual(new Set(ENTRY_POINTS.map(handlerOf)));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require(bundlePath);
  for (const entry of ENTRY_POINTS) expect(typeof bundle[entry]).toBe('function');
});

test('the handler bundle serves every custom resource type the constructs render, and no other', async () => {
  const types = new Set(Object.values(Template.fromStack(everyKind()).toJSON().Resources as Record<string, { Type: string }>)
    .map((r) => r.Type).filter((t) => t.startsWith('Custom::') && t !== 'Custom::AWS'));
  expect([...types].sort()).toEqual([
    'Custom::BackupBeforeRemoval', 'Custom::BackupJob', 'Custom::BackupJobResult', 'Custom::CopyJob', 'Custom::CopyJobResult', 'Custom::RestoreJob', 'Custom::RestoreJobResult',
  ]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { onEvent } = require(bundlePath);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const deleteOf = (ResourceType: string) => ({
    RequestType: 'Delete', ServiceToken: 'token', ResponseURL: 'https://example.com/(redacted)', StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Entry/x',
    RequestId: 'r', LogicalResourceId: 'L', ResourceType, PhysicalResourceId: 'not-made-by-this-handler', ResourceProperties: { ServiceToken: 'token' },
  });
  // A Delete of a resource whose Create never succeeded: answered by each type's own handler, without a call to AWS.
  for (const type of types) await expect(onEvent(deleteOf(type))).resolves.toMatchObject({ Wait: { mode: 'deleted' } });
  await expect(onEvent(deleteOf('Custom::Other'))).rejects.toThrow(/^This provider serves .* not Custom::Other$/);
  log.mockRestore();
  warn.mockRestore();
});
