/**
 * The contract of the backup-before-removal kind: the Custom::BackupBeforeRemoval
 * resource type (a guard that CloudFormation deletes or updates just before it
 * deletes or replaces the guarded resource), the properties the
 * BackupBeforeRemoval construct renders, the attributes its handler answers
 * with, the tags that mark the recovery points it makes, and how the handler
 * reads the properties back.
 */
import { BackupJobRequestProperties, parseStartBackupJobRequest } from './backup-job-contract';
import { Delivered, JobResourceContract, OWNER_TAGS, parseBoolean, parseInteger, requiredString } from './properties';
import { timeoutErrors } from './timing';

/** The properties of a Custom::BackupBeforeRemoval: the backup's request, and when to take it. */
export interface BackupBeforeRemovalProperties extends BackupJobRequestProperties {
  readonly ResourceType: string;
  /** The guarded resource's logical id in the stack (to tell, when the guard goes, whether the resource goes too). */
  readonly ResourceLogicalId: string;
  readonly TimeoutSeconds: number;
  readonly AllowPartial?: boolean;
  /** false when CloudFormation keeps the resource when it deletes it (DeletionPolicy Retain or Snapshot): no backup then. */
  readonly BackupOnDelete?: boolean;
  /** false when CloudFormation keeps the old resource of a replacement (UpdateReplacePolicy Retain or Snapshot). */
  readonly BackupOnReplace?: boolean;
  /** Turn the resource's deletion protection on when its backup before its deletion fails (DynamoDB tables). */
  readonly ProtectOnFailure?: boolean;
}

/**
 * A guard has no attributes: what it backed up is found by the recovery
 * point's tags (REMOVAL_TAGS), and in its handler's log.
 */
export type BackupBeforeRemovalAttributes = Record<string, never>;

export const BACKUP_BEFORE_REMOVAL: JobResourceContract<BackupBeforeRemovalProperties, BackupBeforeRemovalAttributes> = {
  resourceType: 'Custom::BackupBeforeRemoval',
};

/**
 * The resource types whose own deletion protection the guard turns on when it
 * could not back the resource up before its deletion, and the IAM action that
 * does it (on the resource's own ARN): DynamoDB's DeletionProtectionEnabled,
 * RDS's and Aurora's DeletionProtection, EC2's DisableApiTermination.
 */
export const DELETION_PROTECTION = {
  DynamoDB: { action: 'dynamodb:UpdateTable' },
  RDS: { action: 'rds:ModifyDBInstance' },
  Aurora: { action: 'rds:ModifyDBCluster' },
  EC2: { action: 'ec2:ModifyInstanceAttribute' },
} as const;

/** A resource type the guard can protect from deletion. */
export type ProtectableType = keyof typeof DELETION_PROTECTION;

export const PROTECTABLE_RESOURCE_TYPES: ReadonlySet<string> = new Set(Object.keys(DELETION_PROTECTION));

/** Why a backup was taken before a removal: a recovery point's tag. */
export type RemovalReason = 'stack-deletion' | 'removal' | 'replacement';

/** The tags on every recovery point taken before a removal, so that it is found after the stack is gone. */
export const REMOVAL_TAGS = {
  ...OWNER_TAGS,
  reason: 'cdk-backup-jobs:reason',
} as const;

/** The tags that mark a recovery point taken before the removal of a stack's resource. */
export function removalTags(stackName: string, logicalId: string, reason: RemovalReason): Record<string, string> {
  return { [REMOVAL_TAGS.stack]: stackName, [REMOVAL_TAGS.logicalId]: logicalId, [REMOVAL_TAGS.reason]: reason };
}

export { stackNameOf } from './properties';

/** The properties as the handler uses them. */
export interface BackupBeforeRemovalSpec {
  readonly start: BackupJobRequestProperties;
  readonly resourceType: string;
  readonly resourceLogicalId: string;
  readonly timeoutSeconds: number;
  readonly allowPartial: boolean;
  readonly backupOnDelete: boolean;
  readonly backupOnReplace: boolean;
  readonly protectOnFailure: boolean;
}

/** Reads the guard's properties. Throws, naming the property, on a malformed one. */
export function parseBackupBeforeRemovalProperties(raw: Delivered<BackupBeforeRemovalProperties>): BackupBeforeRemovalSpec {
  const timeoutSeconds = parseInteger(raw.TimeoutSeconds, 'TimeoutSeconds');
  if (timeoutSeconds === undefined) throw new Error(`Property TimeoutSeconds is required (got ${JSON.stringify(raw.TimeoutSeconds)})`);
  const [problem] = timeoutErrors(timeoutSeconds, 'Property TimeoutSeconds', 'removal');
  if (problem) throw new Error(problem);
  return {
    start: parseStartBackupJobRequest(raw),
    resourceType: requiredString(raw, 'ResourceType'),
    resourceLogicalId: requiredString(raw, 'ResourceLogicalId'),
    timeoutSeconds,
    allowPartial: parseBoolean(raw.AllowPartial, 'AllowPartial') ?? false,
    backupOnDelete: parseBoolean(raw.BackupOnDelete, 'BackupOnDelete') ?? true,
    backupOnReplace: parseBoolean(raw.BackupOnReplace, 'BackupOnReplace') ?? true,
    protectOnFailure: parseBoolean(raw.ProtectOnFailure, 'ProtectOnFailure') ?? false,
  };
}
