/**
 * What a kind of job (a backup, a restore, a copy) tells the lifecycle engine
 * (job-lifecycle.ts, job-wait.ts, job-clean-up.ts): how its resource's
 * properties read, how its job starts, is read, is known to be this
 * resource's, is stopped and what removal policy DESTROY deletes. Everything
 * else about a job's life (the wait and its ends, the Delete under RETAIN and
 * DESTROY, rollbacks, the long-wait poller) is the engine's, the same for every
 * kind. Each kind gives one `JobKind`, in its own folder.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import type { AttemptsState } from '../../lib/core/long-wait';
import { attributesFrom, JobContract, RawProperties, WaitProperties, WaitSpec } from '../../lib/core/properties';
import type { JobReader, Proof } from '../shared/aws-backup';
import type { Wanted } from '../shared/backup-attempts';
import { backupClient } from './invocation';
import type { IsCompleteEvent, WaitState } from './requests';

/** What is known of a job without a description of it: some members of one (the attributes read the rest as empty). */
export type KnownJob = Readonly<Record<string, unknown>>;

/** A job the request started: its id, what it made when known already, and what the start told of it. */
export interface StartedJob {
  readonly jobId: string;
  /** What the job makes, when AWS Backup names it at the start (a backup's recovery point). */
  readonly made?: string;
  /** The job as it just started (the long path answers with its attributes at once). */
  readonly known: KnownJob;
  /** The jobs that held the resource when it started: it is queued behind them (a backup on a busy resource). */
  readonly heldBy?: readonly string[];
}

/** A job of the resource, as a clean-up takes it: its id, what it made when known, and its description when one was read. */
export interface JobRef<Job> {
  readonly jobId: string;
  readonly made?: string;
  readonly job?: Job;
  /**
   * The request the job must first be proven to belong to (`proven`): a job
   * found by its description alone. @default - a job a physical id names, ours
   */
  readonly provenFor?: OwnerRequest;
}

/** One poll of a request's job, as the engine's wait asks a kind that takes its job in attempts. */
export interface AttemptPoll<Spec> {
  readonly event: IsCompleteEvent;
  readonly spec: Spec;
  readonly firstJobId: string;
  readonly wait: WaitState;
  readonly timedOut: boolean;
  /** Whether CloudFormation still waits for the request (asked just before and after a new attempt starts). */
  stillWanted(): Promise<Wanted>;
}

/**
 * Where a request's job stands at a poll: its current job (the engine judges
 * its state), between two attempts (another job holds the resource; the wait
 * goes on until the timeout, whose message says why), or no longer wanted
 * (CloudFormation moved on while an attempt was due).
 */
export type PolledJob<Job> =
  | { readonly kind: 'current'; readonly job: Job; readonly detail?: string }
  | { readonly kind: 'between-attempts'; readonly job: Job; readonly timeoutMessage: string }
  | { readonly kind: 'not-wanted'; readonly job: Job };

/** A kind whose job a busy resource makes take in attempts (a backup): how the engine finds and takes them. */
export interface Attempts<Spec, Job> {
  /** The current attempt of a request at this poll; the next one is started when it is due. */
  poll(poll: AttemptPoll<Spec>): Promise<PolledJob<Job>>;
  /** A request's current attempt, from its first job. */
  current(firstJobId: string): Promise<Job>;
  /** Every attempt of a request from its first job (a Delete cleans up after each); the first alone when AWS Backup cannot tell. */
  all(first: JobRef<Job>, spec: Spec): Promise<JobRef<Job>[]>;
  /** What the long-wait poller's attempt function needs. */
  pollerState(event: CdkCustomResourceEvent, spec: Spec, firstJobId: string, heldBy: readonly string[]): AttemptsState;
}

