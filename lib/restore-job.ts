import { Annotations, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { formatErrors } from './core/messages';
import { RESTORE_JOB, RestoreJobResourceProperties } from './core/restore-job-contract';
import { metadataValue, validateRestoreJob } from './core/restore-job-rules';
import { DEFAULT_TIMEOUT_SECONDS } from './core/timing';
import { removalPolicyErrors, renderJob, waitProperties } from './private/job-resource';
import { JobProvider } from './private/provider';
import { grantDeleteRestoredTable, grantRestoreValidation, grantStartRestoreJob } from './private/restore-job-grants';
import { newRestoreRole, passRoleGrant } from './private/service-roles';
import { regionErrors, sourceOf, waitForMakers } from './private/recovery-point-use';
import { RecoveryPoint } from './recovery-point';

/** Properties of a {@link RestoreJob}. */
export interface RestoreJobProps {
  /** What to restore, e.g. `RecoveryPoint.fromBackupJob(job)`. */
  readonly recoveryPoint: RecoveryPoint;

  /**
   * Restore metadata: overrides of the backed-up metadata (or, without
   * `useBackedUpMetadata`, all of it). A DynamoDB restore needs `targetTableName`.
   * Keys are read without regard to case.
   *
   * @default - none
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartRestoreJob.html#Backup-StartRestoreJob-request-Metadata
   */
  readonly metadata?: Record<string, string>;

  /**
   * Start from the metadata AWS Backup recorded with the recovery point
   * (GetRecoveryPointRestoreMetadata) and apply `metadata` over it. When false,
   * only `metadata` is sent.
   *
   * @default true
   */
  readonly useBackedUpMetadata?: boolean;

  /**
   * The role AWS Backup assumes to restore.
   *
   * @default - a new role for backup.amazonaws.com with AWSBackupServiceRolePolicyForRestores
   *   (and AWSBackupServiceRolePolicyForS3Restore for S3)
   */
  readonly restoreRole?: iam.IRole;

  /**
   * Copy the tags of the backup to the restored resource.
   *
   * @default - AWS Backup's default (no)
   */
  readonly copySourceTagsToRestoredResource?: boolean;

  /**
   * A Lambda function that validates the restored resource once the restore
   * COMPLETED: invoked with `{ RestoreJobId, CreatedResourceArn, ResourceType,
   * RecoveryPointArn }`, it answers `{ ValidationStatus: 'SUCCESSFUL' | 'FAILED'
   * | 'TIMED_OUT' | 'VALIDATING', ValidationStatusMessage?: string }`. SUCCESSFUL
   * completes the resource; FAILED and TIMED_OUT fail the deploy (what depends on
   * the restore, the migration, does not run); VALIDATING is asked again at the
   * next poll (a check that takes longer than a minute answers VALIDATING until it
   * is done). The answer is reported to AWS Backup (PutRestoreValidationResult).
   * It runs within the restore's `timeout` (on the long-wait path, past 58
   * minutes, within 58 minutes more once the restore COMPLETED).
   *
   * @default - no validation
   */
  readonly validation?: lambda.IFunction;

  /**
   * Any string; a new restore is made whenever it changes.
   *
   * @default - a new restore only when another property changes
   */
  readonly trigger?: string;

  /**
   * Wait for the restore to end before the deployment goes on. When false, the
   * resource is complete once the restore job is started.
   *
   * @default true
   */
  readonly waitForCompletion?: boolean;

  /**
   * How long the deployment waits for the restore before it fails (AWS Backup
   * cannot stop a restore job: it goes on). Whole seconds, from one minute to
   * 12 hours. A timeout given as a token (a parameter) may be at most 58 minutes.
   *
   * @default Duration.minutes(58)
   */
  readonly timeout?: Duration;

  /**
   * What happens to the restored resource when this resource is deleted or
   * replaced: RETAIN keeps it, DESTROY deletes it (DynamoDB tables).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An AWS Backup restore job run during `cdk deploy`: StartRestoreJob from a
 * recovery point, and the deployment waits until the restore ends. The
 * second half of a pre-migration snapshot: knowing that it restores.
 *
 * @example
 * const restoreTest = new RestoreJob(this, 'RestoreTest', {
 *   recoveryPoint: RecoveryPoint.fromBackupJob(snapshot),
 *   metadata: { targetTableName: 'orders-restore-test' },
 *   removalPolicy: RemovalPolicy.DESTROY,
 * });
 */
export class RestoreJob extends Construct {
  /** The id of the restore job. */
  public readonly restoreJobId: string;
  /** The ARN of the resource the restore created (empty when not waited for). */
  public readonly createdResourceArn: string;
  /** The restore's status when the resource completed (COMPLETED when waited for). */
  public readonly status: string;
  /** AWS Backup's status message for the restore (often empty). */
  public readonly statusMessage: string;
  /** When the restore job was created (ISO 8601). */
  public readonly creationDate: string;
  /** When the restore job completed (ISO 8601; empty when not waited for). */
  public readonly completionDate: string;
  /** The size of the backup that was restored, in bytes (a string). */
  public readonly backupSizeInBytes: string;
  /** The role AWS Backup assumes for the restore. */
  public readonly restoreRole: iam.IRole;
  /** What is restored. */
  public readonly recoveryPoint: RecoveryPoint;

  constructor(scope: Construct, id: string, props: RestoreJobProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
    const recoveryPoint = props.recoveryPoint;
    const metadata = props.metadata ?? {};

    const errors = removalPolicyErrors(removalPolicy);
    const tokenKeys = Object.keys(metadata).filter((k) => Token.isUnresolved(k));
    if (tokenKeys.length > 0) errors.push('metadata keys must be known at synth (a key is a token)');
    const result = validateRestoreJob({
      resourceType: recoveryPoint.resourceType,
      metadata,
      isUnresolved: (value) => Token.isUnresolved(value),
      useBackedUpMetadata: props.useBackedUpMetadata !== false,
      sourceResourceName: recoveryPoint.sourceResourceName,
      timeoutSeconds: timeout.isUnresolved() ? undefined : timeout.toSeconds({ integral: false }),
      destroy: removalPolicy === RemovalPolicy.DESTROY,
    });
    errors.push(...result.errors);
    errors.push(...regionErrors(this, recoveryPoint, 'restore', ' (restore a cross-Region copy from a stack in that Region, with RecoveryPoint.fromArn)'));
    if (props.validation && props.waitForCompletion === false) errors.push('validation needs waitForCompletion: a restore that is not waited for is never validated');
    if (errors.length > 0) throw new Error(formatErrors(`RestoreJob ${this.node.path}`, errors));
    for (const warning of result.warnings) {
      Annotations.of(this).addWarningV2(`cdk-backup-jobs:${warning.id}`, warning.message);
    }

    this.recoveryPoint = recoveryPoint;
    this.restoreRole = props.restoreRole ?? newRestoreRole(this, recoveryPoint.resourceType);

    const provider = JobProvider.getOrCreate(this);
    grantStartRestoreJob(provider, recoveryPoint.resourceType, passRoleGrant(this.restoreRole), sourceOf(this, recoveryPoint));
    const targetTable = metadataValue(metadata, 'targetTableName');

    const timeoutSeconds = timeout.toSeconds();
    const properties: RestoreJobResourceProperties = {
      RecoveryPointArn: recoveryPoint.recoveryPointArn,
      BackupVaultName: recoveryPoint.backupVault.backupVaultName,
      ResourceType: recoveryPoint.resourceType,
      Metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
      UseBackedUpMetadata: props.useBackedUpMetadata === false ? false : undefined,
      IamRoleArn: this.restoreRole.roleArn,
      CopySourceTagsToRestoredResource: props.copySourceTagsToRestoredResource,
      ValidationFunctionArn: props.validation?.functionArn,
      Trigger: props.trigger,
      // A restore cannot end PARTIAL.
      ...waitProperties({ waitForCompletion: props.waitForCompletion }, timeoutSeconds, removalPolicy),
    };
    const { resource, attribute } = renderJob(this, provider, RESTORE_JOB, properties, { judged: props.validation !== undefined });
    if (props.validation) grantRestoreValidation(provider, props.validation.functionArn);
    if (removalPolicy === RemovalPolicy.DESTROY && targetTable !== undefined) {
      grantDeleteRestoredTable(provider, resource, targetTable);
    }
    // The restore waits for the backup (or copy).
    waitForMakers(resource, [recoveryPoint]);
    if (props.restoreRole) resource.node.addDependency(props.restoreRole);

    this.restoreJobId = attribute('RestoreJobId');
    this.createdResourceArn = attribute('CreatedResourceArn');
    this.status = attribute('Status');
    this.statusMessage = attribute('StatusMessage');
    this.creationDate = attribute('CreationDate');
    this.completionDate = attribute('CompletionDate');
    this.backupSizeInBytes = attribute('BackupSizeInBytes');
  }
}
