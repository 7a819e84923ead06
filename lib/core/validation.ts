/**
 * The rules a backup job's settings must follow, as pure functions.
 *
 * The constructs call them at synth time and the CLI before it calls AWS. The
 * input holds plain numbers in the unit AWS Backup uses; a value that is not
 * known yet (an unresolved CDK token) is left out by the caller, so that no
 * rule ever judges a token.
 */
import { RESOURCE_TYPE_NAMES, resourceTypeInfo } from './resource-types';

/** AWS Backup's and CloudFormation's limits that the rules enforce. */
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
  /** CloudFormation waits at most this long for a custom resource (ServiceTimeout). */
  cloudFormationMaxWaitSeconds: 3_600,
  /** CloudFormation waits at most this long for a WaitCondition (its Timeout), the long-wait path's limit. */
  waitConditionMaxSeconds: 43_200,
  /** Kept from that hour for the last poll and the response to CloudFormation. */
  responseMarginSeconds: 120,
  /** The shortest per-job timeout. */
  timeoutMinSeconds: 60,
  /** Recovery point tag limits (AWS tagging rules). */
  tagKeyMaxLength: 128,
  tagValueMaxLength: 256,
} as const;

/** The longest per-job timeout: CloudFormation's limit less the response margin. */
export const MAX_TIMEOUT_SECONDS = LIMITS.cloudFormationMaxWaitSeconds - LIMITS.responseMarginSeconds;

/** BackupVaultName in the AWS Backup API model. */
const VAULT_NAME = '[a-zA-Z0-9\\-_]{2,50}';
export const VAULT_NAME_PATTERN = new RegExp(`^${VAULT_NAME}$`);
/** BackupOptionKey and BackupOptionValue in the AWS Backup API model. */
export const BACKUP_OPTION_PATTERN = /^[a-zA-Z0-9\-_.]{1,50}$/;
/** ResourceType in the AWS Backup API model (StartRestoreJob sends a type only when it matches). */
export const RESOURCE_TYPE_PATTERN = /^[a-zA-Z0-9\-_.]{1,50}$/;
const VAULT_ARN_PATTERN = new RegExp(`^arn:[a-z-]+:backup:[a-z0-9-]+:\\d{12}:backup-vault:${VAULT_NAME}$`);

/** The value of a metadata key, whatever its case (AWS Backup reads restore metadata keys without regard to case). */
export function metadataValue(metadata: Readonly<Record<string, string>>, key: string): string | undefined {
  const found = Object.keys(metadata).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : metadata[found];
}

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

/** A warning: the settings work, but probably not as the user meant. */
export interface ValidationWarning {
  /** A stable id, to acknowledge the warning. */
  readonly id: string;
  readonly message: string;
}

/** Every problem found, errors and warnings apart. */
export interface ValidationResult {
  readonly errors: string[];
  readonly warnings: ValidationWarning[];
}

