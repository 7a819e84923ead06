/**
 * The contract of the restore job kind: the Custom::RestoreJob (and its long
 * wait's Custom::RestoreJobResult) resource type, the properties the RestoreJob
 * construct renders, the attributes its handler answers with, and how the
 * handler reads the properties back.
 */
import {
  Delivered, JobResourceContract, JobResultProperties, LongWaitSpec, optionalString, parseBoolean, parseLongWait, parseRemovalPolicy, parseTimeout,
  requiredString, stringMap, WaitProperties,
} from './properties';

/** The properties of a Custom::RestoreJob, as the construct renders it. */
export interface RestoreJobResourceProperties extends WaitProperties {
  readonly RecoveryPointArn: string;
  readonly BackupVaultName: string;
  readonly ResourceType: string;
  readonly Metadata?: Record<string, string>;
  readonly UseBackedUpMetadata?: boolean;
  readonly IamRoleArn?: string;
  readonly CopySourceTagsToRestoredResource?: boolean;
  readonly Trigger?: string;
}

/** The attributes of a Custom::RestoreJob (all strings, all always present). */
export interface RestoreJobAttributes {
  readonly RestoreJobId: string;
  readonly CreatedResourceArn: string;
  readonly Status: string;
  readonly StatusMessage: string;
  readonly RecoveryPointArn: string;
  readonly ResourceType: string;
  readonly BackupSizeInBytes: string;
  readonly CreationDate: string;
  readonly CompletionDate: string;
}

export const RESTORE_JOB: JobResourceContract<RestoreJobResourceProperties, RestoreJobAttributes> = { resourceType: 'Custom::RestoreJob' };

export const RESTORE_JOB_RESULT: JobResourceContract<JobResultProperties, RestoreJobAttributes> = { resourceType: 'Custom::RestoreJobResult' };

/** The restore properties as the handler uses them. */
export interface RestoreJobSpec {
  readonly recoveryPointArn: string;
  readonly backupVaultName: string;
  readonly resourceType: string;
  readonly metadata: Record<string, string>;
  readonly useBackedUpMetadata: boolean;
  readonly iamRoleArn?: string;
  readonly copySourceTagsToRestoredResource?: boolean;
  readonly waitForCompletion: boolean;
  readonly timeoutSeconds: number;
  readonly destroyOnDelete: boolean;
  readonly longWait?: LongWaitSpec;
}

/** Reads the restore job resource's properties. Throws, naming the property, on a malformed one. */
export function parseRestoreJobProperties(raw: Delivered<RestoreJobResourceProperties>): RestoreJobSpec {
  const longWait = parseLongWait(raw);
  return {
    recoveryPointArn: requiredString(raw, 'RecoveryPointArn'),
    backupVaultName: requiredString(raw, 'BackupVaultName'),
    resourceType: requiredString(raw, 'ResourceType'),
    metadata: stringMap(raw.Metadata, 'Metadata') ?? {},
    useBackedUpMetadata: parseBoolean(raw.UseBackedUpMetadata, 'UseBackedUpMetadata') ?? true,
    iamRoleArn: optionalString(raw, 'IamRoleArn'),
    copySourceTagsToRestoredResource: parseBoolean(raw.CopySourceTagsToRestoredResource, 'CopySourceTagsToRestoredResource'),
    waitForCompletion: parseBoolean(raw.WaitForCompletion, 'WaitForCompletion') ?? true,
    timeoutSeconds: parseTimeout(raw, longWait),
    destroyOnDelete: parseRemovalPolicy(raw) === 'destroy',
    longWait,
  };
}
