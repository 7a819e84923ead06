/**
 * The contract between each custom resource's construct and its handler: the
 * resource type, the properties the construct renders, the attributes the
 * handler answers with, and how the handler reads the properties back.
 * Written once and used by both sides, so that a renamed property is a compile
 * error rather than a failure at deploy time.
 *
 * CloudFormation hands every scalar property over as a string ("30", "true"),
 * and every attribute a handler answers with is a string: the handler reads
 * `Delivered<...>` (the same keys, values unchecked) and parses each value.
 */
import { createHash } from 'crypto';
import type { StartBackupJobCommandInput } from '@aws-sdk/client-backup';
import { timeoutErrors } from './validation';

/** A custom resource: its CloudFormation type, the properties its construct renders, the attributes its handler returns. */
export interface JobResourceContract<Properties extends object, Attributes extends object> {
  readonly resourceType: string;
  /** Only there to carry the types; never set. */
  readonly types?: { readonly properties: Properties; readonly attributes: Attributes };
}

/**
 * What a handler receives for properties of type T: the same keys (and the
 * ServiceToken CloudFormation adds), each value as CloudFormation delivered it
 * (scalars as strings), not yet checked.
 */
export type Delivered<T> = { readonly [K in keyof T]?: unknown } & { readonly ServiceToken?: unknown };

/** What StartBackupJob is asked, as the construct renders it (numbers and booleans become strings on the way). */
export interface BackupJobRequestProperties {
  readonly ResourceArn: string;
  readonly BackupVaultName: string;
  readonly IamRoleArn: string;
  readonly StartWindowMinutes?: number;
  readonly CompleteWindowMinutes?: number;
  readonly Lifecycle?: {
    readonly MoveToColdStorageAfterDays?: number;
    readonly DeleteAfterDays?: number;
    readonly OptInToArchiveForSupportedResources?: boolean;
  };
  readonly RecoveryPointTags?: Record<string, string>;
  readonly BackupOptions?: Record<string, string>;
  readonly Index?: 'ENABLED' | 'DISABLED';
  readonly LogicallyAirGappedBackupVaultArn?: string;
}

/**
 * The long-wait path of a job (timeouts past the short path's 58 minutes): the
 * stack's poller to start, and the job's WaitConditionHandle, whose logical id
 * changes with every new wait. Absent on the short path.
 */
export interface LongWaitProperties {
  readonly StateMachineArn: string;
  readonly HandleLogicalId: string;
  /** The job's WaitCondition: while CloudFormation waits for it, a busy resource's next attempt may start. */
  readonly ConditionLogicalId?: string;
}

/** The properties of a Custom::BackupJob: the request, and how the handler waits and cleans up. */
export interface BackupJobResourceProperties extends BackupJobRequestProperties {
  readonly ResourceType: string;
  readonly Trigger?: string;
  readonly WaitForCompletion?: boolean;
  readonly TimeoutSeconds: number;
  readonly AllowPartial?: boolean;
  readonly RemovalPolicy?: 'retain' | 'destroy';
  readonly LongWait?: LongWaitProperties;
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
  const lifecycle = dropUndefined({
    MoveToColdStorageAfterDays: request.moveToColdStorageAfterDays,
    DeleteAfterDays: request.deleteAfterDays,
    OptInToArchiveForSupportedResources: request.optInToArchiveForSupportedResources,
  });
  const backupOptions: Record<string, string> = { ...request.backupOptions };
  if (request.windowsVss !== undefined) backupOptions.WindowsVSS = request.windowsVss ? 'enabled' : 'disabled';
  return dropUndefined({
    ResourceArn: request.resourceArn,
    BackupVaultName: request.backupVaultName,
    IamRoleArn: request.iamRoleArn,
    StartWindowMinutes: request.startWindowMinutes,
    CompleteWindowMinutes: request.completeWindowMinutes,
    Lifecycle: Object.keys(lifecycle).length > 0 ? lifecycle : undefined,
    RecoveryPointTags: request.recoveryPointTags,
    BackupOptions: Object.keys(backupOptions).length > 0 ? backupOptions : undefined,
    Index: request.index === undefined ? undefined : request.index ? 'ENABLED' : 'DISABLED',
    LogicallyAirGappedBackupVaultArn: request.logicallyAirGappedBackupVaultArn,
  });
}

/**
 * Properties that change how the handler waits or cleans up, not which backup
 * is taken: changing one of them alone does not start a new job.
 */
