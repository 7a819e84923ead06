import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { BackupJobLifecycle } from './backup-settings';
import { parseVaultArn } from './core/arns';
import { COPY_JOB, copyJobRequest, CopyJobResourceProperties } from './core/copy-job-contract';
import { validateCopyJob } from './core/copy-job-rules';
import { formatErrors } from './core/messages';
import { DEFAULT_TIMEOUT_SECONDS } from './core/timing';
import { grantDeleteCopies, grantStartCopyJob } from './private/copy-job-grants';
import { inUnit, known } from './private/durations';
import { removalPolicyErrors, renderJob, waitProperties } from './private/job-resource';
import { JobProvider } from './private/provider';
import { newAwsBackupServiceRole, passRoleGrant } from './private/service-roles';
import { sourceOf, waitForMakers } from './private/recovery-point-use';
import { ICopyJob, RecoveryPoint } from './recovery-point';

/** Properties of a {@link CopyJob}. */
export interface CopyJobProps {
  /** What to copy, e.g. `RecoveryPoint.fromBackupJob(job)`. */
  readonly recoveryPoint: RecoveryPoint;

  /**
   * The vault to copy into: in another Region and/or another account (e.g.
   * `BackupVault.fromBackupVaultArn(this, 'Dr', 'arn:aws:backup:us-west-2:...')`),
   * or another vault of this account and Region. A vault in another account
   * must let this account copy in (its access policy allows
   * `backup:CopyIntoBackupVault`; see `CopyJob.allowCopiesFrom`).
   */
  readonly destinationBackupVault: backup.IBackupVault;

  /**
   * The role AWS Backup assumes to copy. It needs `backup:CopyIntoBackupVault`
   * on the destination vault and, for an encrypted copy into another account,
   * the destination key's permissions.
   *
   * @default - a new role for backup.amazonaws.com with AWSBackupServiceRolePolicyForBackup
   */
  readonly copyRole?: iam.IRole;

  /**
   * When the copy moves to cold storage and when it is deleted, in the
   * destination vault.
   *
   * @default - the copy keeps the lifecycle of the recovery point it copies
   */
  readonly lifecycle?: BackupJobLifecycle;

  /**
   * Any string; a new copy is made whenever it changes.
   *
   * @default - a new copy only when another property changes
   */
  readonly trigger?: string;

  /**
   * Wait for the copy to end before the deployment goes on. When false, the
   * resource is complete once the copy job is started.
   *
   * @default true
   */
  readonly waitForCompletion?: boolean;

  /**
   * How long the deployment waits for the copy before it fails (AWS Backup
   * cannot stop a copy job: it goes on). Whole seconds, from one minute to 12
   * hours; past 58 minutes the wait goes through a WaitCondition. A timeout
   * given as a token (a parameter) may be at most 58 minutes.
   *
   * @default Duration.minutes(58)
   */
  readonly timeout?: Duration;

  /**
   * Accept a copy that ends PARTIAL (a composite recovery point some of whose
   * members were not copied) instead of failing the deployment.
   *
   * @default false
   */
  readonly allowPartial?: boolean;

  /**
   * What happens to the copy when this resource is deleted or replaced:
   * RETAIN keeps it (the usual choice for a disaster-recovery copy), DESTROY
   * deletes it, in its Region (only a copy into this account).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An AWS Backup copy job run during `cdk deploy`: StartCopyJob of a recovery
 * point into another vault (another Region or account for disaster recovery),
 * and the deployment waits until the copy is COMPLETED. Any other end fails
 * the deployment with AWS Backup's status message.
 *
 * @example
 * const drCopy = new CopyJob(this, 'DrCopy', {
 *   recoveryPoint: RecoveryPoint.fromBackupJob(snapshot),
 *   destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'DrVault',
 *     'arn:aws:backup:us-west-2:123456789012:backup-vault:dr'),
 *   lifecycle: { deleteAfter: Duration.days(35) },
 * });
 * migration.node.addDependency(drCopy);
 */
export class CopyJob extends Construct implements ICopyJob {
  /**
   * Lets accounts copy into a vault (its access policy allows
   * `backup:CopyIntoBackupVault` from them): for a destination vault defined
   * in your own CDK app, in the destination account.
   */
  public static allowCopiesFrom(destinationVault: backup.BackupVault, sourceAccounts: string[]): void {
    const problems = sourceAccounts.filter((a) => !Token.isUnresolved(a) && !/^\d{12}$/.test(a)).map((a) => `"${a}"`);
    if (sourceAccounts.length === 0 || problems.length > 0) {
      throw new Error(`CopyJob.allowCopiesFrom: sourceAccounts must be one or more 12-digit account ids${problems.length > 0 ? ` (not ${problems.join(', ')})` : ''}`);
    }
    destinationVault.addToAccessPolicy(new iam.PolicyStatement({
      sid: 'AllowCopiesFromSourceAccounts',
      actions: ['backup:CopyIntoBackupVault'],
      principals: sourceAccounts.map((account) => new iam.AccountPrincipal(account)),
      resources: ['*'],
    }));
  }

