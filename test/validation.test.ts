import { BackupJobSettings, CONSTRUCT_SETTING_NAMES, validateBackupJob } from '../lib/core/backup-job-rules';
import { amount, formatErrors, formatSeconds } from '../lib/core/messages';
import { validateRestoreJob } from '../lib/core/restore-job-rules';
import { LONG_WAIT_MAX_SECONDS, SHORT_PATH_MAX_SECONDS } from '../lib/core/timing';

function errorsOf(settings: BackupJobSettings): string[] {
  return validateBackupJob(settings).errors;
}

function warningIds(settings: BackupJobSettings): string[] {
  return validateBackupJob(settings).warnings.map((w) => w.id);
}

describe('lifecycle', () => {
  test.each([0, 36501, 1.5, -3])('a lifecycle value of %p days is rejected', (days) => {
    expect(errorsOf({ deleteAfterDays: days })).toEqual([
      expect.stringMatching(new RegExp(`^lifecycle.deleteAfter \\(${String(days).replace('.', '\\.')} days?\\) must be a whole number of days from 1 to 36500$`)),
    ]);
    expect(errorsOf({ moveToColdStorageAfterDays: days, resourceType: 'EFS' })[0]).toMatch(/^lifecycle.moveToColdStorageAfter .* must be a whole number of days from 1 to 36500/);
  });

  test.each([1, 35, 36500])('a lifecycle value of %p days passes', (days) => {
    expect(errorsOf({ deleteAfterDays: days })).toEqual([]);
    expect(errorsOf({ moveToColdStorageAfterDays: days, resourceType: 'EFS' })).toEqual([]);
  });

  test('deleteAfter shorter than cold storage + 90 days is rejected, naming both and the sum', () => {
    expect(errorsOf({ resourceType: 'EFS', moveToColdStorageAfterDays: 30, deleteAfterDays: 119 })).toEqual([
      'lifecycle.deleteAfter (119 days) must be at least lifecycle.moveToColdStorageAfter + 90 days (120 days): a recovery point stays in cold storage for at least 90 days',
    ]);
  });

  test('deleteAfter of exactly cold storage + 90 days passes', () => {
    expect(errorsOf({ resourceType: 'EFS', moveToColdStorageAfterDays: 30, deleteAfterDays: 120 })).toEqual([]);
  });

  test('cold storage on a type that ignores it is a warning, not an error', () => {
    const result = validateBackupJob({ resourceType: 'RDS', moveToColdStorageAfterDays: 30, deleteAfterDays: 365 });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([{
      id: 'ColdStorageIgnored',
      message: 'lifecycle.moveToColdStorageAfter (30 days) has no effect: AWS Backup does not move RDS backups to cold storage',
    }]);
  });

  test('cold storage on EBS needs the archive opt-in', () => {
    expect(warningIds({ resourceType: 'EBS', moveToColdStorageAfterDays: 30 })).toEqual(['ColdStorageNeedsOptIn']);
    expect(warningIds({ resourceType: 'EBS', moveToColdStorageAfterDays: 30, optInToArchiveForSupportedResources: true })).toEqual([]);
  });

  test('cold storage on a type that supports it gives no warning', () => {
    expect(warningIds({ resourceType: 'DynamoDB', moveToColdStorageAfterDays: 30 })).toEqual([]);
  });

  test('the archive opt-in without cold storage is a warning', () => {
    expect(warningIds({ resourceType: 'EBS', optInToArchiveForSupportedResources: true })).toEqual(['ArchiveOptInWithoutColdStorage']);
  });
});

describe('windows', () => {
  test.each([
    [59, 'must be a whole number of minutes from 60 to 52,560,000'],
    [52_560_001, 'must be a whole number of minutes from 60 to 52,560,000'],
    [90.5, 'must be a whole number of minutes from 60 to 52,560,000'],
  ])('a start window of %p minutes is rejected', (minutes, rule) => {
    expect(errorsOf({ startWindowMinutes: minutes })).toEqual([`startWindow (${amount(minutes, 'minute')}) ${rule} (100 years)`]);
  });

  test.each([60, 480, 52_560_000])('a start window of %p minutes passes', (minutes) => {
    expect(errorsOf({ startWindowMinutes: minutes })).toEqual([]);
  });

  test.each([0, 52_560_001, 10.25])('a complete window of %p minutes is rejected', (minutes) => {
    expect(errorsOf({ completeWindowMinutes: minutes })).toEqual([
      `completeWindow (${amount(minutes, 'minute')}) must be a whole number of minutes from 1 to 52,560,000 (100 years)`,
    ]);
  });

  test('a complete window shorter than the start window is a warning', () => {
    const result = validateBackupJob({ startWindowMinutes: 120, completeWindowMinutes: 90 });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'completeWindow (90 minutes) is shorter than startWindow (120 minutes): the complete window counts from the job\'s creation, so a late start leaves less time to finish',
    ]);
  });

  test('a complete window is compared with the default start window when none is given', () => {
    expect(validateBackupJob({ completeWindowMinutes: 60 }).warnings[0].message).toContain("AWS Backup's default start window (480 minutes)");
    expect(warningIds({ completeWindowMinutes: 480 })).toEqual([]);
  });
});