const BEHAVIOUR_PROPERTIES = new Set<string>([
  'ServiceToken', 'ServiceTimeout',
  ...(['TimeoutSeconds', 'WaitForCompletion', 'AllowPartial', 'RemovalPolicy', 'LongWait'] satisfies (keyof BackupJobResourceProperties | keyof RestoreJobResourceProperties)[]),
]);

/** The properties as the handler uses them. */
export interface BackupJobSpec {
  readonly start: Omit<StartBackupJobCommandInput, 'IdempotencyToken'>;
  readonly resourceType: string;
  readonly waitForCompletion: boolean;
  readonly timeoutSeconds: number;
  readonly allowPartial: boolean;
  readonly destroyOnDelete: boolean;
  readonly longWait?: LongWaitSpec;
}

/** The long-wait path as the handler uses it. */
export interface LongWaitSpec {
  readonly stateMachineArn: string;
  readonly handleLogicalId: string;
  readonly conditionLogicalId?: string;
}

type RawProperties = Record<string, unknown>;

function requiredString<T>(raw: Delivered<T>, key: keyof T & string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Property ${key} is required (got ${JSON.stringify(value)})`);
  }
  return value;
}

function optionalString<T>(raw: Delivered<T>, key: keyof T & string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`Property ${key} must be a string (got ${JSON.stringify(value)})`);
  }
  return String(value);
}

/** Parses a whole number sent as a string (or a number). */
export function parseInteger(value: unknown, key: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new Error(`Property ${key} must be a whole number (got ${JSON.stringify(value)})`);
  }
  return n;
}

/** Parses `true` / `false` sent as a string (or a boolean). */
export function parseBoolean(value: unknown, key: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Property ${key} must be "true" or "false" (got ${JSON.stringify(value)})`);
}

function stringMap(value: unknown, key: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`Property ${key} must be a map of strings (got ${JSON.stringify(value)})`);
  }
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** Reads the custom resource's properties. Throws, naming the property, on a malformed one. */
export function parseBackupJobProperties(raw: Delivered<BackupJobResourceProperties>): BackupJobSpec {
  const lifecycleRaw = raw.Lifecycle as Delivered<NonNullable<BackupJobRequestProperties['Lifecycle']>> | undefined;
  const lifecycle = lifecycleRaw
    ? {
      MoveToColdStorageAfterDays: parseInteger(lifecycleRaw.MoveToColdStorageAfterDays, 'Lifecycle.MoveToColdStorageAfterDays'),
      DeleteAfterDays: parseInteger(lifecycleRaw.DeleteAfterDays, 'Lifecycle.DeleteAfterDays'),
      OptInToArchiveForSupportedResources: parseBoolean(lifecycleRaw.OptInToArchiveForSupportedResources, 'Lifecycle.OptInToArchiveForSupportedResources'),
    }
    : undefined;
  const index = optionalString(raw, 'Index');
  if (index !== undefined && index !== 'ENABLED' && index !== 'DISABLED') {
    throw new Error(`Property Index must be ENABLED or DISABLED (got ${JSON.stringify(index)})`);
  }
  const removalPolicy = parseRemovalPolicy(raw);
  const longWait = parseLongWait(raw);
  const timeoutSeconds = parseTimeout(raw, longWait);
  return {
    start: dropUndefined({
      BackupVaultName: requiredString(raw, 'BackupVaultName'),
      ResourceArn: requiredString(raw, 'ResourceArn'),
      IamRoleArn: requiredString(raw, 'IamRoleArn'),
      StartWindowMinutes: parseInteger(raw.StartWindowMinutes, 'StartWindowMinutes'),
      CompleteWindowMinutes: parseInteger(raw.CompleteWindowMinutes, 'CompleteWindowMinutes'),
      Lifecycle: lifecycle && dropUndefined(lifecycle),
      RecoveryPointTags: stringMap(raw.RecoveryPointTags, 'RecoveryPointTags'),
      BackupOptions: stringMap(raw.BackupOptions, 'BackupOptions'),
      Index: index as 'ENABLED' | 'DISABLED' | undefined,
      LogicallyAirGappedBackupVaultArn: optionalString(raw, 'LogicallyAirGappedBackupVaultArn'),
    }),
    resourceType: requiredString(raw, 'ResourceType'),
    waitForCompletion: parseBoolean(raw.WaitForCompletion, 'WaitForCompletion') ?? true,
    timeoutSeconds,
    allowPartial: parseBoolean(raw.AllowPartial, 'AllowPartial') ?? false,
    destroyOnDelete: removalPolicy === 'destroy',
    longWait,
  };
}

