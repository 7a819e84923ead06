/**
 * The contract of the copy job kind: the Custom::CopyJob (and its long wait's
 * Custom::CopyJobResult) resource type, the properties the CopyJob construct
 * renders, the attributes its handler answers with, the mapping from a copy's
 * settings to the StartCopyJob request (used by the construct and the CLI),
 * and how the handler reads the properties back.
 */
import { LifecycleProperties, lifecycleRequest, parseLifecycle } from './lifecycle';
import { AttributesOf, Delivered, dropUndefined, JobContract, parseWaitSpec, requiredString, WaitProperties, WaitSpec } from './properties';

/** What StartCopyJob is asked (but its idempotency token): as the construct renders it, and as the handler sends it once parsed. */
export interface CopyJobRequestProperties {
  readonly RecoveryPointArn: string;
  readonly SourceBackupVaultName: string;
  readonly DestinationBackupVaultArn: string;
  readonly IamRoleArn: string;
  /** The lifecycle of the copy in the destination vault. */
  readonly Lifecycle?: LifecycleProperties;
}

/** The properties of a Custom::CopyJob: the request, and how the handler waits and cleans up. */
export interface CopyJobResourceProperties extends CopyJobRequestProperties, WaitProperties {
  readonly ResourceType: string;
  readonly Trigger?: string;
}

/**
 * The attributes of a Custom::CopyJob, as DescribeCopyJob names them. The copy
 * is DestinationRecoveryPointArn: a recovery point in the destination vault
 * (its Region and account).
 */
const COPY_JOB_ATTRIBUTES = {
  text: ['CopyJobId', 'DestinationRecoveryPointArn', 'DestinationBackupVaultArn', 'SourceRecoveryPointArn', 'State', 'StatusMessage', 'ResourceType'],
  dates: ['CreationDate', 'CompletionDate'],
  bytes: ['BackupSizeInBytes'],
} as const;

/** The attributes of a Custom::CopyJob (all strings, all always present). */
export type CopyJobAttributes = AttributesOf<typeof COPY_JOB_ATTRIBUTES>;

export const COPY_JOB: JobContract<CopyJobResourceProperties, CopyJobAttributes> = {
  resourceType: 'Custom::CopyJob',
  kind: 'copy',
  result: { resourceType: 'Custom::CopyJobResult' },
  attributes: COPY_JOB_ATTRIBUTES,
  idAttribute: 'CopyJobId',
};

/** A copy as a user asks for it (the construct's props, the CLI's options), lengths in days. A value may be a token. */
export interface CopyRequest {
  readonly recoveryPointArn: string;
  readonly sourceBackupVaultName: string;
  readonly destinationBackupVaultArn: string;
  readonly iamRoleArn: string;
  readonly moveToColdStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
  readonly optInToArchiveForSupportedResources?: boolean;
}

/** The StartCopyJob request for a copy: the one mapping from settings to the API, used by the construct and the CLI. */
export function copyJobRequest(request: CopyRequest): CopyJobRequestProperties {
  return dropUndefined({
    RecoveryPointArn: request.recoveryPointArn,
    SourceBackupVaultName: request.sourceBackupVaultName,
    DestinationBackupVaultArn: request.destinationBackupVaultArn,
    IamRoleArn: request.iamRoleArn,
    Lifecycle: lifecycleRequest(request),
  });
}

/** The copy properties as the handler uses them. */
export interface CopyJobSpec extends WaitSpec {
  readonly start: CopyJobRequestProperties;
  readonly resourceType: string;
}

/** Reads the copy job resource's properties. Throws, naming the property, on a malformed one. */
export function parseCopyJobProperties(raw: Delivered<CopyJobResourceProperties>): CopyJobSpec {
  return {
    ...parseWaitSpec(raw),
    start: dropUndefined({
      RecoveryPointArn: requiredString(raw, 'RecoveryPointArn'),
      SourceBackupVaultName: requiredString(raw, 'SourceBackupVaultName'),
      DestinationBackupVaultArn: requiredString(raw, 'DestinationBackupVaultArn'),
      IamRoleArn: requiredString(raw, 'IamRoleArn'),
      Lifecycle: parseLifecycle(raw.Lifecycle),
    }),
    resourceType: requiredString(raw, 'ResourceType'),
  };
}
