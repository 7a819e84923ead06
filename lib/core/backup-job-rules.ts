/**
 * The rules a backup job's settings must follow, as pure functions.
 *
 * The BackupJob construct calls them at synth time and the CLI before it calls
 * AWS. The input holds plain numbers in the unit AWS Backup uses; a value that
 * is not known yet (an unresolved CDK token) is left out by the caller, so that
 * no rule ever judges a token.
 */
import { isVaultArn, VAULT_NAME_PATTERN } from './arns';
import { validateLifecycle } from './lifecycle';
import { amount, isWholeInRange, quoted, ValidationResult, ValidationWarning } from './messages';
import { RESOURCE_TYPE_NAMES, resourceTypeInfo } from './resource-types';
import { timeoutErrors } from './timing';
import { OWN_TAG_PREFIX } from './properties';

/** AWS Backup's limits that the rules enforce. */
export const LIMITS = {
  /** StartWindowMinutes must be at least this. */
  startWindowMinMinutes: 60,
  /** Both windows are at most 100 years. */
  windowMaxMinutes: 52_560_000,
  /** AWS Backup's start window when none is given. */
  defaultStartWindowMinutes: 8 * 60,
  /** Recovery point tag limits (AWS tagging rules). */
  tagKeyMaxLength: 128,
  tagValueMaxLength: 256,
} as const;

/** BackupOptionKey and BackupOptionValue in the AWS Backup API model. */
export const BACKUP_OPTION_PATTERN = /^[a-zA-Z0-9\-_.]{1,50}$/;

/** The settings of one backup job, in AWS Backup's units. Leave out what is unknown. */
export interface BackupJobSettings {
  readonly resourceType?: string;
  readonly backupVaultName?: string;
  readonly moveToColdStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
  readonly optInToArchiveForSupportedResources?: boolean;
  readonly startWindowMinutes?: number;
  readonly completeWindowMinutes?: number;
  readonly recoveryPointTags?: Readonly<Record<string, string>>;
  readonly windowsVss?: boolean;
  readonly backupOptions?: Readonly<Record<string, string>>;
  readonly index?: boolean;
  readonly logicallyAirGappedBackupVaultArn?: string;
  readonly timeoutSeconds?: number;
  /** The lock of the vault the job writes to, when it is known. */
  readonly vaultLock?: { readonly minRetentionDays?: number; readonly maxRetentionDays?: number };
}

/** How each setting is called where it was given (construct props, CLI flags). */
export type SettingNames = Readonly<Record<Exclude<keyof BackupJobSettings, 'vaultLock'>, string>>;

/** The names of the `BackupJob` construct's props. */
export const CONSTRUCT_SETTING_NAMES: SettingNames = {
  resourceType: 'resource.resourceType',
  backupVaultName: 'backupVaultName',
  moveToColdStorageAfterDays: 'lifecycle.moveToColdStorageAfter',
  deleteAfterDays: 'lifecycle.deleteAfter',
  optInToArchiveForSupportedResources: 'lifecycle.optInToArchiveForSupportedResources',
  startWindowMinutes: 'startWindow',
  completeWindowMinutes: 'completeWindow',
  recoveryPointTags: 'recoveryPointTags',
  windowsVss: 'windowsVss',
  backupOptions: 'backupOptions',
  index: 'index',
  logicallyAirGappedBackupVaultArn: 'logicallyAirGappedBackupVaultArn',
  timeoutSeconds: 'timeout',
};

