/**
 * A backup job's wait on the short path (isComplete, at each poll of the
 * framework's waiter): the request's current attempt is found and judged.
 * Every state maps to one answer: still running (IsComplete false), done (the
 * attributes), or failed (thrown with AWS Backup's StatusMessage, after what
 * the job made is cleaned up). A busy resource's next attempt starts here too.
 */
import { BackupJobAttributes, BackupJobSpec, parseBackupJobProperties } from '../../lib/core/backup-job-contract';
import { formatSeconds } from '../../lib/core/messages';
import { RawProperties } from '../../lib/core/properties';
import { resourceTypeInfo } from '../../lib/core/resource-types';
import { checksCloudFormation } from '../../lib/core/timing';
import { advance, AttemptStep, currentAttempt, Wanted } from '../shared/backup-attempts';
import {
  BackupJobDescription, backupJobFailureMessage, classifyBackupState, completedWithIssues, describeError, isTransientError,
} from '../shared/backup-jobs';
import { log } from '../shared/log';
import { attemptOptions } from './backup-job-attempt';
import { cleanedUpAfter, cleanUpJob, finishDelete } from './backup-job-clean-up';
import { Awaited, stillAwaited } from './cloudformation';
import { backupClient as client, cleanUpWithinBudget, isoDate } from './invocation';
import { formatPhysicalId, physicalIdOf } from './physical-id';
import * as requests from './requests';

/** The physical id prefix of a backup job's resource. */
export const BACKUP_ID = 'backup-job';

export type OnEventResponse = requests.OnEventResponse<BackupJobAttributes>;
type IsCompleteEvent = requests.IsCompleteEvent<BackupJobAttributes>;
type IsCompleteResponse = requests.IsCompleteResponse<BackupJobAttributes>;

export async function isBackupJobComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const wait = event.Wait;
  if (wait?.mode === 'deleting') return { IsComplete: await finishDelete(wait, parseBackupJobProperties(event.ResourceProperties as RawProperties)) };
  // deleted: nothing to wait for; handed-off: the long-wait poller waits (onEvent's answer carries the attributes).
  if (event.RequestType === 'Delete' || wait?.mode === 'deleted' || wait?.mode === 'handed-off') return { IsComplete: true };
  if (wait?.mode === 'unchanged') {
    // A rollback waits for the DESTROY jobs its abandoned request started that AWS Backup cannot stop.
    if (wait.blockingJobIds?.length && !(await cleanedUpAfter(wait, parseBackupJobProperties(event.OldResourceProperties as RawProperties)))) {
      return { IsComplete: false };
    }
    return { IsComplete: true, Data: await currentAttributes(event.PhysicalResourceId, event.ResourceProperties as RawProperties) };
  }
  if (!wait?.deadline) throw new Error('isComplete: the event carries no wait state from onEvent');
  const id = physicalIdOf(BACKUP_ID, event.PhysicalResourceId);
  if (!id) throw new Error(`isComplete: physical resource id ${event.PhysicalResourceId} names no backup job`);
  return waitForBackup({
    event,
    spec: parseBackupJobProperties(event.ResourceProperties as RawProperties),
    firstJobId: id.jobId,
    // The attempt that completed, when it is not the first job (a busy resource), is named by the physical id.
    physicalIdOf: (job) => (job.BackupJobId === id.jobId ? undefined : formatPhysicalId({ ...id, jobId: job.BackupJobId!, tail: job.RecoveryPointArn ?? '' })),
    timeoutAdvice: 'Raise timeout, or set waitForCompletion to false',
  });
}

/** A request's backup as isComplete waits for it (a BackupJob's, or a removal guard's). */
export interface BackupWait {
  readonly event: IsCompleteEvent;
  readonly spec: BackupJobSpec;
  /** The request's first job (its first attempt). */
  readonly firstJobId: string;
  /** The physical id to answer with once `job` completed; undefined keeps the request's. */
  physicalIdOf(job: BackupJobDescription): string | undefined;
  /** What a timeout's message tells the user to do. */
  readonly timeoutAdvice: string;
}

/** The request's wait, as it stands at this poll. */
interface Poll extends BackupWait {
  readonly timedOut: boolean;
}

/**
 * One poll of a request's backup: its current attempt (and the next one on a
 * busy resource), judged. IsComplete false while it runs; the attributes once
 * it completed; thrown with AWS Backup's message (after the clean-up) at any
 * other end or at the timeout.
 */
