/**
 * The Custom::BackupJob handlers (onEvent and isComplete of the provider).
 *
 * onEvent starts the backup job (never waits); isComplete describes it at each
 * poll of the framework's waiter until it ends. Every path answers: a failure
 * is thrown with AWS Backup's StatusMessage, a per-job timeout ends the wait,
 * and Delete never fails because of the backup.
 */
import { DeleteRecoveryPointCommand } from '@aws-sdk/client-backup';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { resourceTypeInfo } from '../../lib/core/resource-types';
import { formatSeconds } from '../../lib/core/validation';
import {
  BackupJobDescription,
  backupJobFailureMessage,
  classifyBackupState,
  completedWithIssues,
  describeBackupJob,
  describeError,
  isNotFound,
  isOwnedBy,
  JobOwner,
  listJobsSince,
  isTransientError,
  naming,
  startBackupJob,
  stopBackupJob,
} from '../../lib/core/backup-jobs';
import { log } from '../../lib/core/log';
import { stillAwaited, watchAwaitedRequest } from './cloudformation';
import * as common from './common';
import { backupClient as client, cancelledCreateWindow, cleanUpDeadline, deadlineAfter, deleteBudgetMs, isoDate, withinBudget } from './common';
import { formatPhysicalId, parsePhysicalId } from './physical-id';
import { needsRearm, refuseReusedHandle, startPoller, stopPoller } from './poller';
import { BackupJobAttributes, BackupJobSpec, fingerprint, idempotencyToken, parseBackupJobProperties } from '../../lib/core/contract';
import { advance, AttemptStep, attemptsFrom, currentAttempt } from '../../lib/core/backup-attempts';
import type { PollerAttempts } from '../../lib/core/long-wait';
import { attemptOptions, heldByOthers } from './backup-attempt';

type OnEventResponse = common.OnEventResponse<BackupJobAttributes>;
type IsCompleteEvent = common.IsCompleteEvent<BackupJobAttributes>;
type IsCompleteResponse = common.IsCompleteResponse<BackupJobAttributes>;

export function onBackupJobEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return common.onJobEvent(event, {
    kind: 'started',
    start,
    rolledBack,
    unchanged: rearm,
    remove: async (physicalId, properties) => {
      const stillRunning: string[] = [];
      await withinBudget(deleteBudgetMs(), () => cleanUpOnDelete(physicalId, properties, stillRunning));
      if (stillRunning.length === 0) return { PhysicalResourceId: physicalId, Wait: { mode: 'deleted' } };
      return { PhysicalResourceId: physicalId, Wait: { mode: 'deleting', deadline: cleanUpDeadline(parseBackupJobProperties(properties).timeoutSeconds), blockingJobIds: stillRunning } };
    },
  });
}

/** A long wait's result: the job's attributes, once its WaitCondition completed. */
export function onBackupJobResultEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return common.onJobResultEvent(event, async (firstJobId, allowPartial) => {
    // On a busy resource, the backup is the request's last attempt.
    const job = await naming('DescribeBackupJob', () => currentAttempt(client(), firstJobId));
    const backupJobId = job.BackupJobId;
    const outcome = classifyBackupState(job.State);
    if (outcome !== 'completed' && !(outcome === 'partial' && allowPartial)) {
      throw new Error(`Backup job ${backupJobId} is ${job.State}, not COMPLETED${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`);
    }
    return attributesOf(job);
  });
}

