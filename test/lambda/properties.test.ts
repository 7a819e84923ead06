import { formatPhysicalId, parsePhysicalId } from '../../lambda/jobs/physical-id';
import { fingerprint, idempotencyToken, parseBoolean, parseInteger } from '../../lib/core/properties';
import { parseBackupJobProperties } from '../../lib/core/backup-job-contract';
import { backupJobProperties, STACK_ID } from '../fixtures/events';

describe('reading CloudFormation strings', () => {
  test.each([['42', 42], [42, 42], ['', undefined], [undefined, undefined]])('parseInteger(%p) is %p', (raw, value) => {
    expect(parseInteger(raw, 'X')).toBe(value);
  });

  test.each(['4.5', 'abc', '1e400'])('parseInteger(%p) throws naming the property', (raw) => {
    expect(() => parseInteger(raw, 'StartWindowMinutes')).toThrow(`Property StartWindowMinutes must be a whole number (got ${JSON.stringify(raw)})`);
  });

  test.each([['true', true], ['false', false], [true, true], [undefined, undefined]])('parseBoolean(%p) is %p', (raw, value) => {
    expect(parseBoolean(raw, 'X')).toBe(value);
  });

  test('parseBoolean rejects anything else', () => {
    expect(() => parseBoolean('yes', 'AllowPartial')).toThrow('Property AllowPartial must be "true" or "false" (got "yes")');
  });

  test('defaults: wait, no partial, retain', () => {
    expect(parseBackupJobProperties(backupJobProperties())).toMatchObject({
      waitForCompletion: true, allowPartial: false, destroyOnDelete: false, timeoutSeconds: 1800, resourceType: 'DynamoDB',
    });
  });

  test('a bad removal policy or index value is rejected', () => {
    expect(() => parseBackupJobProperties(backupJobProperties({ RemovalPolicy: 'snapshot' }))).toThrow('Property RemovalPolicy must be retain or destroy');
    expect(() => parseBackupJobProperties(backupJobProperties({ Index: 'YES' }))).toThrow('Property Index must be ENABLED or DISABLED');
    expect(() => parseBackupJobProperties(backupJobProperties({ TimeoutSeconds: undefined }))).toThrow('Property TimeoutSeconds must be a positive whole number');
  });

  test('a timeout that came from a token is held to the same limit at deploy time', () => {
    expect(() => parseBackupJobProperties(backupJobProperties({ TimeoutSeconds: '7200' }))).toThrow(
      'Property TimeoutSeconds (2 hours) must be at most 58 minutes here: CloudFormation waits at most 1 hour for a custom resource');
    // With the long-wait path (chosen at synth), up to 12 hours.
    const longWait = { StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:poller', HandleLogicalId: 'SnapshotWaitHandleABC' };
    expect(parseBackupJobProperties(backupJobProperties({ TimeoutSeconds: '43200', LongWait: longWait })).longWait).toEqual({ stateMachineArn: longWait.StateMachineArn, handleLogicalId: longWait.HandleLogicalId });
    expect(() => parseBackupJobProperties(backupJobProperties({ TimeoutSeconds: '43201', LongWait: longWait }))).toThrow('Property TimeoutSeconds (43201 seconds) must be at most 12 hours');
    expect(() => parseBackupJobProperties(backupJobProperties({ TimeoutSeconds: '7200', LongWait: { StateMachineArn: longWait.StateMachineArn } }))).toThrow('Property HandleLogicalId is required');
    expect(() => parseBackupJobProperties(backupJobProperties({ TimeoutSeconds: '30' }))).toThrow('Property TimeoutSeconds (30 seconds) must be a whole number of seconds, at least 1 minute');
    expect(parseBackupJobProperties(backupJobProperties({ TimeoutSeconds: '3480' })).timeoutSeconds).toBe(3480);
  });
});

describe('fingerprint', () => {
  test('is the same for the same backup request, whatever the key order', () => {
    const a = backupJobProperties({ Lifecycle: { DeleteAfterDays: '35', MoveToColdStorageAfterDays: '1' } });
    const b = Object.fromEntries(Object.entries(backupJobProperties({ Lifecycle: { MoveToColdStorageAfterDays: '1', DeleteAfterDays: '35' } })).reverse());
    expect(fingerprint(a)).toBe(fingerprint(b as any));
  });

  test('changes with what the backup is, not with how the handler waits', () => {
    const base = fingerprint(backupJobProperties());
    expect(fingerprint(backupJobProperties({ Trigger: '2' }))).not.toBe(base);
    expect(fingerprint(backupJobProperties({ BackupVaultName: 'other' }))).not.toBe(base);
    expect(fingerprint(backupJobProperties({
      TimeoutSeconds: '60', WaitForCompletion: 'false', AllowPartial: 'true', RemovalPolicy: 'destroy', ServiceToken: 'x', ServiceTimeout: '100',
    }))).toBe(base);
  });
});

describe('idempotency token', () => {
  const request = { StackId: STACK_ID, LogicalResourceId: 'Job', RequestId: 'r-1' };
  test('is stable for a request and differs between requests, resources and stacks', () => {
    expect(idempotencyToken(request)).toBe(idempotencyToken({ ...request }));
    expect(idempotencyToken({ ...request, RequestId: 'r-2' })).not.toBe(idempotencyToken(request));
    expect(idempotencyToken({ ...request, LogicalResourceId: 'Other' })).not.toBe(idempotencyToken(request));
    expect(idempotencyToken({ ...request, StackId: `${STACK_ID}x` })).not.toBe(idempotencyToken(request));
  });
});

describe('physical ids', () => {
  test('a backup job round-trips, with slashes in the recovery point ARN (its tail)', () => {
    const id = { prefix: 'backup-job', jobId: 'job-1', fingerprint: 'abc', tail: 'arn:aws:dynamodb:eu-west-1:1:table/T/backup/0123' };
    expect(formatPhysicalId(id)).toBe('backup-job/job-1/abc/arn:aws:dynamodb:eu-west-1:1:table/T/backup/0123');
    expect(parsePhysicalId(formatPhysicalId(id))).toEqual(id);
  });

  test('a restore job round-trips, before and after it made its resource', () => {
    for (const tail of ['', 'arn:aws:dynamodb:eu-west-1:1:table/T-restored']) {
      const id = { prefix: 'restore-job', jobId: 'r-1', fingerprint: 'abc', tail };
      expect(parsePhysicalId(formatPhysicalId(id))).toEqual(id);
    }
  });

  test.each([undefined, '', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', 'backup-job/', 'backup-job-pending/tok/abc'])('%p names no job', (id) => {
    expect(parsePhysicalId(id)).toBeUndefined();
  });
});
