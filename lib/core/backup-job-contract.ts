/**
 * The contract of the backup job kind: the Custom::BackupJob (and its long
 * wait's Custom::BackupJobResult) resource type, the properties the BackupJob
 * construct renders, the attributes its handler answers with, the mapping from
 * a backup's settings to the StartBackupJob request (used by the construct and
 * the CLI), and how the handler reads the properties back.
 */
import {
  Delivered, dropUndefined, JobResourceContract, JobResultProperties, LongWaitSpec, optionalString, parseBoolean, parseInteger, parseLongWait,
  parseRemovalPolicy, parseTimeout, requiredString, stringMap, WaitProperties,
} from './properties';

/** What StartBackupJob is asked, as the construct renders it (numbers and booleans become strings on the way). */
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
  readonly AllowPartial?: boolean;
}

/** The attributes of a Custom::BackupJob (all strings, all always present). */
export interface BackupJobAttributes {
  readonly BackupJobId: string;
  readonly RecoveryPointArn: string;
  readonly State: string;
  readonly StatusMessage: string;
  readonly BackupSizeInBytes: string;
  readonly CreationDate: string;
  readonly CompletionDate: string;
  readonly BackupVaultArn: string;
  readonly ResourceType: string;
  /** SUCCESS, or what the job's message is about: a COMPLETED job with another category "completed with issues". */
  readonly MessageCategory: string;
}

export const BACKUP_JOB: JobResourceContract<BackupJobResourceProperties, BackupJobAttributes> = { resourceType: 'Custom::BackupJob' };

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

/** A recovery point's lifecycle in a request (StartBackupJob, StartCopyJob). */
export interface LifecycleProperties {
  readonly MoveToColdStorageAfterDays?: number;
  readonly DeleteAfterDays?: number;
  readonly OptInToArchiveForSupportedResources?: boolean;
}

/** A lifecycle in AWS Backup's units: the one mapping from settings to the API's Lifecycle (undefined when empty). */
export function lifecycleRequest(request: { moveToColdStorageAfterDays?: number; deleteAfterDays?: number; optInToArchiveForSupportedResources?: boolean }): LifecycleProperties | undefined {
  const lifecycle = dropUndefined({
    MoveToColdStorageAfterDays: request.moveToColdStorageAfterDays,
    DeleteAfterDays: request.deleteAfterDays,
    OptInToArchiveForSupportedResources: request.optInToArchiveForSupportedResources,
  });
  return Object.keys(lifecycle).length > 0 ? lifecycle : undefined;
}

/** Reads a request's Lifecycle property. */
export function parseLifecycle(value: unknown): LifecycleProperties | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = value as Delivered<LifecycleProperties>;
  return dropUndefined({
    MoveToColdStorageAfterDays: parseInteger(raw.MoveToColdStorageAfterDays, 'Lifecycle.MoveToColdStorageAfterDays'),
    DeleteAfterDays: parseInteger(raw.DeleteAfterDays, 'Lifecycle.DeleteAfterDays'),
    OptInToArchiveForSupportedResources: parseBoolean(raw.OptInToArchiveForSupportedResources, 'Lifecycle.OptInToArchiveForSupportedResources'),
  });
}

/** StartBackupJob as the handlers send it (but its token): the request the properties carry, parsed. */
export interface StartBackupJobRequest {
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

/** The properties as the handler uses them. */
export interface BackupJobSpec {
  readonly start: StartBackupJobRequest;
  readonly resourceType: string;
  readonly waitForCompletion: boolean;
  readonly timeoutSeconds: number;
  readonly allowPartial: boolean;
  readonly destroyOnDelete: boolean;
  readonly longWait?: LongWaitSpec;
}

/** Reads the StartBackupJob request a resource's properties carry (a BackupJob's, a removal guard's). Throws, naming the property, on a malformed one. */
export function parseStartBackupJobRequest(raw: Delivered<BackupJobRequestProperties>): StartBackupJobRequest {
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
  const removalPolicy = parseRemovalPolicy(raw);
  const longWait = parseLongWait(raw);
  const timeoutSeconds = parseTimeout(raw, longWait);
  return {
    start: parseStartBackupJobRequest(raw),
    resourceType: requiredString(raw, 'ResourceType'),
    waitForCompletion: parseBoolean(raw.WaitForCompletion, 'WaitForCompletion') ?? true,
    timeoutSeconds,
    allowPartial: parseBoolean(raw.AllowPartial, 'AllowPartial') ?? false,
    destroyOnDelete: removalPolicy === 'destroy',
    longWait,
  };
}

export const BACKUP_JOB_RESULT: JobResourceContract<JobResultProperties, BackupJobAttributes> = { resourceType: 'Custom::BackupJobResult' };