export async function waitForBackup(backupWait: BackupWait): Promise<IsCompleteResponse> {
  const { event, spec, firstJobId } = backupWait;
  const wait = event.Wait!;
  const deadline = Date.parse(wait.deadline!);
  const poll: Poll = { ...backupWait, timedOut: Date.now() >= deadline };
  // The request's current attempt (its first job unless a busy resource made it take more), and the next
  // attempt, started when the one before gave way to another job that no longer holds the resource.
  let step: AttemptStep;
  try {
    step = await advance(attemptOptions({
      request: event,
      start: spec.start,
      resourceType: spec.resourceType,
      stillWanted: async () => wanted(await stillAwaited(event, wait.watch, BACKUP_ID)),
      heldBy: wait.heldBy,
      until: new Date(deadline),
      mayStart: spec.waitForCompletion && !poll.timedOut,
    }), firstJobId);
  } catch (error) {
    if (!isTransientError(error)) throw new Error(`DescribeBackupJob of ${firstJobId} failed: ${describeError(error)}`);
    log('warn', 'AWS Backup did not answer; trying again at the next poll', { backupJobId: firstJobId, error: describeError(error) });
    if (poll.timedOut) throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for backup job ${firstJobId}; the last attempt failed with ${describeError(error)}`);
    return { IsComplete: false };
  }
  const job = step.job;
  if (step.kind === 'not-wanted') {
    await cleanUpWithinBudget(async () => { await cleanUpJob(job.BackupJobId!, job.RecoveryPointArn, { ...spec, waitForCompletion: true }, job); });
    throw new Error(`CloudFormation no longer waits for this request; backup job ${job.BackupJobId} was cleaned up and no new attempt was started`);
  }
  if (checksCloudFormation(Date.now())) await abandonIfMovedOn(poll, job);
  switch (step.kind) {
    case 'started':
      log('info', 'the resource is free: started the next attempt', { backupJobId: job.BackupJobId, attempt: step.attempt, replaced: step.replaced.BackupJobId, replacedState: step.replaced.State });
      return { IsComplete: false };
    case 'waiting':
      if (!spec.waitForCompletion) return fail(poll, job, backupJobFailureMessage(job));
      if (poll.timedOut) {
        const holders = step.holders.length > 0 ? `backup job(s) ${step.holders.join(', ')} still held the resource` : 'the resource was not free in time';
        return fail(poll, job, `Timed out after ${formatSeconds(spec.timeoutSeconds)}: ${backupJobFailureMessage(job)}, and ${holders} (AWS Backup runs one backup of a resource at a time), so no backup was taken. Raise timeout`);
      }
      log('info', 'the backup job ended because another job holds the resource; the next attempt starts once it ended', { backupJobId: job.BackupJobId, attempt: step.attempt, holders: step.holders });
      return { IsComplete: false };
    case 'current':
      return judge(poll, job, step);
  }
}

/** The current attempt's state, as one answer. */
async function judge(poll: Poll, job: BackupJobDescription, step: Extract<AttemptStep, { kind: 'current' }>): Promise<IsCompleteResponse> {
  const spec = poll.spec;
  const outcome = classifyBackupState(job.State);
  log('info', 'backup job state', {
    backupJobId: job.BackupJobId, attempt: step.attempt, state: job.State, percentDone: job.PercentDone, outcome, ...(step.queuedBehind?.length ? { queuedBehind: step.queuedBehind } : {}),
  });
  switch (outcome) {
    case 'completed':
      if (completedWithIssues(job)) log('warn', 'backup job completed with issues', { backupJobId: job.BackupJobId, messageCategory: job.MessageCategory, statusMessage: job.StatusMessage });
      return done(poll, job);
    case 'partial':
      if (spec.allowPartial) {
        log('warn', 'backup job ended PARTIAL; accepted because allowPartial is set', { backupJobId: job.BackupJobId, statusMessage: job.StatusMessage });
        return done(poll, job);
      }
      return fail(poll, job, `${backupJobFailureMessage(job)} (set allowPartial to accept a partial backup)`);
    case 'failed':
      return fail(poll, job, backupJobFailureMessage(job));
    case 'running':
    case 'unknown':
      if (outcome === 'unknown') log('warn', 'backup job in a state this handler does not know; waiting on', { backupJobId: job.BackupJobId, state: job.State });
      if (!spec.waitForCompletion) return done(poll, job);
      if (poll.timedOut) return fail(poll, job, timeoutMessage(poll, job, step.queuedBehind));
      return { IsComplete: false };
  }
}

function timeoutMessage(poll: Poll, job: BackupJobDescription, queuedBehind: readonly string[] | undefined): string {
  const spec = poll.spec;
  const progress = job.PercentDone ? `, ${job.PercentDone}% done` : '';
  const queued = job.State !== 'CREATED' ? '' : queuedBehind?.length
    ? `; it was queued behind backup job(s) ${queuedBehind.join(', ')} (AWS Backup runs one job per resource at a time)`
    : '; a job waits in CREATED while another job holds the resource (AWS Backup runs one job per resource at a time)';
  const after = resourceTypeInfo(spec.resourceType)?.stoppable === false ? `AWS Backup cannot stop ${spec.resourceType} jobs: it runs to its end` : 'it was stopped';
  return `Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for backup job ${job.BackupJobId} of ${spec.start.ResourceArn} (still ${job.State}${progress}${queued}); ${after}. ${poll.timeoutAdvice}`;
}

/** Done: the attributes, and the physical id of the attempt that completed (on a busy resource, not always the first job). */
async function done(poll: Poll, job: BackupJobDescription): Promise<IsCompleteResponse> {
  // A job that ended after CloudFormation stopped waiting for it (between two checks) is cleaned up, not reported.
  if (poll.spec.waitForCompletion) await abandonIfMovedOn(poll, job);
  const physicalId = poll.physicalIdOf(job);
  return { IsComplete: true, Data: attributesOf(job), ...(physicalId ? { PhysicalResourceId: physicalId } : {}) };
}

/**
 * Failed: CloudFormation stops waiting with this answer. A job that still runs
 * is stopped now (nothing may run on behind a failed deploy) and, under
 * DESTROY, what it made is deleted: a failed Update's rollback never names this
 * job again.
 */
async function fail(poll: Poll, job: BackupJobDescription, message: string): Promise<never> {
  await cleanUpWithinBudget(async () => {
    if (await cleanUpJob(job.BackupJobId!, job.RecoveryPointArn, poll.spec, job) === 'still running') {
      log('warn', `AWS Backup cannot stop ${poll.spec.resourceType} backup jobs; once the job ended, delete its recovery point`, { backupJobId: job.BackupJobId, recoveryPointArn: job.RecoveryPointArn });
    }
  });
  throw new Error(message);
}

/**
 * When CloudFormation stopped waiting for this request while its job runs (a
 * sibling failed, the stack was cancelled or rolled back), and the resource
 * shows no answer of this request's own: the job is stopped where AWS Backup
 * can stop it and, under DESTROY, its recovery point deleted; the wait ends.
 */
async function abandonIfMovedOn(poll: Poll, job: BackupJobDescription): Promise<void> {
  const awaited = await stillAwaited(poll.event, poll.event.Wait?.watch, BACKUP_ID);
  if (awaited.state !== 'moved-on') return;
  log('warn', 'CloudFormation no longer waits for this request; cleaning up after its job', { backupJobId: job.BackupJobId, resourceStatus: awaited.status });
  await cleanUpWithinBudget(async () => { await cleanUpJob(job.BackupJobId!, job.RecoveryPointArn, { ...poll.spec, waitForCompletion: true }, job); });
  throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); backup job ${job.BackupJobId} was cleaned up`);
}