async function start(event: CdkCustomResourceEvent, properties: Record<string, unknown>): Promise<OnEventResponse> {
  const spec = parseBackupJobProperties(properties);
  const deadline = deadlineAfter(spec.timeoutSeconds);
  refuseReusedHandle(event, spec.longWait, 'backup');
  const watch = await watchAwaitedRequest(event, 'backup');
  // Always started here, while CloudFormation waits: on a resource another job holds (a backup plan's),
  // AWS Backup keeps ours in CREATED and starts it once the resource is free, within its start window.
  // The physical id names the job from the start, so every later request knows what to stop. A
  // retried delivery of this request gets its own job back through the same token.
  const started = await naming('StartBackupJob', () => startBackupJob(client(), { ...spec.start, IdempotencyToken: idempotencyToken(event) }));
  // The jobs that hold the resource now: ours is queued behind them, and replaced by a job started at
  // once when they ended before AWS Backup's next try (lib/core/backup-attempts.ts).
  const heldBy = spec.waitForCompletion ? await heldByOthers(spec.start.ResourceArn!, started.BackupJobId!) : [];
  log('info', 'backup job started', { backupJobId: started.BackupJobId, recoveryPointArn: started.RecoveryPointArn, ...(heldBy.length ? { queuedBehind: heldBy } : {}) });
  const physicalId = formatPhysicalId({
    kind: 'started',
    backupJobId: started.BackupJobId!,
    fingerprint: fingerprint(properties),
    recoveryPointArn: started.RecoveryPointArn ?? '',
  });
  if (spec.longWait) {
    await startPollerOrStop(event, spec, started.BackupJobId!, started.RecoveryPointArn, physicalId, pollerAttempts(event, spec, started.BackupJobId!, heldBy));
    // No waiter comes back to this request: CloudFormation is asked once more, now that the job and its
    // poller run. Had it stopped waiting meanwhile (a cancel, a sibling's failure), they are cleaned up
    // here; if it stops later, its rollback finds the job (it exists by then) and cleans up.
    const awaited = await stillAwaited({ ...event, ResourceProperties: properties }, watch, 'started');
    if (awaited.state === 'moved-on') {
      await withinBudget(deleteBudgetMs(), async () => {
        await stopPoller(spec.longWait!, started.BackupJobId!);
        await cleanUpJob(started.BackupJobId!, started.RecoveryPointArn, spec);
      });
      throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); backup job ${started.BackupJobId} and its poller were cleaned up`);
    }
    // Answered at once: the job's WaitCondition gates what depends on it.
    return {
      PhysicalResourceId: physicalId,
      Data: attributesOf({
        BackupJobId: started.BackupJobId, RecoveryPointArn: started.RecoveryPointArn, CreationDate: started.CreationDate, State: 'CREATED', ResourceType: spec.resourceType,
      }),
      Wait: { mode: 'handed-off' },
    };
  }
  return { PhysicalResourceId: physicalId, Wait: { mode: 'started', deadline, watch, ...(heldBy.length ? { heldBy } : {}) } };
}

/** What the long-wait poller needs to take the next attempts of the request's backup on a busy resource. */
function pollerAttempts(event: CdkCustomResourceEvent, spec: BackupJobSpec, firstJobId: string, heldBy: readonly string[]): PollerAttempts {
  return {
    FirstJobId: firstJobId,
    Request: { StackId: event.StackId, LogicalResourceId: event.LogicalResourceId, RequestId: event.RequestId },
    Start: spec.start,
    ResourceType: spec.resourceType,
    ConditionLogicalId: spec.longWait?.conditionLogicalId ?? '',
    TimeoutSeconds: spec.timeoutSeconds,
    HeldBy: heldBy,
    Queued: heldBy.length > 0,
  };
}

/** Starts the job's poller; when it cannot, the job is stopped (nothing would wait for it) and the request fails. */
async function startPollerOrStop(
  event: CdkCustomResourceEvent, spec: BackupJobSpec, backupJobId: string, recoveryPointArn: string | undefined, physicalId: string, attempts: PollerAttempts,
  currentJobId = backupJobId,
): Promise<void> {
  try {
    await startPoller(spec.longWait!, { kind: 'backup', jobId: backupJobId, currentJobId, allowPartial: spec.allowPartial, timeoutSeconds: spec.timeoutSeconds, request: event, physicalId, attempts });
  } catch (error) {
    await withinBudget(deleteBudgetMs(), async () => { await cleanUpJob(backupJobId, recoveryPointArn, spec); });
    throw new Error(`Could not start the long-wait poller for backup job ${backupJobId}: ${describeError(error)}; the job was cleaned up`);
  }
}

/**
 * An Update that takes no new job but comes with a new WaitConditionHandle (a
 * new timeout, or the switch to the long-wait path): the current job's poller
 * is started for it, and signals at its first poll when the job completed.
 */
async function rearm(event: CdkCustomResourceEvent): Promise<common.WaitState | undefined> {
  const spec = parseBackupJobProperties(event.ResourceProperties as Record<string, unknown>);
  if (event.RequestType !== 'Update' || !needsRearm(event, spec.longWait)) return undefined;
  const current = parsePhysicalId(event.PhysicalResourceId);
  if (current?.kind !== 'started') return undefined;
  // The current job is kept whatever happens: were the poller not to start, only it would be cleaned up.
  // On a busy resource, the poller follows the request's last attempt (the one that completed).
  const last = await currentAttempt(client(), current.backupJobId).catch(() => undefined);
  await startPollerOrStop(event, { ...spec, destroyOnDelete: false, waitForCompletion: false }, current.backupJobId, current.recoveryPointArn, event.PhysicalResourceId,
    pollerAttempts(event, spec, current.backupJobId, []), last?.BackupJobId ?? current.backupJobId);
  return { mode: 'unchanged' };
}

/** Whether this poll also asks CloudFormation whether it still waits: about once a minute while a job runs. */
function checksCloudFormation(now: number): boolean {
  return now % 60_000 < 20_000;
}

/**
 * When CloudFormation stopped waiting for this request while its job runs (a
 * sibling failed, the stack was cancelled or rolled back), and the resource
 * shows no answer of this request's own: the job is stopped where AWS Backup
 * can stop it and, under DESTROY, its recovery point deleted; the wait ends.
 */
async function abandonIfMovedOn(event: IsCompleteEvent, backupJobId: string, spec: BackupJobSpec, job?: BackupJobDescription): Promise<void> {
  const awaited = await stillAwaited(event, event.Wait?.watch, 'started');
  if (awaited.state !== 'moved-on') return;
  const status = awaited.status;
  log('warn', 'CloudFormation no longer waits for this request; cleaning up after its job', { backupJobId, resourceStatus: status });
  await withinBudget(deleteBudgetMs(), async () => { await cleanUpJob(backupJobId, job?.RecoveryPointArn, { ...spec, waitForCompletion: true }, job); });
  throw new Error(`CloudFormation no longer waits for this request (the resource is ${status}); backup job ${backupJobId} was cleaned up`);
}

export async function isBackupJobComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const wait = event.Wait;
  if (wait?.mode === 'deleting') return finishDelete(event);
  // deleted: nothing to wait for; handed-off: the long-wait poller waits (onEvent's answer carries the attributes).
  if (event.RequestType === 'Delete' || wait?.mode === 'deleted' || wait?.mode === 'handed-off') {
    return { IsComplete: true };
  }
  const properties = event.ResourceProperties as Record<string, unknown>;
  if (wait?.mode === 'unchanged') {
    // A rollback waits for the DESTROY jobs its abandoned request started that AWS Backup cannot stop.
    if (wait.blockingJobIds?.length && !(await cleanedUpAfter(wait, parseBackupJobProperties(event.OldResourceProperties as Record<string, unknown>)))) {
      return { IsComplete: false };
    }
    return { IsComplete: true, Data: await currentAttributes(event.PhysicalResourceId, properties) };
  }
  if (!wait || !wait.deadline) {
    throw new Error('isComplete: the event carries no wait state from onEvent');
  }
  const spec = parseBackupJobProperties(properties);
  const deadline = Date.parse(wait.deadline);
  const timedOut = Date.now() >= deadline;

  const id = parsePhysicalId(event.PhysicalResourceId);
  if (id?.kind !== 'started') {
    throw new Error(`isComplete: physical resource id ${event.PhysicalResourceId} names no backup job`);
  }

  // The request's current attempt (its first job unless a busy resource made it take more), and the next
  // attempt started when the one before gave way to another job that no longer holds the resource.
  let step: AttemptStep;
  try {
    step = await advance(attemptOptions({
      request: event,
      start: spec.start,
      resourceType: spec.resourceType,
      stillWanted: async () => ({ 'still-waiting': 'yes', 'moved-on': 'no', 'unknown': 'unknown' } as const)[(await stillAwaited(event, wait.watch, 'started')).state],
      heldBy: wait.heldBy,
      until: new Date(deadline),
      mayStart: spec.waitForCompletion && !timedOut,
    }), id.backupJobId);
  } catch (error) {
    if (isTransientError(error)) {
      log('warn', 'AWS Backup did not answer; trying again at the next poll', { backupJobId: id.backupJobId, error: describeError(error) });
      return retryOrTimeOut(timedOut, spec, describeError(error), id.backupJobId);
    }
    throw new Error(`DescribeBackupJob of ${id.backupJobId} failed: ${describeError(error)}`);
  }
  const job = step.job;
  const backupJobId = job.BackupJobId!;
  if (step.kind === 'not-wanted') {
    await withinBudget(deleteBudgetMs(), async () => { await cleanUpJob(backupJobId, job.RecoveryPointArn, { ...spec, waitForCompletion: true }, job); });
    throw new Error(`CloudFormation no longer waits for this request; backup job ${backupJobId} was cleaned up and no new attempt was started`);
  }
  if (checksCloudFormation(Date.now())) await abandonIfMovedOn(event, backupJobId, spec, job);

  const done = async (): Promise<IsCompleteResponse> => {
    // A job that ended after CloudFormation stopped waiting for it (between two checks) is cleaned up, not reported.
    if (spec.waitForCompletion) await abandonIfMovedOn(event, backupJobId, spec, job);
    // The answer names the attempt that completed (on a busy resource, not always the first job).
    const physicalId = backupJobId === id.backupJobId ? undefined : formatPhysicalId({ ...id, backupJobId, recoveryPointArn: job.RecoveryPointArn ?? '' });
    return { IsComplete: true, Data: attributesOf(job), ...(physicalId ? { PhysicalResourceId: physicalId } : {}) };
  };
  const fail = async (message: string): Promise<never> => {
    // CloudFormation stops waiting with this answer. A job that still runs is stopped now (nothing may run
    // on behind a failed deploy) and, under DESTROY, what it made is deleted: a failed Update's rollback
    // never names this job again.
    await withinBudget(deleteBudgetMs(), async () => {
      if (await cleanUpJob(backupJobId, job.RecoveryPointArn, spec, job) === 'still running') {
        log('warn', `AWS Backup cannot stop ${spec.resourceType} backup jobs; once the job ended, delete its recovery point`, { backupJobId, recoveryPointArn: job.RecoveryPointArn });
      }
    });
    throw new Error(message);
  };

  switch (step.kind) {
    case 'started':
      log('info', 'the resource is free: started the next attempt', { backupJobId, attempt: step.attempt, replaced: step.replaced.BackupJobId, replacedState: step.replaced.State });
      return { IsComplete: false };
    case 'waiting':
      if (!spec.waitForCompletion) return fail(backupJobFailureMessage(job));
      if (timedOut) {
        const holders = step.holders.length > 0 ? `backup job(s) ${step.holders.join(', ')} still held the resource` : 'the resource was not free in time';
        return fail(`Timed out after ${formatSeconds(spec.timeoutSeconds)}: ${backupJobFailureMessage(job)}, and ${holders} (AWS Backup runs one backup of a resource at a time), so no backup was taken. Raise timeout`);
      }
      log('info', 'the backup job ended because another job holds the resource; the next attempt starts once it ended', { backupJobId, attempt: step.attempt, holders: step.holders });
      return { IsComplete: false };
    case 'current':
      break;
  }

  const outcome = classifyBackupState(job.State);
  log('info', 'backup job state', { backupJobId, attempt: step.attempt, state: job.State, percentDone: job.PercentDone, outcome, ...(step.queuedBehind?.length ? { queuedBehind: step.queuedBehind } : {}) });
  switch (outcome) {
    case 'completed':
      if (completedWithIssues(job)) {
        log('warn', 'backup job completed with issues', { backupJobId, messageCategory: job.MessageCategory, statusMessage: job.StatusMessage });
      }
      return done();
    case 'partial':
      if (spec.allowPartial) {
        log('warn', 'backup job ended PARTIAL; accepted because allowPartial is set', { backupJobId, statusMessage: job.StatusMessage });
        return done();
      }
      return fail(`${backupJobFailureMessage(job)} (set allowPartial to accept a partial backup)`);
    case 'failed':
      return fail(backupJobFailureMessage(job));
    case 'running':
    case 'unknown':
      if (outcome === 'unknown') {
        log('warn', 'backup job in a state this handler does not know; waiting on', { backupJobId, state: job.State });
      }
      if (!spec.waitForCompletion) return done();
      if (timedOut) {
        const progress = job.PercentDone ? `, ${job.PercentDone}% done` : '';
        const queued = job.State !== 'CREATED' ? '' : step.queuedBehind?.length
          ? `; it was queued behind backup job(s) ${step.queuedBehind.join(', ')} (AWS Backup runs one job per resource at a time)`
          : '; a job waits in CREATED while another job holds the resource (AWS Backup runs one job per resource at a time)';
        const after = resourceTypeInfo(spec.resourceType)?.stoppable === false ? `AWS Backup cannot stop ${spec.resourceType} jobs: it runs to its end` : 'it was stopped';
        return fail(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for backup job ${backupJobId} of ${spec.start.ResourceArn} (still ${job.State}${progress}${queued}); ${after}. Raise timeout, or set waitForCompletion to false`);
      }
      return { IsComplete: false };
  }
}

