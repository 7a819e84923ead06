/**
 * The custom resources' properties: how the constructs write them and how the
 * handlers read them back. CloudFormation hands every scalar over as a string,
 * so numbers and booleans are parsed explicitly.
 */
import { createHash } from 'crypto';
import type { StartBackupJobCommandInput } from '@aws-sdk/client-backup';
import { timeoutErrors } from '../../lib/validation';

/** The properties as the construct renders them (before CloudFormation stringifies them). */
export interface BackupJobResourceProperties {
  readonly ResourceArn: string;
  readonly ResourceType: string;
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
  readonly Trigger?: string;
  readonly WaitForCompletion?: boolean;
  readonly TimeoutSeconds: number;
  readonly AllowPartial?: boolean;
  readonly RemovalPolicy?: 'retain' | 'destroy';
}

/**
 * Properties that change how the handler waits or cleans up, not which backup
 * is taken: changing one of them alone does not start a new job.
 */
const BEHAVIOUR_PROPERTIES = new Set(['ServiceToken', 'ServiceTimeout', 'TimeoutSeconds', 'WaitForCompletion', 'AllowPartial', 'RemovalPolicy']);

/** The properties as the handler uses them. */
export interface BackupJobSpec {
  readonly start: Omit<StartBackupJobCommandInput, 'IdempotencyToken'>;
  readonly resourceType: string;
  readonly waitForCompletion: boolean;
  readonly timeoutSeconds: number;
  readonly allowPartial: boolean;
  readonly destroyOnDelete: boolean;
}

type RawProperties = Record<string, unknown>;

function requiredString(raw: RawProperties, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Property ${key} is required (got ${JSON.stringify(value)})`);
  }
  return value;
}

function optionalString(raw: RawProperties, key: string): string | undefined {
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
export function parseBackupJobProperties(raw: RawProperties): BackupJobSpec {
  const lifecycleRaw = raw.Lifecycle as RawProperties | undefined;
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
  const timeoutSeconds = parseTimeout(raw);
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
  };
}

/** The restore job resource's properties as the construct renders them. */
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
}

/** Reads the restore job resource's properties. Throws, naming the property, on a malformed one. */
export function parseRestoreJobProperties(raw: RawProperties): RestoreJobSpec {
  return {
    recoveryPointArn: requiredString(raw, 'RecoveryPointArn'),
    backupVaultName: requiredString(raw, 'BackupVaultName'),
    resourceType: requiredString(raw, 'ResourceType'),
    metadata: stringMap(raw.Metadata, 'Metadata') ?? {},
    useBackedUpMetadata: parseBoolean(raw.UseBackedUpMetadata, 'UseBackedUpMetadata') ?? true,
    iamRoleArn: optionalString(raw, 'IamRoleArn'),
    copySourceTagsToRestoredResource: parseBoolean(raw.CopySourceTagsToRestoredResource, 'CopySourceTagsToRestoredResource'),
    waitForCompletion: parseBoolean(raw.WaitForCompletion, 'WaitForCompletion') ?? true,
    timeoutSeconds: parseTimeout(raw),
    destroyOnDelete: parseRemovalPolicy(raw) === 'destroy',
  };
}

function parseRemovalPolicy(raw: RawProperties): 'retain' | 'destroy' {
  const removalPolicy = optionalString(raw, 'RemovalPolicy') ?? 'retain';
  if (removalPolicy !== 'retain' && removalPolicy !== 'destroy') {
    throw new Error(`Property RemovalPolicy must be retain or destroy (got ${JSON.stringify(removalPolicy)})`);
  }
  return removalPolicy;
}

function parseTimeout(raw: RawProperties): number {
  const timeoutSeconds = parseInteger(raw.TimeoutSeconds, 'TimeoutSeconds');
  if (timeoutSeconds === undefined || timeoutSeconds <= 0) {
    throw new Error(`Property TimeoutSeconds must be a positive whole number (got ${JSON.stringify(raw.TimeoutSeconds)})`);
  }
  // A timeout given as a token (a parameter) is checked here, at deploy time, by the same rule as at synth.
  const [problem] = timeoutErrors(timeoutSeconds, 'Property TimeoutSeconds');
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