/** Formats an amount with its unit: `1 day`, `30 days`, `0.5 days`. */
export function amount(value: number, unit: string): string {
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** Formats seconds in the largest whole unit: `2 hours`, `90 minutes`, `45 seconds`. */
export function formatSeconds(seconds: number): string {
  if (seconds !== 0 && seconds % 3600 === 0) return amount(seconds / 3600, 'hour');
  if (seconds !== 0 && seconds % 60 === 0) return amount(seconds / 60, 'minute');
  return amount(seconds, 'second');
}

function isWholeInRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/**
 * What is wrong with a job timeout in seconds (empty when nothing): whole
 * seconds, at least a minute, at most 12 hours (a WaitCondition's longest wait;
 * timeouts past 58 minutes take the long-wait path). `shortPath`: the limit of a
 * wait through the custom resource alone, as the handler checks a timeout that
 * was a token at synth.
 */
export function timeoutErrors(timeout: number | undefined, name: string, path: 'any' | 'short' = 'any'): string[] {
  if (timeout === undefined) return [];
  if (!Number.isInteger(timeout) || timeout < LIMITS.timeoutMinSeconds) {
    return [`${name} (${formatSeconds(timeout)}) must be a whole number of seconds, at least ${formatSeconds(LIMITS.timeoutMinSeconds)}`];
  }
  if (path === 'short' && timeout > MAX_TIMEOUT_SECONDS) {
    return [`${name} (${formatSeconds(timeout)}) must be at most ${formatSeconds(MAX_TIMEOUT_SECONDS)} here: CloudFormation waits at most ${formatSeconds(LIMITS.cloudFormationMaxWaitSeconds)} for a custom resource, and the handler keeps ${formatSeconds(LIMITS.responseMarginSeconds)} of it to answer (a timeout known at synth may be up to ${formatSeconds(LIMITS.waitConditionMaxSeconds)}: it then waits through a WaitCondition)`];
  }
  if (timeout > LIMITS.waitConditionMaxSeconds) {
    return [`${name} (${formatSeconds(timeout)}) must be at most ${formatSeconds(LIMITS.waitConditionMaxSeconds)}: the longest CloudFormation waits for anything (a WaitCondition, which timeouts past ${formatSeconds(MAX_TIMEOUT_SECONDS)} wait through)`];
  }
  return [];
}

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

  // Lifecycle
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

/** The settings of one restore job. Leave out what is unknown (tokens). */
export interface RestoreJobSettings {
  readonly resourceType?: string;
  /** The metadata overrides, as given (values may be tokens). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Whether a value is not known yet (a CDK token); such a value is only compared for identity. */
  readonly isUnresolved?: (value: string) => boolean;
  readonly useBackedUpMetadata: boolean;
  /** The name of the resource the recovery point was taken of, when known. */
  readonly sourceResourceName?: string;
  readonly timeoutSeconds?: number;
  /** Whether the restored resource is deleted with the stack (removal policy DESTROY). */
  readonly destroy?: boolean;
}

/** How each restore setting is called where it was given. */
export interface RestoreSettingNames {
  readonly resourceType: string;
  readonly metadata: string;
  readonly useBackedUpMetadata: string;
  readonly timeoutSeconds: string;
  readonly removalPolicy: string;
}

/** The names of the `RestoreJob` construct's props. */
export const RESTORE_CONSTRUCT_SETTING_NAMES: RestoreSettingNames = {
  resourceType: 'recoveryPoint.resourceType',
  metadata: 'metadata',
  useBackedUpMetadata: 'useBackedUpMetadata',
  timeoutSeconds: 'timeout',
  removalPolicy: 'removalPolicy',
};

/** Resource types whose restored resource the handlers can delete (removal policy DESTROY). */
export const RESTORE_DESTROY_TYPES: readonly string[] = ['DynamoDB'];

/** Checks a restore job's settings: the metadata AWS Backup needs for the type, and ours. */
export function validateRestoreJob(settings: RestoreJobSettings, names: RestoreSettingNames = RESTORE_CONSTRUCT_SETTING_NAMES): ValidationResult {
  const errors: string[] = [];
  const warnings: ValidationWarning[] = [];
  const type = settings.resourceType === undefined ? undefined : resourceTypeInfo(settings.resourceType);
  if (settings.resourceType !== undefined && !type) {
    errors.push(`${names.resourceType} ("${settings.resourceType}") is not a resource type AWS Backup backs up (supported: ${RESOURCE_TYPE_NAMES.join(', ')})`);
  }
  const keys = Object.keys(settings.metadata);
  const given = new Set(keys.map((k) => k.toLowerCase()));
  const valueOf = (key: string) => {
    const value = metadataValue(settings.metadata, key);
    return value === undefined || settings.isUnresolved?.(value) ? undefined : value;
  };

  if (type) {
    const required = [
      ...(type.requiredRestoreMetadata ?? []),
      ...(settings.useBackedUpMetadata ? [] : type.requiredRestoreMetadataWithoutBackedUp ?? []),
    ];
    const missing = [...new Set(required)].filter((key) => !given.has(key.toLowerCase()));
    if (missing.length > 0) {
      const them = missing.length > 1 ? 'them' : 'it';
      const needsOwn = (type.requiredRestoreMetadata ?? []).some((k) => missing.includes(k));
      const why = settings.useBackedUpMetadata || needsOwn
        ? `${type.name} restores need ${them}`
        : `${type.name} restores that do not start from the backed-up metadata (${names.useBackedUpMetadata}: false) need ${them}`;
      errors.push(`${names.metadata} must contain ${missing.map((k) => `"${k}"`).join(', ')}: ${why}`);
    }
    if (type.restoreTargetNameKey && settings.sourceResourceName !== undefined) {
      // Compared as given: two tokens are equal only when they are the same token.
      const target = metadataValue(settings.metadata, type.restoreTargetNameKey);
      if (target !== undefined && target === settings.sourceResourceName) {
        const shown = settings.isUnresolved?.(target) ? 'the same token' : `"${target}"`;
        errors.push(`${names.metadata}.${type.restoreTargetNameKey} (${shown}) must differ from the name of the ${type.name} resource the backup was taken of: the restore creates a new resource`);
      }
    }
    if (type.name === 'DynamoDB') {
      const encryption = valueOf('encryptionType');
      if (encryption !== undefined && encryption !== 'Default' && encryption !== 'KMS') {
        errors.push(`${names.metadata}.encryptionType ("${encryption}") must be "Default" or "KMS"`);
      }
      if (given.has('kmsmasterkeyarn') && encryption !== undefined && encryption !== 'KMS') {
        errors.push(`${names.metadata}.kmsMasterKeyArn needs encryptionType "KMS" (it is "${encryption}")`);
      }
    }
    if (type.restoreMetadataKeys) {
      const known = new Set(type.restoreMetadataKeys.map((k) => k.toLowerCase()));
      const unknown = keys.filter((k) => !known.has(k.toLowerCase()));
      if (unknown.length > 0) {
        warnings.push({
          id: 'UnknownRestoreMetadata',
          message: `${names.metadata} has ${unknown.map((k) => `"${k}"`).join(', ')}, which AWS Backup does not document for ${type.name} restores (known: ${type.restoreMetadataKeys.join(', ')})`,
        });
      }
    }
    if (settings.destroy && !RESTORE_DESTROY_TYPES.includes(type.name)) {
      errors.push(`${names.removalPolicy} DESTROY deletes restored ${RESTORE_DESTROY_TYPES.join(', ')} resources only; a restored ${type.name} resource would be left behind (use RETAIN)`);
    }
  }
  errors.push(...timeoutErrors(settings.timeoutSeconds, names.timeoutSeconds));
  return { errors, warnings };
}

/** Joins errors into one message: every problem, one per line. */
export function formatErrors(subject: string, errors: readonly string[]): string {
  return `${subject} has ${amount(errors.length, 'invalid setting')}:\n${errors.map((e) => `  - ${e}`).join('\n')}`;
}
