import { Token } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import type { IConstruct } from 'constructs';
import type { BackupJob } from './backup-job';
import { parseArn } from './core/arns';
import { RESOURCE_TYPE_NAMES, resourceTypeInfo } from './core/resource-types';

/** A copy job of this app, as a recovery point of its copy knows it: a `CopyJob`. */
export interface ICopyJob extends IConstruct {
  /** The ARN of the copy: a recovery point in the destination vault. */
  readonly destinationRecoveryPointArn: string;
  /** The vault the copy is made in. */
  readonly destinationBackupVault: backup.IBackupVault;
  /** What is copied. */
  readonly recoveryPoint: RecoveryPoint;
}

/** What is known of a recovery point made elsewhere. */
export interface RecoveryPointAttributes {
  /** The vault the recovery point is in. */
  readonly backupVault: backup.IBackupVault;
  /** AWS Backup's name of the type of the resource it was taken of (`DynamoDB`, `EFS`, ...). */
  readonly resourceType: string;
  /**
   * The name of the resource it was taken of, to keep a restore from
   * targeting it (a DynamoDB table's name).
   *
   * @default - not checked
   */
  readonly sourceResourceName?: string;
}

/**
 * A recovery point to restore or copy: one a {@link BackupJob} or a
 * `CopyJob` of this app makes, or one made elsewhere.
 */
export class RecoveryPoint {
  /**
   * The recovery point of a backup job: its ARN, vault and resource type come
   * from the job, and a restore from it waits for the backup to complete.
   */
  public static fromBackupJob(job: BackupJob): RecoveryPoint {
    return new RecoveryPoint(job.recoveryPointArn, job.backupVault, job.resource.resourceType, job.resource.resourceName, job);
  }

  /**
   * The copy a copy job makes, in its destination vault: to restore it (in
   * the destination's Region) or copy it again. A restore or copy from it
   * waits for the copy to complete.
   */
  public static fromCopyJob(job: ICopyJob): RecoveryPoint {
    const source = job.recoveryPoint;
    return new RecoveryPoint(job.destinationRecoveryPointArn, job.destinationBackupVault, source.resourceType, source.sourceResourceName, undefined, job);
  }

  /** A recovery point given by its ARN. */
  public static fromArn(recoveryPointArn: string, attributes: RecoveryPointAttributes): RecoveryPoint {
    const problems: string[] = [];
    if (!Token.isUnresolved(recoveryPointArn) && !parseArn(recoveryPointArn)) {
      problems.push(`recoveryPointArn ("${recoveryPointArn}") is not an ARN`);
    }
    if (!resourceTypeInfo(attributes.resourceType)) {
      problems.push(`resourceType ("${attributes.resourceType}") is not a resource type AWS Backup backs up (supported: ${RESOURCE_TYPE_NAMES.join(', ')})`);
    }
    if (problems.length > 0) throw new Error(`RecoveryPoint.fromArn: ${problems.join('; ')}`);
    return new RecoveryPoint(recoveryPointArn, attributes.backupVault, attributes.resourceType, attributes.sourceResourceName);
  }

  private constructor(
    /** The recovery point's ARN. */
    public readonly recoveryPointArn: string,
    /** The vault it is in. */
    public readonly backupVault: backup.IBackupVault,
    /** AWS Backup's name of the type of the resource it was taken of. */
    public readonly resourceType: string,
    /** The name of the resource it was taken of, when known. */
    public readonly sourceResourceName?: string,
    /** The backup job that makes it, when it is one of this app's. */
    public readonly backupJob?: BackupJob,
    /** The copy job that makes it, when it is one of this app's. */
    public readonly copyJob?: ICopyJob,
  ) {}
}