export interface JobKind<Spec extends WaitSpec, Job, Attributes extends object> {
  /** The kind's custom resources and their attributes (its `kind` names it everywhere: the physical id, the poller, messages). */
  readonly contract: JobContract<WaitProperties, Attributes>;
  /** How its jobs are described and read (shared with the CLI). */
  readonly reader: JobReader<Job>;
  /** Reads the resource's properties; throws, naming the property, on a malformed one. */
  parse(properties: RawProperties): Spec;
  /** Starts the request's job, its idempotency token the request's own (a retried request gets it back). */
  start(event: CdkCustomResourceEvent, spec: Spec): Promise<StartedJob>;
  /** What is known of a job AWS Backup no longer describes: what the physical id and the properties tell. */
  known(jobId: string, made: string, spec: Spec): KnownJob;
  /**
   * Whether a job is this resource's own, by its description: nothing else is
   * ever stopped, deleted or taken for a job of the resource.
   */
  owns(job: Job, spec: Spec): boolean;
  /** This resource's jobs created since a moment (a request CloudFormation gave up on started one of them). */
  listSince(spec: Spec, createdAfter: Date): Promise<Job[]>;
  /**
   * Proof that a job found by its description alone (a request CloudFormation
   * gave up on started it, no physical id names it) is this resource's: what
   * its start left on it (a backup's recovery point tags). Without the proof
   * it is not stopped, deleted or taken; while it cannot be read yet (`not yet`:
   * a queued job), the clean-up waits for it. @default - its description (`owns`) is the proof
   */
  proven?(job: Job, request: OwnerRequest): Promise<Proof>;
  /** Stops a job, for kinds AWS Backup can stop (`stoppable` says for which of the kind's resources). */
  readonly stop?: (jobId: string) => Promise<void>;
  /** Whether AWS Backup can stop this resource's jobs. @default - whenever the kind has `stop` */
  stoppable?(spec: Spec): boolean;
  /** What becomes of a job at the timeout when AWS Backup cannot stop it, for the message. */
  unstoppable(spec: Spec): string;
  /**
   * Deletes what a job made (removal policy DESTROY), when it is still what
   * the job made (`job`: its description, when AWS Backup still gives it).
   * Throws ResourceNotFoundException when it is gone already.
   */
  destroy(spec: Spec, made: string, job?: Job): Promise<void>;
  /** What a job makes, in messages: `the recovery point`, `the restored resource`, `the copy`. */
  readonly made: string;
  /** What a job is of, for messages: ` of <resource>`. @default - nothing */
  subject?(job: Job): string;
  /** A busy resource's attempts, for a kind that takes its job in them. */
  readonly attempts?: Attempts<Spec, Job>;
  /**
   * What the resource says of a job that completed, before the deploy goes on
   * (a restore's validation): accepted, not yet (asked again at the next poll),
   * or rejected with the reason the deploy fails with. @default - accepted
   */
  judge?(job: Job, spec: Spec): Promise<Judgement>;
  /**
   * What of the sensitive properties (log.ts: never logged, never in a
   * poller's input) the job's Delete still needs: a restore's target table.
   * @default - none
   */
  neededByDelete?(properties: RawProperties): RawProperties;
}

/** What a kind's `judge` says of a job that completed. */
export type Judgement = { readonly verdict: 'accepted' } | { readonly verdict: 'pending'; readonly why: string } | { readonly verdict: 'rejected'; readonly reason: string };

/** The request whose resource a job must be proven to belong to. */
export interface OwnerRequest {
  readonly StackId: string;
  readonly LogicalResourceId: string;
}

/** Any kind, as the registration holds them. */
export type AnyJobKind = JobKind<any, any, any>;

/** A job's attributes, from its description or from what is known of it. */
export function attributesOf(kind: AnyJobKind, job: unknown): object {
  return attributesFrom(kind.contract.attributes, job as KnownJob);
}

/** A request's current job, from its first: that job, or on a busy resource its last attempt. */
export function currentJobOf<Job>(kind: JobKind<any, Job, any>, jobId: string): Promise<Job> {
  return kind.attempts ? kind.attempts.current(jobId) : kind.reader.describe(backupClient(), jobId);
}

/** The AWS Backup action that describes a job of the kind, for messages: DescribeBackupJob. */
export function describeAction(kind: AnyJobKind): string {
  const noun = kind.contract.kind;
  return `Describe${noun[0].toUpperCase()}${noun.slice(1)}Job`;
}

/** Whether a job ended as its request accepts: COMPLETED, or PARTIAL with allowPartial. */
export function endedAsAccepted<Job>(kind: JobKind<any, Job, any>, job: Job, allowPartial: boolean): boolean {
  const outcome = kind.reader.outcomeOf(job);
  return outcome === 'completed' || (outcome === 'partial' && allowPartial);
}

/** The physical id prefix of a kind's resources. */
export function prefixOf(kind: AnyJobKind): string {
  return `${kind.contract.kind}-job`;
}

/** Whether AWS Backup can stop this resource's jobs. */
export function canStop<Spec extends WaitSpec>(kind: JobKind<Spec, any, any>, spec: Spec): boolean {
  return kind.stop !== undefined && (kind.stoppable?.(spec) ?? true);
}

/**
 * Whether a Delete (or a rollback) has anything to do for this resource:
 * DESTROY deletes what its jobs made; a job that was waited for and still runs
 * belongs to a deploy that did not finish, and is stopped where AWS Backup can.
 */
export function needsCleanUp<Spec extends WaitSpec>(kind: JobKind<Spec, any, any>, spec: Spec): boolean {
  return spec.destroyOnDelete || (spec.waitForCompletion && canStop(kind, spec));
}