  /** The id of the copy job. */
  public readonly copyJobId: string;
  /** The ARN of the copy: a recovery point in the destination vault. */
  public readonly destinationRecoveryPointArn: string;
  /** The copy's state when the resource completed (COMPLETED, or PARTIAL with `allowPartial`). */
  public readonly state: string;
  /** AWS Backup's status message for the copy (often empty). */
  public readonly statusMessage: string;
  /** The size of the copied backup in bytes (a string). */
  public readonly backupSizeInBytes: string;
  /** When the copy job was created (ISO 8601). */
  public readonly creationDate: string;
  /** When the copy job completed (ISO 8601; empty when not waited for). */
  public readonly completionDate: string;
  /** What is copied. */
  public readonly recoveryPoint: RecoveryPoint;
  /** The vault the copy is made in. */
  public readonly destinationBackupVault: backup.IBackupVault;
  /** The role AWS Backup assumes for the copy. */
  public readonly copyRole: iam.IRole;

  constructor(scope: Construct, id: string, props: CopyJobProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
    const recoveryPoint = props.recoveryPoint;
    const destination = props.destinationBackupVault;

    // Every check before anything is created; all problems in one error.
    const errors = removalPolicyErrors(removalPolicy);
    const cold = inUnit(props.lifecycle?.moveToColdStorageAfter, 'days', 'lifecycle.moveToColdStorageAfter', errors);
    const deleteAfter = inUnit(props.lifecycle?.deleteAfter, 'days', 'lifecycle.deleteAfter', errors);
    const timeoutSeconds = inUnit(timeout, 'seconds', 'timeout', errors);
    const destinationArn = destination.backupVaultArn;
    const sourceArn = recoveryPoint.backupVault.backupVaultArn;
    const result = validateCopyJob({
      resourceType: recoveryPoint.resourceType,
      recoveryPointArn: known(recoveryPoint.recoveryPointArn),
      copyOfACopy: recoveryPoint.copyJob !== undefined,
      destinationBackupVaultArn: known(destinationArn),
      // Compared as given: two tokens are the same vault only when they are the same token.
      sourceBackupVaultArn: sourceArn === destinationArn ? sourceArn : known(sourceArn),
      moveToColdStorageAfterDays: known(cold),
      deleteAfterDays: known(deleteAfter),
      optInToArchiveForSupportedResources: props.lifecycle?.optInToArchiveForSupportedResources,
      timeoutSeconds: known(timeoutSeconds),
      account: known(Stack.of(this).account),
      destroy: removalPolicy === RemovalPolicy.DESTROY,
    });
    errors.push(...result.errors);
    if (sourceArn === destinationArn && Token.isUnresolved(destinationArn)) {
      errors.push('destinationBackupVault must differ from the vault the recovery point is in: a copy goes to another vault (another region or account for disaster recovery)');
    }
    if (errors.length > 0) throw new Error(formatErrors(`CopyJob ${this.node.path}`, errors));
    for (const warning of result.warnings) {
      Annotations.of(this).addWarningV2(`cdk-backup-jobs:${warning.id}`, warning.message);
    }

    this.recoveryPoint = recoveryPoint;
    this.destinationBackupVault = destination;
    this.copyRole = props.copyRole ?? newAwsBackupServiceRole(this, 'CopyRole', 'copy', ['service-role/AWSBackupServiceRolePolicyForBackup'],
      'Assumed by AWS Backup to copy a recovery point (cdk-backup-jobs)');

    const provider = JobProvider.getOrCreate(this);
    const destinationAccount = known(destinationArn) === undefined ? undefined : parseVaultArn(destinationArn)?.account;
    const stackAccount = known(Stack.of(this).account);
    grantStartCopyJob(provider, recoveryPoint.resourceType, passRoleGrant(this.copyRole), sourceOf(this, recoveryPoint),
      destinationAccount === undefined || stackAccount === undefined || destinationAccount !== stackAccount);

    const properties: CopyJobResourceProperties = {
      ...copyJobRequest({
        recoveryPointArn: recoveryPoint.recoveryPointArn,
        sourceBackupVaultName: recoveryPoint.backupVault.backupVaultName,
        destinationBackupVaultArn: destinationArn,
        iamRoleArn: this.copyRole.roleArn,
        moveToColdStorageAfterDays: cold,
        deleteAfterDays: deleteAfter,
        optInToArchiveForSupportedResources: props.lifecycle?.optInToArchiveForSupportedResources,
      }),
      ResourceType: recoveryPoint.resourceType,
      Trigger: props.trigger,
      ...waitProperties(props, timeoutSeconds!, removalPolicy),
    };
    const { resource, attribute } = renderJob(this, provider, COPY_JOB, properties);
    if (removalPolicy === RemovalPolicy.DESTROY) {
      grantDeleteCopies(provider, resource, recoveryPoint.resourceType, destinationRegionOf(destination));
    }
    // The copy waits for the backup (or the copy) it copies: that custom resource completes only when it did.
    waitForMakers(resource, [recoveryPoint]);
    if (props.copyRole) resource.node.addDependency(props.copyRole);

    this.copyJobId = attribute('CopyJobId');
    this.destinationRecoveryPointArn = attribute('DestinationRecoveryPointArn');
    this.state = attribute('State');
    this.statusMessage = attribute('StatusMessage');
    this.backupSizeInBytes = attribute('BackupSizeInBytes');
    this.creationDate = attribute('CreationDate');
    this.completionDate = attribute('CompletionDate');
  }
}

/** The Region of a vault: from its ARN when known, else its environment's. */
function destinationRegionOf(vault: backup.IBackupVault): string {
  const parsed = Token.isUnresolved(vault.backupVaultArn) ? undefined : parseVaultArn(vault.backupVaultArn);
  return parsed?.region ?? vault.env.region;
}
