/**
 * A backup of a busy resource, whatever AWS Backup does with it: the logic the
 * deploy-time handlers (both paths) and the CLI share.
 *
 * AWS Backup runs one backup of a resource at a time. A job started while
 * another job of the resource runs either waits in CREATED (AWS Backup tries
 * again to start it at least every 10 minutes) or ends at once, EXPIRED or
 * FAILED, saying that another job of the same resource was in progress. A
 * request that wants a backup therefore takes it in attempts, each a job of its
 * own with its own idempotency token:
 * - an attempt that ended because of another job is followed by the next one
 *   as soon as no other job holds the resource;
 * - an attempt that AWS Backup keeps queued after the jobs it waited for have
 *   ended (its next try may be 10 minutes away) is replaced: the queued one is
 *   stopped, then the next attempt starts at once (started first, it would
 *   queue behind our own; a type whose jobs AWS Backup cannot stop waits for
 *   AWS Backup's next try instead).
 * A new attempt starts only when whoever wants the backup still waits for it,
 * asked just before the start; asked again just after, an attempt started for a
 * request that meanwhile stopped waiting is stopped at once.
 *
 * A request's attempts are found again from its first job, which it names: the
 * later jobs of the same resource, vault and role (not a backup plan's), each
 * taken only because the one before it gave way, and only when proven one: its
 * recovery point carries the first job's id (`cdk-backup-jobs:attempt-of`), as
 * every later attempt's start tags it. Another job of the same resource, vault
 * and role (someone's CLI run) is never taken for an attempt. Where AWS Backup
 * cannot read the tags (a queued job, an EBS or RDS snapshot) the attempt is
 * found again by its idempotency token, when the next attempt would start. A
 * step lists the resource's
 * jobs once at most (the later attempts and the jobs that hold the resource
 * come from the same listing: AWS publishes no request rate for AWS Backup, and
 * a stack of guarded resources deleted at once polls them all), and reads the
 * current attempt with DescribeBackupJob (a listing may lag behind).
 */
import type { BackupClient, StartBackupJobCommandInput } from '@aws-sdk/client-backup';
import {
  activeIn,
  BackupJobDescription,
  classifyBackupState,
  describeBackupJob,
  isOwnedBy,
  JobOwner,
  listJobsOfResource,
  listJobsSince,
  proofOf,
  startBackupJob,
  stopBackupJob,
} from './backup-jobs';
import { OWNER_TAGS } from '../../lib/core/properties';
import { isNotFound } from './errors';

/**
 * What AWS Backup says when it ends a job because another job of the same
 * resource runs: "Backup job expired because another backup job for the same
 * resource was already in progress." and "Backup job failed because there was a
 * running job for the same resource." (users' reports). A job that ends for any
 * other reason is not taken again.
 */
const BUSY_MESSAGE = /\b(another|running|in progress|in-progress|concurrent)\b.*\bsame resource\b|\bsame resource\b.*\b(in progress|already running)\b/i;

/** Whether AWS Backup ended the job because another job of its resource was running. */
export function endedBecauseBusy(job: Pick<BackupJobDescription, 'State' | 'StatusMessage'>): boolean {
  return (job.State === 'EXPIRED' || job.State === 'FAILED') && BUSY_MESSAGE.test(job.StatusMessage ?? '');
}

/**
 * Whether a later attempt may have taken the job's place: it ended because of
 * another job, or was stopped to be replaced (only a first attempt queued
 * behind other jobs ever is: `replaceable`).
 */
function mayHaveGivenWay(job: BackupJobDescription, replaceable: boolean): boolean {
  return endedBecauseBusy(job) || (replaceable && (job.State === 'ABORTED' || job.State === 'ABORTING'));
}

/** The resource, vault and role of a job: what its later attempts share. */
export function ownerOfJob(job: BackupJobDescription): JobOwner {
  return { ResourceArn: job.ResourceArn ?? '', BackupVaultName: job.BackupVaultName ?? '', IamRoleArn: job.IamRoleArn ?? '' };
}

function createdAt(job: BackupJobDescription): number {
  return job.CreationDate ? new Date(job.CreationDate).getTime() : 0;
}