/** Checks a backup job's settings against AWS Backup's rules and ours. */
export function validateBackupJob(
  settings: BackupJobSettings,
  names: SettingNames = CONSTRUCT_SETTING_NAMES,
): ValidationResult {
  const errors: string[] = [];
  const warnings: ValidationWarning[] = [];
  const type = settings.resourceType === undefined ? undefined : resourceTypeInfo(settings.resourceType);

  if (settings.resourceType !== undefined && !type) {
    errors.push(`${names.resourceType} (${quoted(settings.resourceType)}) is not a resource type AWS Backup backs up (supported: ${RESOURCE_TYPE_NAMES.join(', ')})`);
  }

  if (settings.backupVaultName !== undefined && !VAULT_NAME_PATTERN.test(settings.backupVaultName)) {
    errors.push(`${names.backupVaultName} (${quoted(settings.backupVaultName)}) must be 2 to 50 characters: letters, digits, hyphens and underscores`);
  }

  const del = settings.deleteAfterDays;
  const lifecycle = validateLifecycle(settings, type, names);
  errors.push(...lifecycle.errors);
  warnings.push(...lifecycle.warnings);

  // Windows
  const start = settings.startWindowMinutes;
  const complete = settings.completeWindowMinutes;
  if (start !== undefined && !isWholeInRange(start, LIMITS.startWindowMinMinutes, LIMITS.windowMaxMinutes)) {
    errors.push(`${names.startWindowMinutes} (${amount(start, 'minute')}) must be a whole number of minutes from ${LIMITS.startWindowMinMinutes} to ${LIMITS.windowMaxMinutes.toLocaleString('en-US')} (100 years)`);
  }
  if (complete !== undefined && !isWholeInRange(complete, 1, LIMITS.windowMaxMinutes)) {
    errors.push(`${names.completeWindowMinutes} (${amount(complete, 'minute')}) must be a whole number of minutes from 1 to ${LIMITS.windowMaxMinutes.toLocaleString('en-US')} (100 years)`);
  }
  if (complete !== undefined) {
    const effectiveStart = start ?? LIMITS.defaultStartWindowMinutes;
    if (complete < effectiveStart) {
      const startText = start === undefined ? `AWS Backup's default start window (${amount(effectiveStart, 'minute')})` : `${names.startWindowMinutes} (${amount(effectiveStart, 'minute')})`;
      warnings.push({
        id: 'CompleteWindowShorterThanStartWindow',
        message: `${names.completeWindowMinutes} (${amount(complete, 'minute')}) is shorter than ${startText}: the complete window counts from the job's creation, so a late start leaves less time to finish`,
      });
    }
  }

  // Options by resource type
  const vssOption = settings.backupOptions?.WindowsVSS;
  if (type && !type.windowsVss && (settings.windowsVss !== undefined || vssOption !== undefined)) {
    const name = settings.windowsVss !== undefined ? names.windowsVss : `${names.backupOptions}.WindowsVSS`;
    errors.push(`${name} applies only to EC2 instances (Windows VSS); the resource is ${type.name}`);
  }
  if (settings.windowsVss !== undefined && vssOption !== undefined && vssOption !== (settings.windowsVss ? 'enabled' : 'disabled')) {
    errors.push(`${names.windowsVss} (${settings.windowsVss}) contradicts ${names.backupOptions}.WindowsVSS (${quoted(vssOption)}): give one of them`);
  }
  for (const [key, value] of Object.entries(settings.backupOptions ?? {})) {
    if (!BACKUP_OPTION_PATTERN.test(key) || !BACKUP_OPTION_PATTERN.test(value)) {
      errors.push(`${names.backupOptions} (${quoted(key)}: ${quoted(value)}) must have a key and a value of 1 to 50 letters, digits, hyphens, underscores or dots`);
    }
  }
  if (settings.index !== undefined && type && !type.index) {
    errors.push(`${names.index} applies only to EBS and S3 backups (backup indexes); the resource is ${type.name}`);
  }

  if (settings.logicallyAirGappedBackupVaultArn !== undefined && !isVaultArn(settings.logicallyAirGappedBackupVaultArn)) {
    errors.push(`${names.logicallyAirGappedBackupVaultArn} (${quoted(settings.logicallyAirGappedBackupVaultArn)}) must be a backup vault ARN (arn:aws:backup:region:account:backup-vault:name)`);
  }

  for (const [key, value] of Object.entries(settings.recoveryPointTags ?? {})) {
    if (key.length < 1 || key.length > LIMITS.tagKeyMaxLength) {
      errors.push(`${names.recoveryPointTags} key "${key}" must be 1 to ${LIMITS.tagKeyMaxLength} characters`);
    } else if (key.toLowerCase().startsWith('aws:')) {
      errors.push(`${names.recoveryPointTags} key "${key}" must not start with "aws:" (reserved for AWS)`);
    } else if (key.toLowerCase().startsWith(OWN_TAG_PREFIX)) {
      errors.push(`${names.recoveryPointTags} key "${key}" must not start with "${OWN_TAG_PREFIX}" (the library's own tags: they prove a recovery point its job's)`);
    }
    if (value.length > LIMITS.tagValueMaxLength) {
      errors.push(`${names.recoveryPointTags} value of "${key}" (${value.length} characters) must be at most ${LIMITS.tagValueMaxLength} characters`);
    }
  }

  errors.push(...timeoutErrors(settings.timeoutSeconds, names.timeoutSeconds));

  const lock = settings.vaultLock;
  if (lock) {
    if (lock.minRetentionDays !== undefined && del !== undefined && del < lock.minRetentionDays) {
      errors.push(`${names.deleteAfterDays} (${amount(del, 'day')}) must be at least the vault lock's minRetention (${amount(lock.minRetentionDays, 'day')}): the locked vault fails backups kept for less`);
    }
    if (lock.maxRetentionDays !== undefined) {
      if (del === undefined) {
        errors.push(`${names.deleteAfterDays} must be set when the vault lock has a maxRetention (${amount(lock.maxRetentionDays, 'day')}): the locked vault fails backups kept forever`);
      } else if (del > lock.maxRetentionDays) {
        errors.push(`${names.deleteAfterDays} (${amount(del, 'day')}) must be at most the vault lock's maxRetention (${amount(lock.maxRetentionDays, 'day')}): the locked vault fails backups kept for longer`);
      }
    }
  }
  return { errors, warnings };
}