/**
 * The properties of a long wait's result resource (Custom::BackupJobResult,
 * Custom::RestoreJobResult): made once the job's WaitCondition completed, it
 * describes the job and answers with its attributes, so that every use of an
 * attribute waits for the condition.
 */
export interface JobResultProperties {
  readonly JobId: string;
  readonly AllowPartial?: boolean;
}

/** The properties of a Custom::RestoreJob, as the construct renders them. */
export interface RestoreJobResourceProperties {
  readonly RecoveryPointArn: string;
  readonly BackupVaultName: string;
  readonly ResourceType: string;
  readonly Metadata?: Record<string, string>;
  readonly UseBackedUpMetadata?: boolean;
  readonly IamRoleArn?: string;
  readonly CopySourceTagsToRestoredResource?: boolean;
  readonly Trigger?: string;
  readonly WaitForCompletion?: boolean;
  readonly TimeoutSeconds: number;
  readonly RemovalPolicy?: 'retain' | 'destroy';
  readonly LongWait?: LongWaitProperties;
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

export const BACKUP_JOB_RESULT: JobResourceContract<JobResultProperties, BackupJobAttributes> = { resourceType: 'Custom::BackupJobResult' };
export const RESTORE_JOB_RESULT: JobResourceContract<JobResultProperties, RestoreJobAttributes> = { resourceType: 'Custom::RestoreJobResult' };

/** Reads a result resource's properties. */
export function parseJobResultProperties(raw: Delivered<JobResultProperties>): { jobId: string; allowPartial: boolean } {
  return { jobId: requiredString(raw, 'JobId'), allowPartial: parseBoolean(raw.AllowPartial, 'AllowPartial') ?? false };
}

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

function parseRemovalPolicy(raw: Delivered<{ RemovalPolicy?: string }>): 'retain' | 'destroy' {
  const removalPolicy = optionalString(raw, 'RemovalPolicy') ?? 'retain';
  if (removalPolicy !== 'retain' && removalPolicy !== 'destroy') {
    throw new Error(`Property RemovalPolicy must be retain or destroy (got ${JSON.stringify(removalPolicy)})`);
  }
  return removalPolicy;
}

function parseLongWait(raw: Delivered<{ LongWait?: LongWaitProperties }>): LongWaitSpec | undefined {
  const value = raw.LongWait as Delivered<LongWaitProperties> | undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw new Error(`Property LongWait must be an object (got ${JSON.stringify(value)})`);
  return {
    stateMachineArn: requiredString(value, 'StateMachineArn'),
    handleLogicalId: requiredString(value, 'HandleLogicalId'),
    conditionLogicalId: optionalString(value, 'ConditionLogicalId'),
  };
}

function parseTimeout(raw: Delivered<{ TimeoutSeconds: number }>, longWait: LongWaitSpec | undefined): number {
  const timeoutSeconds = parseInteger(raw.TimeoutSeconds, 'TimeoutSeconds');
  if (timeoutSeconds === undefined || timeoutSeconds <= 0) {
    throw new Error(`Property TimeoutSeconds must be a positive whole number (got ${JSON.stringify(raw.TimeoutSeconds)})`);
  }
  // A timeout given as a token (a parameter) is checked here, at deploy time, by the same rules as at
  // synth; such a timeout always takes the short path (the path is chosen at synth).
  const [problem] = timeoutErrors(timeoutSeconds, 'Property TimeoutSeconds', longWait ? 'any' : 'short');
  if (problem) throw new Error(problem);
  return timeoutSeconds;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A short hash of the properties that decide which backup is taken (all but
 * the behaviour properties). Equal fingerprints mean the same backup request.
 */
export function fingerprint(raw: RawProperties): string {
  const relevant = Object.fromEntries(Object.entries(raw).filter(([k]) => !BEHAVIOUR_PROPERTIES.has(k)));
  return createHash('sha256').update(canonicalJson(relevant)).digest('hex').slice(0, 16);
}

/**
 * The IdempotencyToken of a CloudFormation request: the same for every
 * invocation of one request (a retry), different for every other request.
 */
export function idempotencyToken(request: { StackId: string; LogicalResourceId: string; RequestId: string }, ...more: string[]): string {
  const h = createHash('sha256').update([request.StackId, request.LogicalResourceId, request.RequestId, ...more].join('\n')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