/**
 * The attempts of a request from its first job, oldest first: the last one is
 * the current attempt. `until` bounds when a later attempt may have been
 * created (a request's wait ends at its timeout); `replaceable` says whether
 * the first attempt may have been stopped to be replaced (it was queued behind
 * other jobs; unknown after the request: then it may).
 */
export async function attemptsFrom(client: BackupClient, first: BackupJobDescription, until?: Date, replaceable = true): Promise<BackupJobDescription[]> {
  if (!mayHaveGivenWay(first, replaceable) || !first.CreationDate) return [first];
  return attemptsIn(client, first, await listJobsSince(client, ownerOfJob(first), new Date(first.CreationDate)), until, replaceable);
}

/** The recovery point tags of a later attempt of a request whose first job is this one. */
export function attemptTags(firstJobId: string): Record<string, string> {
  return { [OWNER_TAGS.attemptOf]: firstJobId };
}

/** The attempts of a request from its first job, as a listing of its resource's jobs shows the later ones. */
async function attemptsIn(
  client: BackupClient, first: BackupJobDescription, listing: readonly BackupJobDescription[], until: Date | undefined, replaceable: boolean,
): Promise<BackupJobDescription[]> {
  if (!mayHaveGivenWay(first, replaceable) || !first.CreationDate) return [first];
  const owner = ownerOfJob(first);
  const later = listing
    .filter((job) => job.BackupJobId !== first.BackupJobId && isOwnedBy(job, owner)
      && createdAt(job) > createdAt(first) && (until === undefined || createdAt(job) <= until.getTime()))
    .sort((a, b) => createdAt(a) - createdAt(b));
  const attempts = [first];
  for (const job of later) {
    if (!mayHaveGivenWay(attempts[attempts.length - 1], attempts.length === 1 && replaceable)) break;
    // Only a job proven this request's attempt; another is someone else's (it may hold the resource).
    if (await proofOf(client, job, attemptTags(first.BackupJobId!)) === 'ours') attempts.push(job);
  }
  return attempts;
}

/** The current attempt of a request, from its first job's id. */
export async function currentAttempt(client: BackupClient, firstJobId: string, until?: Date): Promise<BackupJobDescription> {
  const attempts = await attemptsFrom(client, await describeBackupJob(client, firstJobId), until);
  return attempts[attempts.length - 1];
}

/** Whether the caller still waits for the backup: yes, no, or cannot tell now. */
export type Wanted = 'yes' | 'no' | 'unknown';

export interface AttemptOptions {
  readonly client: BackupClient;
  /** The StartBackupJob request of every attempt, but its token. */
  readonly start: Omit<StartBackupJobCommandInput, 'IdempotencyToken'>;
  /** The idempotency token of attempt n (the same for every call of one attempt). */
  readonly tokenOf: (attempt: number) => string | undefined;
  /** Whether AWS Backup can stop a job of the resource's type (a queued attempt is replaced only then). */
  readonly stoppable: boolean;
  /** Asked just before a new attempt starts, and again just after. */
  readonly stillWanted: () => Promise<Wanted>;
  /** The jobs that held the resource when the first attempt was started: it is queued behind them. */
  readonly heldBy?: readonly string[];
  /** The latest a request's attempt may have been created. */
  readonly until?: Date;
  /** Whether a new attempt may start now (not once the wait timed out). @default true */
  readonly mayStart?: boolean;
}

export type AttemptStep =
  /** The current attempt as AWS Backup describes it: running, queued behind `queuedBehind`, or ended for its own reasons. */
  | { readonly kind: 'current'; readonly job: BackupJobDescription; readonly attempt: number; readonly queuedBehind?: readonly string[] }
  /** The current attempt ended because of another job; the next one starts once `holders` (the jobs that hold the resource now) ended. */
  | { readonly kind: 'waiting'; readonly job: BackupJobDescription; readonly attempt: number; readonly holders: readonly string[] }
  /** A new attempt started now, in place of `replaced`. */
  | { readonly kind: 'started'; readonly job: BackupJobDescription; readonly attempt: number; readonly replaced: BackupJobDescription }
  /** The caller no longer waits: nothing was started (an attempt started meanwhile was stopped again), `job` is the current attempt. */
  | { readonly kind: 'not-wanted'; readonly job: BackupJobDescription; readonly attempt: number };

/**
 * One step of a request's backup: finds its current attempt from the first
 * job, and starts the next attempt when the current one gave way to another
 * job that no longer holds the resource.
 */
