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
  /** The recovery point copied, when its ARN is known. */
  readonly recoveryPointArn?: string;
  /** Whether the recovery point is itself a copy (a CopyJob's). */
  readonly copyOfACopy?: boolean;
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
export type CopySettingNames = Readonly<Record<Exclude<keyof CopyJobSettings, 'account' | 'sourceBackupVaultArn' | 'destroy' | 'recoveryPointArn' | 'copyOfACopy'> | 'removalPolicy' | 'recoveryPoint', string>>;

/** The types AWS Backup copies one hop only (a copy of a copy is refused). */
const ONE_HOP_TYPES: readonly string[] = ['RDS', 'Aurora'];

/** The names of the `CopyJob` construct's props. */
export const COPY_CONSTRUCT_SETTING_NAMES: CopySettingNames = {
  resourceType: 'recoveryPoint.resourceType',
  recoveryPoint: 'recoveryPoint',
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
  if (settings.recoveryPointArn !== undefined && isContinuousRecoveryPoint(settings.recoveryPointArn)) errors.push(...sourceRefusals(settings.recoveryPointArn).map((r) => `${names.recoveryPoint}: ${r}`));
  if (settings.copyOfACopy && ONE_HOP_TYPES.includes(settings.resourceType ?? '')) {
    errors.push(`${names.recoveryPoint} is a copy of a ${settings.resourceType} backup, and AWS Backup copies ${ONE_HOP_TYPES.join(' and ')} snapshots one hop only (copy the original backup to each destination); see ${COPY_DOCS.copy}`);
  }
  if (settings.destroy && destination && settings.account !== undefined) errors.push(...destroyAcrossAccountsErrors(destination.account, settings.account, names.removalPolicy));
  errors.push(...timeoutErrors(settings.timeoutSeconds, names.timeoutSeconds));
  return { errors, warnings: lifecycle.warnings };
}

/** Where AWS documents what a copy needs. */
export const COPY_DOCS = {
  crossAccount: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/manage-cross-account.html',
  copy: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html',
  continuous: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery-copying.html',
} as const;

/** What the Organization's cross-account backup setting says of a copy into another account, if it refuses it. */
export function crossAccountRefusal(setting: { enabled?: boolean; outsideOrganization?: string }, destinationAccount: string): string | undefined {
  if (setting.outsideOrganization !== undefined) {
    return `a copy into another account (${destinationAccount}) needs both accounts in one AWS Organization, and this account is in no AWS Organization (DescribeGlobalSettings: ${setting.outsideOrganization}); see ${COPY_DOCS.crossAccount}`;
  }
  if (setting.enabled === false) {
    return `a copy into another account (${destinationAccount}) needs cross-account backup, and cross-account backup is turned off for this account's AWS Organization: its management account turns it on (AWS Backup settings, or UpdateGlobalSettings isCrossAccountBackupEnabled=true); see ${COPY_DOCS.crossAccount}`;
  }
  return undefined;
}

/** A source recovery point AWS Backup does not copy: one in cold storage, or a continuous (point-in-time) one. */
export function sourceRefusals(recoveryPointArn: string, storageClass?: string): string[] {
  const refusals: string[] = [];
  if (storageClass === 'COLD') {
    refusals.push(`the recovery point ${recoveryPointArn} is in cold storage, and AWS Backup does not copy a recovery point in cold storage or the archive tier; see ${COPY_DOCS.copy}`);
  }
  if (isContinuousRecoveryPoint(recoveryPointArn)) {
    refusals.push(`the recovery point ${recoveryPointArn} is a continuous (point-in-time) backup, and AWS Backup does not copy continuous backups on demand (copy a snapshot backup of the resource); see ${COPY_DOCS.continuous}`);
  }
  return refusals;
}

/** Whether a recovery point ARN names a continuous backup (`recovery-point:continuous:...`). */
export function isContinuousRecoveryPoint(recoveryPointArn: string): boolean {
  return /:recovery-point:continuous:/.test(recoveryPointArn);
}
