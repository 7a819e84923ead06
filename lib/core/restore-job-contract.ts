/**
 * The contract of the restore job kind: the Custom::RestoreJob (and its long
 * wait's Custom::RestoreJobResult) resource type, the properties the RestoreJob
 * construct renders, the attributes its handler answers with, and how the
 * handler reads the properties back.
 */
import {
  AttributesOf, Delivered, JobContract, optionalString, parseBoolean, parseWaitSpec, requiredString, stringMap, WaitProperties, WaitSpec,
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
  /** A Lambda function that validates the restored resource once the restore COMPLETED (restore-validation.ts). */
  readonly ValidationFunctionArn?: string;
  readonly Trigger?: string;
}

/** The attributes of a Custom::RestoreJob, as DescribeRestoreJob names them. */
const RESTORE_JOB_ATTRIBUTES = {
  text: ['RestoreJobId', 'CreatedResourceArn', 'Status', 'StatusMessage', 'RecoveryPointArn', 'ResourceType'],
  dates: ['CreationDate', 'CompletionDate'],
  bytes: ['BackupSizeInBytes'],
} as const;

/** The attributes of a Custom::RestoreJob (all strings, all always present). */
export type RestoreJobAttributes = AttributesOf<typeof RESTORE_JOB_ATTRIBUTES>;

export const RESTORE_JOB: JobContract<RestoreJobResourceProperties, RestoreJobAttributes> = {
  resourceType: 'Custom::RestoreJob',
  kind: 'restore',
  result: { resourceType: 'Custom::RestoreJobResult' },
  attributes: RESTORE_JOB_ATTRIBUTES,
  idAttribute: 'RestoreJobId',
};

/** The restore properties as the handler uses them. */
export interface RestoreJobSpec extends WaitSpec {
  readonly recoveryPointArn: string;
  readonly backupVaultName: string;
  readonly resourceType: string;
  readonly metadata: Record<string, string>;
  readonly useBackedUpMetadata: boolean;
  readonly iamRoleArn?: string;
  readonly copySourceTagsToRestoredResource?: boolean;
  readonly validationFunctionArn?: string;
}

/** Reads the restore job resource's properties. Throws, naming the property, on a malformed one. */
export function parseRestoreJobProperties(raw: Delivered<RestoreJobResourceProperties>): RestoreJobSpec {
  return {
    ...parseWaitSpec(raw),
    recoveryPointArn: requiredString(raw, 'RecoveryPointArn'),
    backupVaultName: requiredString(raw, 'BackupVaultName'),
    resourceType: requiredString(raw, 'ResourceType'),
    metadata: stringMap(raw.Metadata, 'Metadata') ?? {},
    useBackedUpMetadata: parseBoolean(raw.UseBackedUpMetadata, 'UseBackedUpMetadata') ?? true,
    iamRoleArn: optionalString(raw, 'IamRoleArn'),
    copySourceTagsToRestoredResource: parseBoolean(raw.CopySourceTagsToRestoredResource, 'CopySourceTagsToRestoredResource'),
    validationFunctionArn: optionalString(raw, 'ValidationFunctionArn'),
  };
}
