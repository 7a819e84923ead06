/**
 * The handler names the constructs render are the bundle's exports: one
 * constant (lib/core/entry-points.ts) names them for both sides.
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BackupJob, ProtectedResource, RecoveryPoint, RestoreJob } from '../lib';
import { ENTRY_POINTS, handlerOf } from '../lib/core/entry-points';

test('every function of the library runs an entry point the handler bundle exports, and every entry point is used', () => {
  const stack = new Stack(new App(), 'Entry');
  const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromArn('arn:aws:dynamodb:us-east-1:123456789012:table/orders'), timeout: Duration.hours(3) });
  new RestoreJob(stack, 'Restore', { recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: 'copy' }, timeout: Duration.hours(2) });
  const ours = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .map((f) => f.Properties.Handler as string)
    .filter((h) => ENTRY_POINTS.some((e) => handlerOf(e) === h));
  expect(new Set(ours)).toEqual(new Set(ENTRY_POINTS.map(handlerOf)));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require(path.join(__dirname, '..', 'dist', 'handlers', 'jobs', 'index.js'));
  for (const entry of ENTRY_POINTS) expect(typeof bundle[entry]).toBe('function');
});