function retryOrTimeOut(timedOut: boolean, spec: BackupJobSpec, reason: string, backupJobId?: string): IsCompleteResponse {
  if (timedOut) {
    const what = backupJobId ? `backup job ${backupJobId}` : `the backup of ${spec.start.ResourceArn}`;
    throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for ${what}; the last attempt failed with ${reason}`);
  }
  return { IsComplete: false };
}

function attributesOf(job: BackupJobDescription): BackupJobAttributes {
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

/** The attributes of the current job, from AWS if it still knows the job, else from the physical id. */
async function currentAttributes(physicalId: string | undefined, properties: Record<string, unknown>): Promise<BackupJobAttributes> {
  const id = parsePhysicalId(physicalId);
  if (id?.kind !== 'started') {
    throw new Error(`isComplete: physical resource id ${physicalId} names no backup job`);
  }
  try {
    return attributesOf(await currentAttempt(client(), id.backupJobId));
  } catch (error) {
    log('warn', 'could not describe the current backup job; answering from the physical id', { backupJobId: id.backupJobId, error: describeError(error) });
    return {
      BackupJobId: id.backupJobId,
      RecoveryPointArn: id.recoveryPointArn,
      State: '',
      StatusMessage: '',
      BackupSizeInBytes: '0',
      CreationDate: '',
      CompletionDate: '',
      BackupVaultArn: '',
      ResourceType: String(properties.ResourceType ?? ''),
      MessageCategory: '',
    };
  }
}

/** Who starts this resource's jobs. */
function ownerOf(spec: BackupJobSpec): JobOwner {
  return { ResourceArn: spec.start.ResourceArn!, BackupVaultName: spec.start.BackupVaultName!, IamRoleArn: spec.start.IamRoleArn! };
}

/** Cleans up after the resource's job(s); the ids of DESTROY jobs that AWS Backup cannot stop and that still run. */
async function cleanUpOnDelete(physicalId: string | undefined, properties: Record<string, unknown>, stillRunning: string[]): Promise<void> {
  let spec: BackupJobSpec;
  try {
    spec = parseBackupJobProperties(properties);
  } catch (error) {
    log('warn', 'cannot read the properties; leaving the backup as it is', { error: describeError(error) });
    return;
  }
  const id = parsePhysicalId(physicalId);
  if (id?.kind === 'started') {
    if (spec.longWait) await stopPoller(spec.longWait, id.backupJobId);
    // The request's attempts (more than its first job when a busy resource made it take more): the
    // last one made the backup, or still runs.
    for (const attempt of await attemptsOf(id.backupJobId, id.recoveryPointArn, spec)) {
      if (await cleanUpJob(attempt.jobId, attempt.recoveryPointArn, spec, attempt.job) === 'still running') stillRunning.push(attempt.jobId);
    }
    return;
  }
  // A physical id this handler never returned (one CloudFormation made up): CloudFormation stopped
  // waiting for a Create that may have started a job.
  await cleanUpAbandoned(spec, stillRunning);
}

/** A request's attempts from its first job; the first job alone when AWS Backup cannot tell. */
async function attemptsOf(firstJobId: string, recoveryPointArn: string, spec: BackupJobSpec): Promise<{ jobId: string; recoveryPointArn?: string; job?: BackupJobDescription }[]> {
  try {
    const first = await describeBackupJob(client(), firstJobId);
    const until = first.CreationDate ? new Date(new Date(first.CreationDate).getTime() + (spec.timeoutSeconds + LATE_ATTEMPT_MARGIN_SECONDS) * 1000) : undefined;
    return (await attemptsFrom(client(), first, until)).map((job) => ({ jobId: job.BackupJobId!, recoveryPointArn: job.RecoveryPointArn, job }));
  } catch (error) {
    log('warn', 'could not describe the backup job (AWS Backup keeps job history for a limited time)', { backupJobId: firstJobId, error: describeError(error) });
    return [{ jobId: firstJobId, recoveryPointArn }];
  }
}

/** How long after a request's timeout an attempt of it may still have been created (a last poll, its answer). */
const LATE_ATTEMPT_MARGIN_SECONDS = 5 * 60;

/**
 * Cleans up after the job of a request CloudFormation gave up on (a Create's
 * Delete with a made-up physical id, or a rollback's Update back to the
 * current job): that job is this resource's own by its description, and it
 * still runs or ended moments ago (the request was waiting for it); a job of
 * the same resource, vault and role that ended earlier is another request's
 * and is left alone, and so is the current job.
 */
async function cleanUpAbandoned(spec: BackupJobSpec, stillRunning: string[], rollback?: { currentJobId?: string }): Promise<void> {
  const window = cancelledCreateWindow(spec.timeoutSeconds);
  // A rollback's Update takes only the jobs that still run: a job that just ended may be an earlier
  // request's of the same resource, vault and role (a failed update's, kept under RETAIN), and the
  // abandoned request's own waiter cleans up after a job of its that ended (it polls on, and finds that
  // CloudFormation moved on). A Create's resource has had no earlier request.
  const jobs = (await listJobsSince(client(), ownerOf(spec), window.createdAfter)).filter((job) => isOwnedBy(job, ownerOf(spec))
    && (rollback === undefined || job.BackupJobId !== rollback.currentJobId)
    && (rollback === undefined ? window.mayBeIt(classifyBackupState(job.State) === 'running', job.CompletionDate) : classifyBackupState(job.State) === 'running'));
  if (jobs.length === 0) {
    log('info', 'no backup job of this resource was started by a request CloudFormation gave up on; nothing to clean up');
    return;
  }
  for (const job of jobs) {
    log('info', 'a job this resource started before CloudFormation stopped waiting for it', { backupJobId: job.BackupJobId, state: job.State });
    if (spec.longWait) await stopPoller(spec.longWait, job.BackupJobId!);
    if (await cleanUpJob(job.BackupJobId!, job.RecoveryPointArn, spec, job) === 'still running') stillRunning.push(job.BackupJobId!);
  }
}

/**
 * A rollback's Update back to the current job, from properties whose request
 * CloudFormation gave up on: that request's job (queued or running) is stopped
 * and, under DESTROY, its recovery point deleted, while the grants it brought
 * still stand; no Delete will ever name it. The DESTROY jobs AWS Backup cannot
 * stop are waited for (within the timeout).
 */
async function rolledBack(abandoned: Record<string, unknown>, physicalId: string | undefined): Promise<common.WaitState | undefined> {
  let spec: BackupJobSpec;
  try {
    spec = parseBackupJobProperties(abandoned);
  } catch {
    return undefined;
  }
  const current = parsePhysicalId(physicalId);
  const stillRunning: string[] = [];
  await withinBudget(deleteBudgetMs(), () => cleanUpAbandoned(spec, stillRunning, { currentJobId: current?.kind === 'started' ? current.backupJobId : undefined }));
  return stillRunning.length > 0 ? { mode: 'unchanged', deadline: cleanUpDeadline(spec.timeoutSeconds), blockingJobIds: stillRunning } : undefined;
}

/**
 * A Delete that waits for DESTROY jobs AWS Backup cannot stop: once a job
 * ended, its recovery point is deleted; at the deadline, whatever is left is
 * logged with its ARN and the Delete answers.
 */
async function finishDelete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const spec = parseBackupJobProperties(event.ResourceProperties as Record<string, unknown>);
  return { IsComplete: await cleanedUpAfter(event.Wait!, spec) };
}

/** Whether the jobs a wait names ended and were cleaned up after, or the wait's deadline passed (then what is left is logged). */
async function cleanedUpAfter(wait: common.WaitState, spec: BackupJobSpec): Promise<boolean> {
  const left: string[] = [];
  await withinBudget(deleteBudgetMs(), async () => {
    for (const backupJobId of wait.blockingJobIds ?? []) {
      if (await cleanUpJob(backupJobId, undefined, spec) === 'still running') left.push(backupJobId);
    }
  });
  if (left.length === 0) return true;
  if (Date.now() < Date.parse(wait.deadline!)) return false;
  for (const backupJobId of left) {
    log('warn', 'the backup job still runs at the end of the timeout; its recovery point stays: delete it once the job ended', {
      backupJobId, recoveryPointArn: (await describeBackupJob(client(), backupJobId).catch(() => undefined))?.RecoveryPointArn,
    });
  }
  return true;
}

/**
 * Stops the job if it still runs and nobody asked to keep it, and deletes its
 * recovery point when the removal policy is DESTROY. Logs, never throws.
 */
async function cleanUpJob(backupJobId: string, recoveryPointArn: string | undefined, spec: BackupJobSpec, known?: BackupJobDescription): Promise<'done' | 'still running'> {
  let job = known;
  if (!job) {
    try {
      job = await describeBackupJob(client(), backupJobId);
    } catch (error) {
      log('warn', 'could not describe the backup job (AWS Backup keeps job history for a limited time)', { backupJobId, error: describeError(error) });
    }
  }
  if (job && !isOwnedBy(job, ownerOf(spec))) {
    // Not a job of this resource's (another vault, role or resource, a backup plan's): never touched.
    log('warn', 'the job is not this resource\'s (its vault, role or resource differ, or a backup plan started it); leaving it alone', { backupJobId });
    return 'done';
  }
  const running = job !== undefined && classifyBackupState(job.State) === 'running';
  // A job that was waited for and still runs belongs to a deploy that did not finish (a rollback).
  // A fire-and-forget job under RETAIN is left to finish.
  if (running && (spec.waitForCompletion || spec.destroyOnDelete)) {
    if (resourceTypeInfo(spec.resourceType)?.stoppable === false) {
      log('warn', `AWS Backup cannot stop ${spec.resourceType} backup jobs; the job runs to its end`, { backupJobId });
      // Under DESTROY its recovery point is deleted once it exists (the Delete waits for the job, within the timeout).
      if (spec.destroyOnDelete) return 'still running';
    } else if (job!.State === 'ABORTING') {
      log('info', 'the backup job is already being stopped', { backupJobId });
    } else {
      try {
        await stopBackupJob(client(), backupJobId);
        log('info', 'stopped the running backup job', { backupJobId });
      } catch (error) {
        log('warn', 'could not stop the backup job', { backupJobId, error: describeError(error) });
      }
    }
  }
  if (!spec.destroyOnDelete) return 'done';
  const arn = job?.RecoveryPointArn || recoveryPointArn;
  if (!arn) {
    log('info', 'the job made no recovery point; nothing to delete', { backupJobId });
    return 'done';
  }
  try {
    // In this resource's own vault: a recovery point elsewhere is not this resource's to delete.
    await client().send(new DeleteRecoveryPointCommand({ BackupVaultName: spec.start.BackupVaultName, RecoveryPointArn: arn }));
    log('info', 'deleted the recovery point (removal policy DESTROY)', { recoveryPointArn: arn });
  } catch (error) {
    if (isNotFound(error)) {
      log('info', 'the recovery point is already gone', { recoveryPointArn: arn });
    } else {
      log('warn', 'could not delete the recovery point; delete it in the AWS Backup console', { recoveryPointArn: arn, error: describeError(error) });
    }
  }
  return 'done';
}
