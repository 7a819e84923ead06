/**
 * The rules a backup job's settings must follow, as pure functions.
 *
 * The BackupJob construct calls them at synth time and the CLI before it calls
 * AWS. The input holds plain numbers in the unit AWS Backup uses; a value that
 * is not known yet (an unresolved CDK token) is left out by the caller, so that
 * no rule ever judges a token.
 */
import { amount, isWholeInRange, ValidationResult, ValidationWarning } from './messages';
import { RESOURCE_TYPE_NAMES, resourceTypeInfo, ResourceTypeInfo } from './resource-types';
import { timeoutErrors } from './timing';

/** AWS Backup's limits that the rules enforce. */
export const LIMITS = {
  /** Lifecycle values are whole days in this range (100 years at most). */
  lifecycleMinDays: 1,
  lifecycleMaxDays: 36_500,
  /** A recovery point stays in cold storage at least this long. */
  coldStorageMinDays: 90,
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

/** BackupVaultName in the AWS Backup API model. */
const VAULT_NAME = '[a-zA-Z0-9\\-_]{2,50}';
export const VAULT_NAME_PATTERN = new RegExp(`^${VAULT_NAME}$`);
/** BackupOptionKey and BackupOptionValue in the AWS Backup API model. */
export const BACKUP_OPTION_PATTERN = /^[a-zA-Z0-9\-_.]{1,50}$/;
/** A backup vault's ARN. */
export const VAULT_ARN_PATTERN = new RegExp(`^arn:[a-z-]+:backup:[a-z0-9-]+:\\d{12}:backup-vault:${VAULT_NAME}$`);

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
    errors.push(`${names.resourceType} ("${settings.resourceType}") is not a resource type AWS Backup backs up (supported: ${RESOURCE_TYPE_NAMES.join(', ')})`);
  }

  if (settings.backupVaultName !== undefined && !VAULT_NAME_PATTERN.test(settings.backupVaultName)) {
    errors.push(`${names.backupVaultName} ("${settings.backupVaultName}") must be 2 to 50 characters: letters, digits, hyphens and underscores`);
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
    errors.push(`${names.windowsVss} (${settings.windowsVss}) contradicts ${names.backupOptions}.WindowsVSS ("${vssOption}"): give one of them`);
  }
  for (const [key, value] of Object.entries(settings.backupOptions ?? {})) {
    if (!BACKUP_OPTION_PATTERN.test(key) || !BACKUP_OPTION_PATTERN.test(value)) {
      errors.push(`${names.backupOptions} ("${key}": "${value}") must have a key and a value of 1 to 50 letters, digits, hyphens, underscores or dots`);
    }
  }
  if (settings.index !== undefined && type && !type.index) {
    errors.push(`${names.index} applies only to EBS and S3 backups (backup indexes); the resource is ${type.name}`);
  }

  if (settings.logicallyAirGappedBackupVaultArn !== undefined && !VAULT_ARN_PATTERN.test(settings.logicallyAirGappedBackupVaultArn)) {
    errors.push(`${names.logicallyAirGappedBackupVaultArn} ("${settings.logicallyAirGappedBackupVaultArn}") must be a backup vault ARN (arn:aws:backup:region:account:backup-vault:name)`);
  }

  for (const [key, value] of Object.entries(settings.recoveryPointTags ?? {})) {
    if (key.length < 1 || key.length > LIMITS.tagKeyMaxLength) {
      errors.push(`${names.recoveryPointTags} key "${key}" must be 1 to ${LIMITS.tagKeyMaxLength} characters`);
    } else if (key.toLowerCase().startsWith('aws:')) {
      errors.push(`${names.recoveryPointTags} key "${key}" must not start with "aws:" (reserved for AWS)`);
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

/** A recovery point's lifecycle, as a backup or a copy sets it. */
export interface LifecycleSettings {
  readonly moveToColdStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
  readonly optInToArchiveForSupportedResources?: boolean;
}

/** The names of the lifecycle settings where they were given. */
export type LifecycleNames = Readonly<Record<keyof LifecycleSettings, string>>;

/** Checks a lifecycle against AWS Backup's rules (whole days, 90 days in cold storage) and what the resource type does with it. */
export function validateLifecycle(settings: LifecycleSettings, type: ResourceTypeInfo | undefined, names: LifecycleNames): ValidationResult {
  const errors: string[] = [];
  const warnings: ValidationWarning[] = [];
  const cold = settings.moveToColdStorageAfterDays;
  const del = settings.deleteAfterDays;
  for (const [key, value] of [['moveToColdStorageAfterDays', cold], ['deleteAfterDays', del]] as const) {
    if (value !== undefined && !isWholeInRange(value, LIMITS.lifecycleMinDays, LIMITS.lifecycleMaxDays)) {
      errors.push(`${names[key]} (${amount(value, 'day')}) must be a whole number of days from ${LIMITS.lifecycleMinDays} to ${LIMITS.lifecycleMaxDays}`);
    }
  }
  if (cold !== undefined && del !== undefined && del < cold + LIMITS.coldStorageMinDays) {
    errors.push(`${names.deleteAfterDays} (${amount(del, 'day')}) must be at least ${names.moveToColdStorageAfterDays} + ${LIMITS.coldStorageMinDays} days (${amount(cold + LIMITS.coldStorageMinDays, 'day')}): a recovery point stays in cold storage for at least ${LIMITS.coldStorageMinDays} days`);
  }
  if (cold !== undefined && type) {
    if (type.coldStorage === 'ignored') {
      warnings.push({
        id: 'ColdStorageIgnored',
        message: `${names.moveToColdStorageAfterDays} (${amount(cold, 'day')}) has no effect: AWS Backup does not move ${type.name} backups to cold storage`,
      });
    } else if (type.coldStorage === 'opt-in' && settings.optInToArchiveForSupportedResources !== true) {
      warnings.push({
        id: 'ColdStorageNeedsOptIn',
        message: `${names.moveToColdStorageAfterDays} (${amount(cold, 'day')}) has no effect unless ${names.optInToArchiveForSupportedResources} is true: ${type.name} backups move to the archive tier only on opt-in`,
      });
    }
  }
  if (settings.optInToArchiveForSupportedResources === true && cold === undefined) {
    warnings.push({
      id: 'ArchiveOptInWithoutColdStorage',
      message: `${names.optInToArchiveForSupportedResources} has no effect without ${names.moveToColdStorageAfterDays}`,
    });
  }
  return { errors, warnings };
}