function wanted(awaited: Awaited): Wanted {
  return awaited.state === 'still-waiting' ? 'yes' : awaited.state === 'moved-on' ? 'no' : 'unknown';
}

export function attributesOf(job: BackupJobDescription): BackupJobAttributes {
  return {
    BackupJobId: job.BackupJobId ?? '',
    RecoveryPointArn: job.RecoveryPointArn ?? '',
    State: job.State ?? '',
    StatusMessage: job.StatusMessage ?? '',
    BackupSizeInBytes: String(job.BackupSizeInBytes ?? 0),
    CreationDate: isoDate(job.CreationDate),
    CompletionDate: isoDate(job.CompletionDate),
    BackupVaultArn: job.BackupVaultArn ?? '',
    ResourceType: job.ResourceType ?? '',
    MessageCategory: job.MessageCategory ?? '',
  };
}

/** The attributes of the current job (a request's last attempt), from AWS if it still knows the job, else from the physical id. */
async function currentAttributes(physicalId: string | undefined, properties: RawProperties): Promise<BackupJobAttributes> {
  const id = physicalIdOf(BACKUP_ID, physicalId);
  if (!id) throw new Error(`isComplete: physical resource id ${physicalId} names no backup job`);
  try {
    return attributesOf(await currentAttempt(client(), id.jobId));
  } catch (error) {
    log('warn', 'could not describe the current backup job; answering from the physical id', { backupJobId: id.jobId, error: describeError(error) });
    return {
      BackupJobId: id.jobId, RecoveryPointArn: id.tail, State: '', StatusMessage: '', BackupSizeInBytes: '0', CreationDate: '', CompletionDate: '',
      BackupVaultArn: '', ResourceType: String(properties.ResourceType ?? ''), MessageCategory: '',
    };
  }
}