export async function advance(options: AttemptOptions, firstJobId: string): Promise<AttemptStep> {
  const client = options.client;
  const first = await describeBackupJob(client, firstJobId);
  const replaceable = (options.heldBy?.length ?? 0) > 0;
  // One listing at most: the later attempts, and the jobs that hold the resource.
  const listing = mayHaveGivenWay(first, replaceable) && first.CreationDate ? await listJobsOfResource(client, first.ResourceArn!) : undefined;
  const attempts = listing ? await attemptsIn(client, first, listing, options.until, replaceable) : [first];
  // The current attempt as DescribeBackupJob tells it now.
  if (attempts.length > 1) attempts[attempts.length - 1] = await describeBackupJob(client, attempts[attempts.length - 1].BackupJobId!);
  const current = attempts[attempts.length - 1];
  const attempt = attempts.length;
  if (endedBecauseBusy(current)) {
    const mine = new Set(attempts.map((job) => job.BackupJobId));
    const holders = activeIn(listing ?? await listJobsOfResource(client, current.ResourceArn!)).filter((id) => !mine.has(id));
    if (holders.length > 0 || options.mayStart === false) return { kind: 'waiting', job: current, attempt, holders };
    return startNext(options, first, current, attempt, listing);
  }
  const queued = current.State === 'CREATED';
  // A queued first attempt that was stopped to be replaced, its replacement not started (or not listed) yet:
  // the replacement's own token finds it again.
  const replacedUnlisted = current.State === 'ABORTED' || current.State === 'ABORTING';
  if (attempt === 1 && options.heldBy?.length && options.stoppable && (queued || replacedUnlisted)) {
    const holding = await stillActive(client, options.heldBy);
    if (holding.length > 0 || options.mayStart === false) return { kind: 'current', job: current, attempt, queuedBehind: holding };
    // The jobs ours was queued behind have ended and AWS Backup has not started it yet: its next try may be
    // minutes away. It is stopped first (a job started while it waits would queue behind it), then the next
    // attempt starts now.
    if (queued) await stopQuietly(client, current.BackupJobId!);
    return startNext(options, first, current, attempt, listing);
  }
  return { kind: 'current', job: current, attempt };
}

async function startNext(
  options: AttemptOptions, first: BackupJobDescription, current: BackupJobDescription, attempt: number, listing: readonly BackupJobDescription[] | undefined,
): Promise<AttemptStep> {
  const before = await options.stillWanted();
  if (before === 'no') return { kind: 'not-wanted', job: current, attempt };
  // Cannot tell whether the caller still waits: nothing starts now, the next step asks again.
  if (before === 'unknown') return { kind: 'waiting', job: current, attempt, holders: [] };
  const start = { ...options.start, RecoveryPointTags: { ...options.start.RecoveryPointTags, ...attemptTags(first.BackupJobId!) } };
  const started = await startBackupJob(options.client, { ...start, IdempotencyToken: options.tokenOf(attempt + 1) });
  const job = await describeBackupJob(options.client, started.BackupJobId!);
  // The token gave back an attempt already started (one whose tags AWS Backup could not read, above): it is the
  // current attempt, as it is now.
  if (listing?.some((listed) => listed.BackupJobId === job.BackupJobId)) return { kind: 'current', job, attempt: attempt + 1 };
  if (await options.stillWanted() === 'no') {
    await stopQuietly(options.client, job.BackupJobId!);
    return { kind: 'not-wanted', job, attempt: attempt + 1 };
  }
  return { kind: 'started', job, attempt: attempt + 1, replaced: current };
}

/** The ones of these jobs that still run (or wait to). */
async function stillActive(client: BackupClient, jobIds: readonly string[]): Promise<string[]> {
  const active: string[] = [];
  for (const id of jobIds) {
    try {
      if (classifyBackupState((await describeBackupJob(client, id)).State) === 'running') active.push(id);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return active;
}

/** Stops a job that may still run; a job that already ended (or cannot be stopped) is left as it is. */
async function stopQuietly(client: BackupClient, backupJobId: string): Promise<void> {
  try {
    await stopBackupJob(client, backupJobId);
  } catch {
    // Already ended, or being stopped: nothing more to do.
  }
}
