/**
 * What every job kind's custom resource shares with its handler: the contract
 * type, how CloudFormation delivers properties (every scalar a string) and how
 * a handler reads them back, the properties that only change how a job is
 * waited for, the long wait's properties, and the identity of a request (its
 * fingerprint and idempotency token).
 *
 * Written once and used by both sides, so that a renamed property is a compile
 * error rather than a failure at deploy time.
 */
import { createHash } from 'crypto';
import { timeoutErrors } from './timing';

/** A custom resource: its CloudFormation type, the properties its construct renders, the attributes its handler returns. */
export interface JobResourceContract<Properties extends object, Attributes extends object> {
  readonly resourceType: string;
  /** Only there to carry the types; never set. */
  readonly types?: { readonly properties: Properties; readonly attributes: Attributes };
}

/**
 * The attributes of a job resource, declared once: each is the member of the
 * same name in AWS Backup's description of the job, read as text, as a date
 * (ISO 8601; empty until known) or as a size in bytes ("0" until known).
 */
export interface AttributeDeclaration {
  readonly text: readonly string[];
  readonly dates: readonly string[];
  readonly bytes: readonly string[];
}

/** The attributes a declaration declares: every one a string (CloudFormation's), always present. */
export type AttributesOf<D extends AttributeDeclaration> = { readonly [K in D['text'][number] | D['dates'][number] | D['bytes'][number]]: string };

/** A job's attributes, from its description (or from what is known of it: the rest is empty). */
export function attributesFrom<D extends AttributeDeclaration>(declaration: D, job: Readonly<Record<string, unknown>>): AttributesOf<D> {
  const read = (names: readonly string[], value: (member: unknown) => string) => names.map((name) => [name, value(job[name])]);
  return Object.fromEntries([
    ...read(declaration.text, (v) => (v === undefined || v === null ? '' : String(v))),
    ...read(declaration.dates, (v) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : '')),
    ...read(declaration.bytes, (v) => String(v ?? 0)),
  ]) as AttributesOf<D>;
}

/**
 * A job kind's custom resources: the job's own resource, the result resource
 * of its long wait (the same attributes, once the job's WaitCondition
 * completed), the attributes, and the one that names the job.
 */
export interface JobContract<Properties extends WaitProperties, Attributes extends object> extends JobResourceContract<Properties, Attributes> {
  /** AWS Backup's word for the job (`backup`, `restore`, `copy`): its long-wait poller's branch, and its physical id's prefix (`<kind>-job`). */
  readonly kind: string;
  readonly result: JobResourceContract<JobResultProperties, Attributes>;
  readonly attributes: AttributeDeclaration;
  /** The attribute that holds the job's id (the result resource describes the job by it). */
  readonly idAttribute: keyof Attributes & string;
}

/**
 * What a handler receives for properties of type T: the same keys (and the
 * ServiceToken CloudFormation adds), each value as CloudFormation delivered it
 * (scalars as strings), not yet checked.
 */
export type Delivered<T> = { readonly [K in keyof T]?: unknown } & { readonly ServiceToken?: unknown };

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
  /** The poller's state machine in the stack: a Delete hands a job to its poller only while the machine stays. */
  readonly StateMachineLogicalId?: string;
}

/**
 * Properties that change how the handler waits or cleans up, not which job is
 * taken: changing one of them alone does not start a new job.
 */
const BEHAVIOUR_PROPERTIES = new Set<string>(['ServiceToken', 'ServiceTimeout', 'TimeoutSeconds', 'WaitForCompletion', 'AllowPartial', 'RemovalPolicy', 'LongWait']);

/**
 * The recovery point tags that name the stack and the resource whose job made
 * a recovery point (what proves it ours, and what the deletion grant is
 * conditioned on). The prefix is reserved: a user's tags may not use it.
 */
export const OWNER_TAGS = {
  stack: 'cdk-backup-jobs:stack',
  logicalId: 'cdk-backup-jobs:logical-id',
  /** On a backup's later attempt (a busy resource): the first job's id, whose attempt it is. */
  attemptOf: 'cdk-backup-jobs:attempt-of',
} as const;

/** The prefix of the library's own tags. */
export const OWN_TAG_PREFIX = 'cdk-backup-jobs:';

/** The stack's name in its id (arn:aws:cloudformation:region:account:stack/<name>/<uuid>). */
export function stackNameOf(stackId: string): string {
  return /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
}

/** The owner tags of a CloudFormation request's job: its stack's name and its resource's logical id. */
export function ownerTags(request: { readonly StackId: string; readonly LogicalResourceId: string }): Record<string, string> {
  return { [OWNER_TAGS.stack]: stackNameOf(request.StackId), [OWNER_TAGS.logicalId]: request.LogicalResourceId };
}

/**
 * A StartBackupJob request with its owner tags added to the recovery point's
 * tags. Tags of the library's own it has already stay (a removal guard's name
 * the guarded resource); a user's may not use the prefix.
 */
export function withOwnerTags<R extends { readonly RecoveryPointTags?: Record<string, string> }>(start: R, request: { readonly StackId: string; readonly LogicalResourceId: string }): R {
  return { ...start, RecoveryPointTags: { ...ownerTags(request), ...start.RecoveryPointTags } };
}

/** The properties every job kind's resource renders to say how it is waited for and cleaned up. */
export interface WaitProperties {
  readonly WaitForCompletion?: boolean;
  readonly TimeoutSeconds: number;
  /** Whether a job that ends PARTIAL counts as completed (kinds whose jobs can end PARTIAL). */
  readonly AllowPartial?: boolean;
  readonly RemovalPolicy?: 'retain' | 'destroy';
  readonly LongWait?: LongWaitProperties;
}

