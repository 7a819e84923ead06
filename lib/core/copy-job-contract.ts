/**
 * The contract of the copy job kind: the Custom::CopyJob (and its long wait's
 * Custom::CopyJobResult) resource type, the properties the CopyJob construct
 * renders, the attributes its handler answers with, the mapping from a copy's
 * settings to the StartCopyJob request (used by the construct and the CLI),
 * and how the handler reads the properties back.
 */
import { LifecycleProperties, lifecycleRequest, parseLifecycle } from './backup-job-contract';
import {
  Delivered, dropUndefined, JobResourceContract, JobResultProperties, LongWaitSpec, parseBoolean, parseLongWait, parseRemovalPolicy, parseTimeout,
  requiredString, WaitProperties,
} from './properties';

/** What StartCopyJob is asked (but its idempotency token), as the construct renders it. */
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
  readonly AllowPartial?: boolean;
}

/** The attributes of a Custom::CopyJob (all strings, all always present). */
export interface CopyJobAttributes {
  readonly CopyJobId: string;
  /** The copy: a recovery point in the destination vault (its region and account). */
  readonly DestinationRecoveryPointArn: string;
  readonly DestinationBackupVaultArn: string;
  readonly SourceRecoveryPointArn: string;
  readonly State: string;
  readonly StatusMessage: string;
  readonly BackupSizeInBytes: string;
  readonly CreationDate: string;
  readonly CompletionDate: string;
  readonly ResourceType: string;
}

export const COPY_JOB: JobResourceContract<CopyJobResourceProperties, CopyJobAttributes> = { resourceType: 'Custom::CopyJob' };

export const COPY_JOB_RESULT: JobResourceContract<JobResultProperties, CopyJobAttributes> = { resourceType: 'Custom::CopyJobResult' };

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

/** StartCopyJob as the handlers send it (but its token). */
export interface StartCopyJobRequest {
  readonly RecoveryPointArn: string;
  readonly SourceBackupVaultName: string;
  readonly DestinationBackupVaultArn: string;
  readonly IamRoleArn: string;
  readonly Lifecycle?: LifecycleProperties;
}

/** The copy properties as the handler uses them. */
export interface CopyJobSpec {
  readonly start: StartCopyJobRequest;
  readonly resourceType: string;
  readonly waitForCompletion: boolean;
  readonly timeoutSeconds: number;
  readonly allowPartial: boolean;
  /** Removal policy DESTROY: the copy (the destination recovery point) is deleted with the resource. */
  readonly destroyOnDelete: boolean;
  readonly longWait?: LongWaitSpec;
}

/** Reads the copy job resource's properties. Throws, naming the property, on a malformed one. */
export function parseCopyJobProperties(raw: Delivered<CopyJobResourceProperties>): CopyJobSpec {
  const longWait = parseLongWait(raw);
  return {
    start: dropUndefined({
      RecoveryPointArn: requiredString(raw, 'RecoveryPointArn'),
      SourceBackupVaultName: requiredString(raw, 'SourceBackupVaultName'),
      DestinationBackupVaultArn: requiredString(raw, 'DestinationBackupVaultArn'),
      IamRoleArn: requiredString(raw, 'IamRoleArn'),
      Lifecycle: parseLifecycle(raw.Lifecycle),
    }),
    resourceType: requiredString(raw, 'ResourceType'),
    waitForCompletion: parseBoolean(raw.WaitForCompletion, 'WaitForCompletion') ?? true,
    timeoutSeconds: parseTimeout(raw, longWait),
    allowPartial: parseBoolean(raw.AllowPartial, 'AllowPartial') ?? false,
    destroyOnDelete: parseRemovalPolicy(raw) === 'destroy',
    longWait,
  };
}
