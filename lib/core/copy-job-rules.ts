/**
 * The rules a copy job's settings must follow, as pure functions: the
 * destination vault's ARN, a destination that differs from the source, the
 * copy's lifecycle, the timeout, and what the removal policy can delete. The
 * CopyJob construct calls them at synth time and the CLI before it calls AWS.
 */
import { parseVaultArn } from './arns';
import { validateLifecycle } from './lifecycle';
import { quoted, ValidationResult } from './messages';
import { RESOURCE_TYPE_NAMES, resourceTypeInfo } from './resource-types';
import { timeoutErrors } from './timing';

/** The settings of one copy job. Leave out what is unknown (tokens). */
export interface CopyJobSettings {
  readonly resourceType?: string;
  /** The ARN of the vault the recovery point is in, when known. */
  readonly sourceBackupVaultArn?: string;
  readonly destinationBackupVaultArn?: string;
  readonly moveToColdStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
  readonly optInToArchiveForSupportedResources?: boolean;
  readonly timeoutSeconds?: number;
  /** The account the copy job runs in (the source's), when known. */
  readonly account?: string;
  /** Whether the copy is deleted with the resource (removal policy DESTROY). */
  readonly destroy?: boolean;
}

/** How each copy setting is called where it was given. */
export type CopySettingNames = Readonly<Record<Exclude<keyof CopyJobSettings, 'account' | 'sourceBackupVaultArn' | 'destroy'> | 'removalPolicy', string>>;

/** The names of the `CopyJob` construct's props. */
export const COPY_CONSTRUCT_SETTING_NAMES: CopySettingNames = {
  resourceType: 'recoveryPoint.resourceType',
  destinationBackupVaultArn: 'destinationBackupVault',
  moveToColdStorageAfterDays: 'lifecycle.moveToColdStorageAfter',
  deleteAfterDays: 'lifecycle.deleteAfter',
  optInToArchiveForSupportedResources: 'lifecycle.optInToArchiveForSupportedResources',
  timeoutSeconds: 'timeout',
  removalPolicy: 'removalPolicy',
};

/**
 * Removal policy DESTROY of a copy into another account: the copy cannot be
 * deleted from the copy job's account (the synth checks it where the stack's
 * account is known, the handler at deploy time where it was not).
 */
export function destroyAcrossAccountsErrors(destinationAccount: string, account: string, name: string): string[] {
  return destinationAccount === account ? [] : [`${name} DESTROY deletes the copy from this account (${account}); the destination vault is in account ${destinationAccount}, where only that account can delete it (use RETAIN, and the destination vault's lifecycle)`];
}

/** Checks a copy job's settings against AWS Backup's rules and ours. */
export function validateCopyJob(settings: CopyJobSettings, names: CopySettingNames = COPY_CONSTRUCT_SETTING_NAMES): ValidationResult {
  const errors: string[] = [];
  const type = settings.resourceType === undefined ? undefined : resourceTypeInfo(settings.resourceType);
  if (settings.resourceType !== undefined && !type) {
    errors.push(`${names.resourceType} (${quoted(settings.resourceType)}) is not a resource type AWS Backup backs up (supported: ${RESOURCE_TYPE_NAMES.join(', ')})`);
  }
  const destinationArn = settings.destinationBackupVaultArn;
  const destination = destinationArn === undefined ? undefined : parseVaultArn(destinationArn);
  if (destinationArn !== undefined && !destination) {
    errors.push(`${names.destinationBackupVaultArn} (${quoted(destinationArn)}) must be a backup vault ARN (arn:aws:backup:region:account:backup-vault:name)`);
  }
  if (destinationArn !== undefined && settings.sourceBackupVaultArn !== undefined && destinationArn === settings.sourceBackupVaultArn) {
    errors.push(`${names.destinationBackupVaultArn} (${quoted(destinationArn)}) must differ from the vault the recovery point is in: a copy goes to another vault (another region or account for disaster recovery)`);
  }
  const lifecycle = validateLifecycle(settings, type, {
    moveToColdStorageAfterDays: names.moveToColdStorageAfterDays,
    deleteAfterDays: names.deleteAfterDays,
    optInToArchiveForSupportedResources: names.optInToArchiveForSupportedResources,
  });
  errors.push(...lifecycle.errors);
  if (settings.destroy && destination && settings.account !== undefined) errors.push(...destroyAcrossAccountsErrors(destination.account, settings.account, names.removalPolicy));
  errors.push(...timeoutErrors(settings.timeoutSeconds, names.timeoutSeconds));
  return { errors, warnings: lifecycle.warnings };
}