/** How a job is waited for and cleaned up, as the handler uses it (every kind's spec has it). */
export interface WaitSpec {
  readonly waitForCompletion: boolean;
  readonly timeoutSeconds: number;
  readonly allowPartial: boolean;
  /** Removal policy DESTROY: what the job made is deleted with the resource. */
  readonly destroyOnDelete: boolean;
  readonly longWait?: LongWaitSpec;
}

/** The long-wait path as the handler uses it. */
export interface LongWaitSpec {
  readonly stateMachineArn: string;
  readonly handleLogicalId: string;
  readonly conditionLogicalId?: string;
  readonly stateMachineLogicalId?: string;
}

/** Properties as CloudFormation delivered them. */
export type RawProperties = Record<string, unknown>;

export function requiredString<T>(raw: Delivered<T>, key: keyof T & string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Property ${key} is required (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function optionalString<T>(raw: Delivered<T>, key: keyof T & string): string | undefined {
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

export function stringMap(value: unknown, key: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`Property ${key} must be a map of strings (got ${JSON.stringify(value)})`);
  }
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/**
 * The properties of a long wait's result resource (each kind's contract names
 * its type: Custom::BackupJobResult, ...): made once the job's WaitCondition
 * completed, it describes the job and answers with its attributes, so that
 * every use of an attribute waits for the condition.
 */
export interface JobResultProperties {
  readonly JobId: string;
  /**
   * The job resource's logical id: a Delete of the result (an update that left
   * the long wait, or its rollback) keeps what the job made while the job
   * resource still names the job.
   */
  readonly JobLogicalId?: string;
  readonly AllowPartial?: boolean;
  /**
   * The job resource's own properties: how the result's
   * Delete cleans up after the job (removal policy DESTROY deletes what it
   * made, which the result's physical id names once the job completed).
   */
  readonly Job?: object;
}

/** Reads a result resource's properties. */
export function parseJobResultProperties(raw: Delivered<JobResultProperties>): { jobId: string; jobLogicalId?: string; allowPartial: boolean; job?: RawProperties } {
  const job = raw.Job;
  if (job !== undefined && (job === null || typeof job !== 'object')) throw new Error(`Property Job must be an object (got ${JSON.stringify(job)})`);
  return {
    jobId: requiredString(raw, 'JobId'),
    jobLogicalId: optionalString(raw, 'JobLogicalId'),
    allowPartial: parseBoolean(raw.AllowPartial, 'AllowPartial') ?? false,
    job: job as RawProperties | undefined,
  };
}

export function parseRemovalPolicy(raw: Delivered<{ RemovalPolicy?: string }>): 'retain' | 'destroy' {
  const removalPolicy = optionalString(raw, 'RemovalPolicy') ?? 'retain';
  if (removalPolicy !== 'retain' && removalPolicy !== 'destroy') {
    throw new Error(`Property RemovalPolicy must be retain or destroy (got ${JSON.stringify(removalPolicy)})`);
  }
  return removalPolicy;
}

export function parseLongWait(raw: Delivered<{ LongWait?: LongWaitProperties }>): LongWaitSpec | undefined {
  const value = raw.LongWait as Delivered<LongWaitProperties> | undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw new Error(`Property LongWait must be an object (got ${JSON.stringify(value)})`);
  return {
    stateMachineArn: requiredString(value, 'StateMachineArn'),
    handleLogicalId: requiredString(value, 'HandleLogicalId'),
    conditionLogicalId: optionalString(value, 'ConditionLogicalId'),
    stateMachineLogicalId: optionalString(value, 'StateMachineLogicalId'),
  };
}

/**
 * Reads TimeoutSeconds. `waits`: whether the custom resource waits for the
 * job itself (the short path), which CloudFormation allows an hour at most.
 */
export function parseTimeout(raw: Delivered<{ TimeoutSeconds: number }>, waits: boolean): number {
  const timeoutSeconds = parseInteger(raw.TimeoutSeconds, 'TimeoutSeconds');
  if (timeoutSeconds === undefined || timeoutSeconds <= 0) {
    throw new Error(`Property TimeoutSeconds must be a positive whole number (got ${JSON.stringify(raw.TimeoutSeconds)})`);
  }
  // A timeout given as a token (a parameter) is checked here, at deploy time, by the same rules as at
  // synth; such a timeout always takes the short path (the path is chosen at synth). A job not waited for
  // may have any timeout (it bounds the Delete's look-back, and a later wait).
  const [problem] = timeoutErrors(timeoutSeconds, 'Property TimeoutSeconds', waits ? 'short' : 'any');
  if (problem) throw new Error(problem);
  return timeoutSeconds;
}

/** Reads the properties that say how a job is waited for and cleaned up. Throws, naming the property, on a malformed one. */
export function parseWaitSpec(raw: Delivered<WaitProperties>): WaitSpec {
  const longWait = parseLongWait(raw);
  const waitForCompletion = parseBoolean(raw.WaitForCompletion, 'WaitForCompletion') ?? true;
  return {
    waitForCompletion,
    timeoutSeconds: parseTimeout(raw, waitForCompletion && !longWait),
    allowPartial: parseBoolean(raw.AllowPartial, 'AllowPartial') ?? false,
    destroyOnDelete: parseRemovalPolicy(raw) === 'destroy',
    longWait,
  };
}

export function dropUndefined<T extends object>(o: T): T {
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
