/**
 * The contract of the backup job kind: the Custom::BackupJob (and its long
 * wait's Custom::BackupJobResult) resource type, the properties the BackupJob
 * construct renders, the attributes its handler answers with, the mapping from
 * a backup's settings to the StartBackupJob request (used by the construct and
 * the CLI), and how the handler reads the properties back.
 */
import { LifecycleProperties, lifecycleRequest, parseLifecycle } from './lifecycle';
import {
  AttributesOf, Delivered, dropUndefined, JobContract, optionalString, parseInteger, parseWaitSpec, requiredString, stringMap, WaitProperties, WaitSpec,
} from './properties';

/**
 * What StartBackupJob is asked (but its token): as the construct renders it
 * (numbers and booleans become strings on the way), and as the handler sends
 * it once parsed.
 */
export interface BackupJobRequestProperties {
  readonly ResourceArn: string;
  readonly BackupVaultName: string;
  readonly IamRoleArn: string;
  readonly StartWindowMinutes?: number;
  readonly CompleteWindowMinutes?: number;
  readonly Lifecycle?: LifecycleProperties;
  readonly RecoveryPointTags?: Record<string, string>;
  readonly BackupOptions?: Record<string, string>;
  readonly Index?: 'ENABLED' | 'DISABLED';
  readonly LogicallyAirGappedBackupVaultArn?: string;
}

/** The properties of a Custom::BackupJob: the request, and how the handler waits and cleans up. */
export interface BackupJobResourceProperties extends BackupJobRequestProperties, WaitProperties {
  readonly ResourceType: string;
  readonly Trigger?: string;
}

/**
 * The attributes of a Custom::BackupJob, as DescribeBackupJob names them.
 * MessageCategory: SUCCESS, or what the job's message is about (a COMPLETED
 * job with another category "completed with issues").
 */
const BACKUP_JOB_ATTRIBUTES = {
  text: ['BackupJobId', 'RecoveryPointArn', 'State', 'StatusMessage', 'BackupVaultArn', 'ResourceType', 'MessageCategory'],
  dates: ['CreationDate', 'CompletionDate'],
  bytes: ['BackupSizeInBytes'],
} as const;

/** The attributes of a Custom::BackupJob (all strings, all always present). */
export type BackupJobAttributes = AttributesOf<typeof BACKUP_JOB_ATTRIBUTES>;

export const BACKUP_JOB: JobContract<BackupJobResourceProperties, BackupJobAttributes> = {
  resourceType: 'Custom::BackupJob',
  kind: 'backup',
  result: { resourceType: 'Custom::BackupJobResult' },
  attributes: BACKUP_JOB_ATTRIBUTES,
  idAttribute: 'BackupJobId',
};

/**
 * A backup as a user asks for it (the construct's props, the CLI's options),
 * with lengths already in AWS Backup's units. A value may be a token.
 */
export interface BackupRequest {
  readonly resourceArn: string;
  readonly backupVaultName: string;
  readonly iamRoleArn: string;
  readonly startWindowMinutes?: number;
  readonly completeWindowMinutes?: number;
  readonly moveToColdStorageAfterDays?: number;
  readonly deleteAfterDays?: number;
  readonly optInToArchiveForSupportedResources?: boolean;
  readonly recoveryPointTags?: Record<string, string>;
  /** A Windows VSS backup (true), or explicitly not (false). */
  readonly windowsVss?: boolean;
  readonly backupOptions?: Record<string, string>;
  readonly index?: boolean;
  readonly logicallyAirGappedBackupVaultArn?: string;
}

/** The StartBackupJob request for a backup: the one mapping from settings to the API, used by the construct and the CLI. */
export function backupJobRequest(request: BackupRequest): BackupJobRequestProperties {
  const backupOptions: Record<string, string> = { ...request.backupOptions };
  if (request.windowsVss !== undefined) backupOptions.WindowsVSS = request.windowsVss ? 'enabled' : 'disabled';
  return dropUndefined({
    ResourceArn: request.resourceArn,
    BackupVaultName: request.backupVaultName,
    IamRoleArn: request.iamRoleArn,
    StartWindowMinutes: request.startWindowMinutes,
    CompleteWindowMinutes: request.completeWindowMinutes,
    Lifecycle: lifecycleRequest(request),
    RecoveryPointTags: request.recoveryPointTags,
    BackupOptions: Object.keys(backupOptions).length > 0 ? backupOptions : undefined,
    Index: request.index === undefined ? undefined : request.index ? 'ENABLED' : 'DISABLED',
    LogicallyAirGappedBackupVaultArn: request.logicallyAirGappedBackupVaultArn,
  });
}

/** The properties as the handler uses them. */
export interface BackupJobSpec extends WaitSpec {
  readonly start: BackupJobRequestProperties;
  readonly resourceType: string;
}

/** Reads the StartBackupJob request a resource's properties carry (a BackupJob's, a removal guard's). Throws, naming the property, on a malformed one. */
export function parseStartBackupJobRequest(raw: Delivered<BackupJobRequestProperties>): BackupJobRequestProperties {
  const index = optionalString(raw, 'Index');
  if (index !== undefined && index !== 'ENABLED' && index !== 'DISABLED') {
    throw new Error(`Property Index must be ENABLED or DISABLED (got ${JSON.stringify(index)})`);
  }
  return dropUndefined({
    BackupVaultName: requiredString(raw, 'BackupVaultName'),
    ResourceArn: requiredString(raw, 'ResourceArn'),
    IamRoleArn: requiredString(raw, 'IamRoleArn'),
    StartWindowMinutes: parseInteger(raw.StartWindowMinutes, 'StartWindowMinutes'),
    CompleteWindowMinutes: parseInteger(raw.CompleteWindowMinutes, 'CompleteWindowMinutes'),
    Lifecycle: parseLifecycle(raw.Lifecycle),
    RecoveryPointTags: stringMap(raw.RecoveryPointTags, 'RecoveryPointTags'),
    BackupOptions: stringMap(raw.BackupOptions, 'BackupOptions'),
    Index: index as 'ENABLED' | 'DISABLED' | undefined,
    LogicallyAirGappedBackupVaultArn: optionalString(raw, 'LogicallyAirGappedBackupVaultArn'),
  });
}

/** Reads the custom resource's properties. Throws, naming the property, on a malformed one. */
export function parseBackupJobProperties(raw: Delivered<BackupJobResourceProperties>): BackupJobSpec {
  return { ...parseWaitSpec(raw), start: parseStartBackupJobRequest(raw), resourceType: requiredString(raw, 'ResourceType') };
}
