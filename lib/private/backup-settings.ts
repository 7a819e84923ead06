/**
 * What the constructs that take backups (BackupJob, BackupBeforeRemoval) share
 * about their settings: the checks of the props, the lengths in AWS Backup's
 * units (each converted once), the settings the core's rules judge, the vault
 * and role they create, and the StartBackupJob request they render.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { BackupSettings } from '../backup-settings';
import { backupJobRequest, BackupJobRequestProperties } from '../core/backup-job-contract';
import type { BackupJobSettings } from '../core/backup-job-rules';
import type { ProtectedResource } from '../protected-resource';
import { ownVaultGrant } from './backup-job-grants';
import { inUnit, known, knownMap } from './durations';
import { recordGrant } from './grants';
import { generatedVaultName } from './names';
import { newBackupRole } from './service-roles';

/** The problems of the vault props (a name or a lock only for the vault the construct creates). */
export function settingsErrors(props: BackupSettings): string[] {
  const errors: string[] = [];
  if (props.backupVault && props.backupVaultName !== undefined) {
    errors.push('backupVaultName names the vault this construct creates; it cannot be used with backupVault');
  }
  if (props.backupVault && props.vaultLock !== undefined) {
    errors.push('vaultLock configures the vault this construct creates; it cannot be used with backupVault (lock that vault where it is defined)');
  }
  return errors;
}

/** The lengths of a backup in AWS Backup's units, each converted once (a value may be a token). */
export interface Lengths {
  readonly moveToColdStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
  readonly startWindowMinutes?: number;
  readonly completeWindowMinutes?: number;
  readonly timeoutSeconds?: number;
  readonly minRetentionDays?: number;
  readonly maxRetentionDays?: number;
}

export function lengthsOf(props: BackupSettings, timeout: Duration, errors: string[]): Lengths {
  return {
    moveToColdStorageAfterDays: inUnit(props.lifecycle?.moveToColdStorageAfter, 'days', 'lifecycle.moveToColdStorageAfter', errors),
    deleteAfterDays: inUnit(props.lifecycle?.deleteAfter, 'days', 'lifecycle.deleteAfter', errors),
    startWindowMinutes: inUnit(props.startWindow, 'minutes', 'startWindow', errors),
    completeWindowMinutes: inUnit(props.completeWindow, 'minutes', 'completeWindow', errors),
    timeoutSeconds: inUnit(timeout, 'seconds', 'timeout', errors),
    minRetentionDays: inUnit(props.vaultLock?.minRetention, 'days', 'vaultLock.minRetention', errors),
    maxRetentionDays: inUnit(props.vaultLock?.maxRetention, 'days', 'vaultLock.maxRetention', errors),
  };
}

/** The settings the core's rules judge, as far as they are known at synth (the timeout is each construct's own rule). */
export function settingsOf(resourceType: string, props: BackupSettings, lengths: Lengths): BackupJobSettings {
  const vaultName = props.backupVault ? props.backupVault.backupVaultName : props.backupVaultName;
  return {
    resourceType,
    backupVaultName: known(vaultName),
    moveToColdStorageAfterDays: known(lengths.moveToColdStorageAfterDays),
    deleteAfterDays: known(lengths.deleteAfterDays),
    optInToArchiveForSupportedResources: props.lifecycle?.optInToArchiveForSupportedResources,
    startWindowMinutes: known(lengths.startWindowMinutes),
    completeWindowMinutes: known(lengths.completeWindowMinutes),
    recoveryPointTags: knownMap(props.recoveryPointTags),
    windowsVss: props.windowsVss,
    backupOptions: knownMap(props.backupOptions),
    index: props.index,
    logicallyAirGappedBackupVaultArn: known(props.logicallyAirGappedBackupVaultArn),
    vaultLock: props.backupVault || !props.vaultLock ? undefined : {
      minRetentionDays: known(lengths.minRetentionDays),
      maxRetentionDays: known(lengths.maxRetentionDays),
    },
  };
}

/**
 * The vault and the role of a construct: those given, or new ones (a vault
 * with removal policy RETAIN, named by the stack's pattern; a role for AWS
 * Backup under the stack's role path). The handlers' permissions never refer
 * to the vaults and roles the constructs create, so that constructs may
 * depend on one another.
 */
export function backupVaultAndRole(scope: Construct, props: BackupSettings, resourceType: string): { vault: backup.IBackupVault; role: iam.IRole } {
  const vault = props.backupVault ?? new backup.BackupVault(scope, 'Vault', {
    backupVaultName: props.backupVaultName ?? generatedVaultName(scope),
    lockConfiguration: props.vaultLock,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  if (!props.backupVault) recordGrant(vault, ownVaultGrant(scope, props.backupVaultName, vault));
  return { vault, role: props.backupRole ?? newBackupRole(scope, resourceType) };
}

/** The StartBackupJob request a construct renders (the core's one mapping from settings to the API). */
export function backupRequestOf(
  resource: ProtectedResource, props: BackupSettings, vault: backup.IBackupVault, role: iam.IRole, lengths: Lengths,
): BackupJobRequestProperties {
  return backupJobRequest({
    resourceArn: resource.resourceArn,
    backupVaultName: vault.backupVaultName,
    iamRoleArn: role.roleArn,
    startWindowMinutes: lengths.startWindowMinutes,
    completeWindowMinutes: lengths.completeWindowMinutes,
    moveToColdStorageAfterDays: lengths.moveToColdStorageAfterDays,
    deleteAfterDays: lengths.deleteAfterDays,
    optInToArchiveForSupportedResources: props.lifecycle?.optInToArchiveForSupportedResources,
    recoveryPointTags: props.recoveryPointTags,
    windowsVss: props.windowsVss,
    backupOptions: props.backupOptions,
    index: props.index,
    logicallyAirGappedBackupVaultArn: props.logicallyAirGappedBackupVaultArn,
  });
}