describe('options by resource type', () => {
  test('windowsVss is for EC2 only', () => {
    expect(errorsOf({ resourceType: 'DynamoDB', windowsVss: true })).toEqual([
      'windowsVss applies only to EC2 instances (Windows VSS); the resource is DynamoDB',
    ]);
    expect(errorsOf({ resourceType: 'EC2', windowsVss: true })).toEqual([]);
  });

  test('a WindowsVSS backup option is for EC2 only too', () => {
    expect(errorsOf({ resourceType: 'EFS', backupOptions: { WindowsVSS: 'enabled' } })).toEqual([
      'backupOptions.WindowsVSS applies only to EC2 instances (Windows VSS); the resource is EFS',
    ]);
  });

  test('windowsVss and a contradicting backup option are rejected', () => {
    expect(errorsOf({ resourceType: 'EC2', windowsVss: true, backupOptions: { WindowsVSS: 'disabled' } })).toEqual([
      'windowsVss (true) contradicts backupOptions.WindowsVSS ("disabled"): give one of them',
    ]);
    expect(errorsOf({ resourceType: 'EC2', windowsVss: true, backupOptions: { WindowsVSS: 'enabled' } })).toEqual([]);
  });

  test('backup options follow the API model pattern', () => {
    expect(errorsOf({ resourceType: 'EC2', backupOptions: { 'Windows VSS': 'on' } })).toEqual([
      'backupOptions ("Windows VSS": "on") must have a key and a value of 1 to 50 letters, digits, hyphens, underscores or dots',
    ]);
  });

  test.each(['EBS', 'S3'])('index is accepted for %s', (type) => {
    expect(errorsOf({ resourceType: type, index: true })).toEqual([]);
  });

  test.each(['DynamoDB', 'EFS', 'RDS'])('index is rejected for %s', (type) => {
    expect(errorsOf({ resourceType: type, index: true })).toEqual([
      `index applies only to EBS and S3 backups (backup indexes); the resource is ${type}`,
    ]);
  });

  test('an unknown resource type is rejected with the supported list', () => {
    expect(errorsOf({ resourceType: 'Lambda' })[0]).toMatch(/^resource.resourceType \("Lambda"\) is not a resource type AWS Backup backs up \(supported: Aurora, .*DynamoDB.*\)$/);
  });
});

