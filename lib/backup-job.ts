import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BackupSettings } from './backup-settings';
import { BACKUP_JOB, BackupJobResourceProperties } from './core/backup-job-contract';
import { validateBackupJob } from './core/backup-job-rules';
import { formatErrors } from './core/messages';
import { DEFAULT_TIMEOUT_SECONDS } from './core/timing';
import { ProtectedResource } from './protected-resource';
import { grantDeleteRecoveryPoints, grantReadOwnerTags, grantStartBackupJob, grantStopBackupJob } from './private/backup-job-grants';
import { backupRequestOf, backupVaultAndRole, lengthsOf, settingsErrors, settingsOf } from './private/backup-settings';
import { known } from './private/durations';
import { grantOf } from './private/grants';
import { removalPolicyErrors, renderJob, waitProperties } from './private/job-resource';
import { JobProvider } from './private/provider';
import { passRoleGrant } from './private/service-roles';

/** Properties of a {@link BackupJob}. */
export interface BackupJobProps extends BackupSettings {
  /** What to back up. */
  readonly resource: ProtectedResource;

  /**
   * Any string; a new backup is taken whenever it changes, e.g. the version of
   * the migration the backup protects.
   *
   * @default - a new backup only when another property changes
   */
  readonly trigger?: string;

  /**
   * Wait for the job to end before the deployment goes on. When false, the
   * resource is complete once the job is created (and the attributes that
   * describe the finished backup are empty or zero).
   *
   * @default true
   */
  readonly waitForCompletion?: boolean;

  /**
   * How long the deployment waits for the backup, including a wait for another
   * job of the same resource to end (AWS Backup runs one at a time), before it
   * fails. Whole seconds, from one minute to 12 hours. A timeout given as a
   * token (a parameter) may be at most 58 minutes.
   *
   * @default Duration.minutes(58)
   */
  readonly timeout?: Duration;

  /**
   * Accept a job that ends PARTIAL (some of the resource was not backed up) as a success.
   *
   * @default false
   */
  readonly allowPartial?: boolean;

  /**
   * What happens to the recovery point when the resource is deleted or
   * replaced (a new backup replaces the old resource): RETAIN keeps it, DESTROY
   * deletes it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An on-demand AWS Backup job taken during `cdk deploy`.
 *
 * The deployment goes on only when the backup is COMPLETED; any other end fails
 * it with AWS Backup's StatusMessage. Make a migration wait for the backup with
 * `migration.node.addDependency(job)` or `trigger.executeAfter(job)`. A backup
 * may take up to 12 hours (`timeout`).
 *
 * @example
 * const job = new BackupJob(this, 'Snapshot', {
 *   resource: ProtectedResource.fromDynamoDbTable(table),
 *   lifecycle: { deleteAfter: Duration.days(35) },
 *   trigger: 'migration-0042',
 * });
 */
export class BackupJob extends Construct {
  /** The id of the backup job. */
  public readonly backupJobId: string;
  /** The ARN of the recovery point the job makes. */
  public readonly recoveryPointArn: string;
  /** The size of the backup in bytes (a string; "0" until the job completes). */
  public readonly backupSizeInBytes: string;
  /** When the job was created (ISO 8601). */
  public readonly creationDate: string;
  /** When the job completed (ISO 8601; empty when not waited for). */
  public readonly completionDate: string;
  /** The job's state when the resource completed (COMPLETED, or PARTIAL with `allowPartial`). */
  public readonly state: string;
  /** AWS Backup's status message for the job (often empty). */
  public readonly statusMessage: string;
  /**
   * AWS Backup's message category for the job: `SUCCESS`, or what its status
   * message is about. A COMPLETED job with another category "completed with
   * issues" (AWS Backup's console); the deployment accepts it and logs a warning.
   */
  public readonly messageCategory: string;
  /** The ARN of the vault the recovery point is in. */
  public readonly backupVaultArn: string;
  /** The vault the recovery point is stored in. */
  public readonly backupVault: backup.IBackupVault;
  /** The role AWS Backup assumes for the job. */
  public readonly backupRole: iam.IRole;
  /** What is backed up. */
  public readonly resource: ProtectedResource;

  constructor(scope: Construct, id: string, props: BackupJobProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);

    // Every check before anything is created; all problems in one error.
    const errors = [...settingsErrors(props), ...removalPolicyErrors(removalPolicy)];
    const lengths = lengthsOf(props, timeout, errors);
    const result = validateBackupJob({ ...settingsOf(props.resource.resourceType, props, lengths), timeoutSeconds: known(lengths.timeoutSeconds) });
    errors.push(...result.errors);
    if (errors.length > 0) {
      throw new Error(formatErrors(`BackupJob ${this.node.path}`, errors));
    }
    for (const warning of result.warnings) {
      Annotations.of(this).addWarningV2(`cdk-backup-jobs:${warning.id}`, warning.message);
    }

    this.resource = props.resource;
    const { vault, role } = backupVaultAndRole(this, props, props.resource.resourceType);
    this.backupVault = vault;
    this.backupRole = role;

    const provider = JobProvider.getOrCreate(this);
    grantStartBackupJob(provider, grantOf(this.backupVault, this.backupVault.backupVaultArn), passRoleGrant(this.backupRole), props.logicallyAirGappedBackupVaultArn);
    grantStopBackupJob(provider, props.resource.resourceType);
    grantReadOwnerTags(provider);

    const properties: BackupJobResourceProperties = {
      ...backupRequestOf(props.resource, props, vault, role, lengths),
      ResourceType: props.resource.resourceType,
      Trigger: props.trigger,
      // The timeout was converted (and checked to be whole seconds) with the other lengths.
      ...waitProperties(props, lengths.timeoutSeconds!, removalPolicy),
    };
    const { resource, attribute } = renderJob(this, provider, BACKUP_JOB, properties);
    if (removalPolicy === RemovalPolicy.DESTROY) {
      grantDeleteRecoveryPoints(provider, resource, props.resource.resourceType, props.resource.resourceName);
    }
    if (props.backupRole) {
      // A role given by the user may get its permissions from policies declared elsewhere.
      resource.node.addDependency(props.backupRole);
    }

    this.backupJobId = attribute('BackupJobId');
    this.recoveryPointArn = attribute('RecoveryPointArn');
    this.backupSizeInBytes = attribute('BackupSizeInBytes');
    this.creationDate = attribute('CreationDate');
    this.completionDate = attribute('CompletionDate');
    this.state = attribute('State');
    this.statusMessage = attribute('StatusMessage');
    this.messageCategory = attribute('MessageCategory');
    this.backupVaultArn = attribute('BackupVaultArn');
  }
}