describe('vaults', () => {
  test.each(['a', 'has space', 'x'.repeat(51), 'dots.not.allowed'])('vault name %p is rejected', (name) => {
    expect(errorsOf({ backupVaultName: name })).toEqual([
      `backupVaultName ("${name}") must be 2 to 50 characters: letters, digits, hyphens and underscores`,
    ]);
  });

  test.each(['ab', 'pre-migration_vault-01', 'x'.repeat(50)])('vault name %p passes', (name) => {
    expect(errorsOf({ backupVaultName: name })).toEqual([]);
  });

  test('an air-gapped vault ARN must be a backup vault ARN', () => {
    expect(errorsOf({ logicallyAirGappedBackupVaultArn: 'arn:aws:s3:::bucket' })).toEqual([
      'logicallyAirGappedBackupVaultArn ("arn:aws:s3:::bucket") must be a backup vault ARN (arn:aws:backup:region:account:backup-vault:name)',
    ]);
    expect(errorsOf({ logicallyAirGappedBackupVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:air-gapped' })).toEqual([]);
  });

  test('deleteAfter below the vault lock minimum is rejected', () => {
    expect(errorsOf({ deleteAfterDays: 7, vaultLock: { minRetentionDays: 30 } })).toEqual([
      "lifecycle.deleteAfter (7 days) must be at least the vault lock's minRetention (30 days): the locked vault fails backups kept for less",
    ]);
  });

  test('deleteAfter above the vault lock maximum is rejected', () => {
    expect(errorsOf({ deleteAfterDays: 400, vaultLock: { minRetentionDays: 1, maxRetentionDays: 365 } })).toEqual([
      "lifecycle.deleteAfter (400 days) must be at most the vault lock's maxRetention (365 days): the locked vault fails backups kept for longer",
    ]);
  });

  test('a vault lock maximum needs a deleteAfter', () => {
    expect(errorsOf({ vaultLock: { minRetentionDays: 1, maxRetentionDays: 365 } })).toEqual([
      'lifecycle.deleteAfter must be set when the vault lock has a maxRetention (365 days): the locked vault fails backups kept forever',
    ]);
  });

  test('deleteAfter within the vault lock passes', () => {
    expect(errorsOf({ deleteAfterDays: 30, vaultLock: { minRetentionDays: 30, maxRetentionDays: 365 } })).toEqual([]);
    expect(errorsOf({ vaultLock: { minRetentionDays: 30 } })).toEqual([]);
  });
});

describe('recovery point tags', () => {
  test('tag keys and values follow the AWS tagging rules', () => {
    expect(errorsOf({ recoveryPointTags: { 'aws:owner': 'me', ['k'.repeat(129)]: 'v', ok: 'v'.repeat(257) } })).toEqual([
      'recoveryPointTags key "aws:owner" must not start with "aws:" (reserved for AWS)',
      `recoveryPointTags key "${'k'.repeat(129)}" must be 1 to 128 characters`,
      'recoveryPointTags value of "ok" (257 characters) must be at most 256 characters',
    ]);
    expect(errorsOf({ recoveryPointTags: { purpose: 'pre-migration', empty: '' } })).toEqual([]);
  });

  test('the library\'s own tag prefix is reserved: its tags prove a recovery point this stack\'s', () => {
    expect(errorsOf({ recoveryPointTags: { 'cdk-backup-jobs:stack': 'Other' } })).toEqual([
      'recoveryPointTags key "cdk-backup-jobs:stack" must not start with "cdk-backup-jobs:" (the library\'s own tags: they prove a recovery point its job\'s)',
    ]);
  });
});

describe('timeout', () => {
  test('a timeout above what CloudFormation waits is rejected, naming the limit', () => {
    expect(errorsOf({ timeoutSeconds: 13 * 3600 })).toEqual([
      'timeout (13 hours) must be at most 12 hours: the longest CloudFormation waits for anything (a WaitCondition, which timeouts past 58 minutes wait through)',
    ]);
  });

  test('the longest timeout passes, one second more does not', () => {
    expect(errorsOf({ timeoutSeconds: LONG_WAIT_MAX_SECONDS })).toEqual([]);
    expect(errorsOf({ timeoutSeconds: LONG_WAIT_MAX_SECONDS + 1 })).toHaveLength(1);
    // Past the short path's 58 minutes, a timeout waits through a WaitCondition.
    expect(errorsOf({ timeoutSeconds: SHORT_PATH_MAX_SECONDS + 1 })).toEqual([]);
  });

  test('a timeout under a minute, or in fractions of a second, is rejected', () => {
    expect(errorsOf({ timeoutSeconds: 30 })).toEqual(['timeout (30 seconds) must be a whole number of seconds, at least 1 minute']);
    expect(errorsOf({ timeoutSeconds: 90.5 })).toHaveLength(1);
    expect(errorsOf({ timeoutSeconds: 60 })).toEqual([]);
  });
});

describe('reporting', () => {
  test('every problem is reported at once', () => {
    const result = validateBackupJob({
      resourceType: 'DynamoDB',
      backupVaultName: 'no spaces allowed',
      moveToColdStorageAfterDays: 10,
      deleteAfterDays: 20,
      startWindowMinutes: 5,
      index: true,
      timeoutSeconds: 50_000,
    });
    expect(result.errors).toHaveLength(5);
    const message = formatErrors('BackupJob Stack/Job', result.errors);
    expect(message.split('\n')[0]).toBe('BackupJob Stack/Job has 5 invalid settings:');
    expect(message.split('\n')).toHaveLength(6);
  });

  test('settings that are not known (tokens) are not validated', () => {
    expect(validateBackupJob({})).toEqual({ errors: [], warnings: [] });
  });

  test('names can be those of another front end (the CLI flags)', () => {
    const names = { ...CONSTRUCT_SETTING_NAMES, deleteAfterDays: '--delete-after-days' };
    expect(validateBackupJob({ deleteAfterDays: 0 }, names).errors[0]).toMatch(/^--delete-after-days \(0 days\)/);
  });

  test.each([
    [7200, '2 hours'],
    [5400, '90 minutes'],
    [45, '45 seconds'],
    [60, '1 minute'],
  ])('%p seconds read as %p', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});

describe('restore jobs', () => {
  const restore = (settings: Partial<Parameters<typeof validateRestoreJob>[0]>) => validateRestoreJob({
    resourceType: 'DynamoDB', metadata: {}, useBackedUpMetadata: true, ...settings,
  });

  test('a DynamoDB restore needs a target table name', () => {
    expect(restore({}).errors).toEqual(['metadata must contain "targetTableName": DynamoDB restores need it']);
    expect(restore({ metadata: { targetTableName: 'orders-restored' } }).errors).toEqual([]);
  });

  test('metadata keys are read without regard to case', () => {
    expect(restore({ metadata: { TargetTableName: 'orders-restored' } })).toEqual({ errors: [], warnings: [] });
  });

  test('a restore onto the name of the source table is an error', () => {
    expect(restore({ metadata: { targetTableName: 'orders' }, sourceResourceName: 'orders' }).errors).toEqual([
      'metadata.targetTableName ("orders") must differ from the name of the DynamoDB resource the backup was taken of: the restore creates a new resource',
    ]);
    expect(restore({ metadata: { targetTableName: 'orders-copy' }, sourceResourceName: 'orders' }).errors).toEqual([]);
  });

  test('the same token as target and source is caught; different tokens are not judged', () => {
    const isUnresolved = (v: string) => v.startsWith('${Token');
    expect(restore({ metadata: { targetTableName: '${Token[1]}' }, sourceResourceName: '${Token[1]}', isUnresolved }).errors[0]).toMatch(
      /^metadata.targetTableName \(the same token\) must differ/,
    );
    expect(restore({ metadata: { targetTableName: '${Token[2]}' }, sourceResourceName: '${Token[1]}', isUnresolved }).errors).toEqual([]);
    expect(restore({ metadata: { targetTableName: 'copy', encryptionType: '${Token[3]}' }, isUnresolved }).errors).toEqual([]);
  });

  test('DynamoDB encryption settings', () => {
    expect(restore({ metadata: { targetTableName: 't-copy', encryptionType: 'AES' } }).errors).toEqual(['metadata.encryptionType ("AES") must be "Default" or "KMS"']);
    expect(restore({ metadata: { targetTableName: 't-copy', encryptionType: 'Default', kmsMasterKeyArn: 'arn:aws:kms:eu-west-1:1:key/k' } }).errors).toEqual([
      'metadata.kmsMasterKeyArn needs encryptionType "KMS" (it is "Default")',
    ]);
    expect(restore({ metadata: { targetTableName: 't-copy', encryptionType: 'KMS', kmsMasterKeyArn: 'arn:aws:kms:eu-west-1:1:key/k' } }).errors).toEqual([]);
  });

  test('unknown keys for a known type are a warning', () => {
    const result = restore({ metadata: { targetTableName: 't-copy', targetTable: 'x' } });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ id: 'UnknownRestoreMetadata', message: expect.stringMatching(/^metadata has "targetTable", which AWS Backup does not document for DynamoDB restores \(known: targetTableName, /) })]);
  });

  test('types whose keys the library does not know are not warned about', () => {
    expect(restore({ resourceType: 'FSx', metadata: { anything: 'x' } })).toEqual({ errors: [], warnings: [] });
  });

  test('without the backed-up metadata, the metadata must be complete', () => {
    expect(restore({ resourceType: 'EFS', useBackedUpMetadata: false, metadata: { 'file-system-id': 'fs-1', newFileSystem: 'true' } }).errors).toEqual([
      'metadata must contain "Encrypted", "PerformanceMode", "CreationToken": EFS restores that do not start from the backed-up metadata (useBackedUpMetadata: false) need them',
    ]);
    expect(restore({ resourceType: 'EFS', useBackedUpMetadata: true, metadata: {} }).errors).toEqual([]);
  });

  test('DESTROY is for restored DynamoDB tables only', () => {
    expect(restore({ resourceType: 'EFS', destroy: true }).errors).toEqual([
      'removalPolicy DESTROY deletes restored DynamoDB resources only; a restored EFS resource would be left behind (use RETAIN)',
    ]);
    expect(restore({ metadata: { targetTableName: 't-copy' }, destroy: true }).errors).toEqual([]);
  });

  test('the timeout rule is the same as for backups', () => {
    expect(restore({ metadata: { targetTableName: 't-copy' }, timeoutSeconds: 13 * 3600 }).errors).toEqual([
      'timeout (13 hours) must be at most 12 hours: the longest CloudFormation waits for anything (a WaitCondition, which timeouts past 58 minutes wait through)',
    ]);
  });
});
