/**
 * A backup's attempts on a busy resource, as the handlers drive them
 * (lambda/shared/backup-attempts.ts): the engine's view of them (each poll's
 * current attempt, a request's attempts, the poller's state), the jobs a first
 * attempt is queued behind, and the long-wait poller's attempt task.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import type { BackupAttempts } from '../../../lib/core/backup-job-poller';
import type { BackupJobSpec } from '../../../lib/core/backup-job-contract';
import type { PollerInput } from '../../../lib/core/long-wait';
import { formatSeconds } from '../../../lib/core/messages';
import { idempotencyToken, withOwnerTags } from '../../../lib/core/properties';
import { resourceTypeInfo } from '../../../lib/core/resource-types';
import { attemptsUntil } from '../../../lib/core/timing';
import { advance, AttemptOptions, attemptsFrom, AttemptStep, currentAttempt, Wanted } from '../../shared/backup-attempts';
import { BACKUP_JOBS, BackupJobDescription, describeBackupJob, findActiveBackupJobs } from '../../shared/backup-jobs';
import { describeError, isTransientError } from '../../shared/errors';
import { log } from '../../shared/log';
import { describeStackResource } from '../cloudformation';
import { backupClient } from '../invocation';
import type { Attempts, JobRef, PolledJob } from '../job-kind';

/** The CloudFormation request a backup's attempts belong to: their tokens derive from it. */
export interface AttemptRequest {
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestId: string;
}

/** The idempotency token of a request's attempt n: the first is the request's own token (a retried delivery gets its job back). */
export function attemptTokenOf(request: AttemptRequest): (attempt: number) => string {
  return (attempt) => (attempt === 1 ? idempotencyToken(request) : idempotencyToken(request, `attempt-${attempt}`));
}

/** The options of a request's attempts. */
function attemptOptions(options: {
  request: AttemptRequest;
  start: AttemptOptions['start'];
  resourceType: string;
  stillWanted: () => Promise<Wanted>;
  heldBy?: readonly string[];
  until?: Date;
  mayStart?: boolean;
}): AttemptOptions {
  return {
    client: backupClient(),
    start: options.start,
    tokenOf: attemptTokenOf(options.request),
    stoppable: resourceTypeInfo(options.resourceType)?.stoppable !== false,
    stillWanted: options.stillWanted,
    heldBy: options.heldBy,
    until: options.until,
    mayStart: options.mayStart,
  };
}

/**
 * The other jobs that hold the resource just after a first attempt started (it
 * is queued behind them); empty when AWS Backup cannot tell now (the job then
 * waits for AWS Backup's own next try).
 */
export async function heldByOthers(resourceArn: string, backupJobId: string): Promise<string[]> {
  try {
    return (await findActiveBackupJobs(backupClient(), resourceArn)).filter((id) => id !== backupJobId);
  } catch (error) {
    log('warn', 'could not list the jobs that hold the resource', { resourceArn, error: describeError(error) });
    return [];
  }
}

/** Whether CloudFormation still waits for a long wait's WaitCondition (or is about to create it: its handle stands). */
export async function conditionAwaited(stackId: string, conditionLogicalId: string, handleLogicalId: string): Promise<Wanted> {
  try {
    const condition = await describeStackResource({ StackId: stackId, LogicalResourceId: conditionLogicalId });
    return condition?.ResourceStatus === 'CREATE_IN_PROGRESS' ? 'yes' : 'no';
  } catch (error) {
    if (isTransientError(error)) return 'unknown';
  }
  try {
    const handle = await describeStackResource({ StackId: stackId, LogicalResourceId: handleLogicalId });
    return handle?.ResourceStatus && !handle.ResourceStatus.startsWith('DELETE') ? 'yes' : 'no';
  } catch (error) {
    return isTransientError(error) ? 'unknown' : 'no';
  }
}

/** A job description as the poller's state holds it (JSON: dates as ISO 8601 strings). */
function asState(job: BackupJobDescription, holders?: readonly string[]): Record<string, unknown> {
  return { ...JSON.parse(JSON.stringify(job)), ...(holders?.length ? { Holders: holders } : {}) };
}

/**
 * The long-wait poller's attempt task, at an end that may be another job's
 * doing or while a first attempt is queued: the poller's state back, with the
 * current attempt (`JobId`, `Job`) and the decision (`Attempts.Outcome`).
 */
export async function attempt(state: PollerInput): Promise<PollerInput> {
  const attempts = state.Attempts as BackupAttempts | undefined;
  if (!attempts?.FirstJobId) throw new Error('the poller\'s state has no backup Attempts: only a backup takes attempts');
  const until = new Date(Date.now() + attempts.TimeoutSeconds * 1000);
  const step: AttemptStep = await advance(attemptOptions({
    request: attempts.Request,
    start: attempts.Start,
    resourceType: attempts.ResourceType,
    stillWanted: () => conditionAwaited(state.StackId, attempts.ConditionLogicalId, state.HandleLogicalId),
    heldBy: attempts.HeldBy,
    until,
    mayStart: state.Counter.Poll < state.Polls,
  }), attempts.FirstJobId);
  const job = step.job;
  const fields = { firstJobId: attempts.FirstJobId, backupJobId: job.BackupJobId, attempt: step.attempt, state: job.State };
  let next: Pick<BackupAttempts, 'Queued' | 'Outcome' | 'Holders'>;
  const ended = job.State !== 'CREATED' && job.State !== 'PENDING' && job.State !== 'RUNNING' && job.State !== 'ABORTING';
  switch (step.kind) {
    case 'waiting':
      log('info', 'the backup job ended because another job holds the resource; the next attempt starts once it ended', { ...fields, holders: step.holders });
      next = { Queued: false, Outcome: 'poll', Holders: step.holders };
      break;
    case 'started':
      log('info', 'the resource is free: started the next attempt', { ...fields, replaced: step.replaced.BackupJobId });
      next = { Queued: false, Outcome: 'poll', Holders: [] };
      break;
    case 'not-wanted':
      log('warn', 'CloudFormation no longer waits for this backup: no new attempt', fields);
      next = { Queued: false, Outcome: 'failed', Holders: [] };
      break;
    case 'current': {
      const queued = (step.queuedBehind?.length ?? 0) > 0;
      // A later attempt that already ended is judged at once (COMPLETED, PARTIAL); any other end was not
      // another job's doing and fails the backup with AWS Backup's message.
      const outcome = !ended ? 'poll' : job.State === 'COMPLETED' || job.State === 'PARTIAL' ? 'check' : 'failed';
      next = { Queued: queued, Outcome: outcome, Holders: step.queuedBehind ?? [] };
      break;
    }
  }
  return { ...state, JobId: job.BackupJobId!, Job: asState(job, next.Holders), Attempts: { ...attempts, ...next } } as PollerInput;
}

/** The backup kind's attempts, as the lifecycle engine takes them. */
export const BACKUP_ATTEMPTS: Attempts<BackupJobSpec, BackupJobDescription> = {
  async poll({ event, spec, firstJobId, wait, timedOut, stillWanted }): Promise<PolledJob<BackupJobDescription>> {
    // The request's current attempt (its first job unless a busy resource made it take more), and the next
    // attempt, started when the one before gave way to another job that no longer holds the resource.
    const step = await advance(attemptOptions({
      request: event, start: withOwnerTags(spec.start, event), resourceType: spec.resourceType, stillWanted, heldBy: wait.heldBy, until: new Date(wait.deadline!),
      mayStart: spec.waitForCompletion && !timedOut,
    }), firstJobId);
    const job = step.job;
    const fields = { backupJobId: job.BackupJobId, attempt: step.attempt };
    switch (step.kind) {
      case 'not-wanted':
        return { kind: 'not-wanted', job };
      case 'started':
        log('info', 'the resource is free: started the next attempt', { ...fields, replaced: step.replaced.BackupJobId, replacedState: step.replaced.State });
        return { kind: 'between-attempts', job, timeoutMessage: `Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for backup job ${job.BackupJobId}` };
      case 'waiting': {
        log('info', 'the backup job ended because another job holds the resource; the next attempt starts once it ended', { ...fields, holders: step.holders });
        const holders = step.holders.length > 0 ? `backup job(s) ${step.holders.join(', ')} still held the resource` : 'the resource was not free in time';
        return {
          kind: 'between-attempts',
          job,
          timeoutMessage: `Timed out after ${formatSeconds(spec.timeoutSeconds)}: ${BACKUP_JOBS.failureMessage(job)}, and ${holders} (AWS Backup runs one backup of a resource at a time), so no backup was taken. Raise timeout`,
        };
      }
      case 'current':
        return { kind: 'current', job, detail: queuedDetail(job, step.queuedBehind) };
    }
  },
  current: (firstJobId) => currentAttempt(backupClient(), firstJobId),
  async all(first, spec) {
    try {
      const job = await describeBackupJob(backupClient(), first.jobId);
      const until = job.CreationDate ? attemptsUntil(new Date(job.CreationDate), spec.timeoutSeconds) : undefined;
      return (await attemptsFrom(backupClient(), job, until)).map((attempt): JobRef<BackupJobDescription> => ({ jobId: attempt.BackupJobId!, made: attempt.RecoveryPointArn, job: attempt }));
    } catch (error) {
      log('warn', 'could not describe the backup job (AWS Backup keeps job history for a limited time)', { backupJobId: first.jobId, error: describeError(error) });
      return [first];
    }
  },
  pollerState: pollerAttempts,
};

/** Why a job still waits in CREATED, for the timeout's message. */
function queuedDetail(job: BackupJobDescription, queuedBehind: readonly string[] | undefined): string | undefined {
  if (job.State !== 'CREATED') return undefined;
  return queuedBehind?.length
    ? `; it was queued behind backup job(s) ${queuedBehind.join(', ')} (AWS Backup runs one job per resource at a time)`
    : '; a job waits in CREATED while another job holds the resource (AWS Backup runs one job per resource at a time)';
}

/** What the long-wait poller needs to take the next attempts of the request's backup on a busy resource. */
function pollerAttempts(event: CdkCustomResourceEvent, spec: BackupJobSpec, firstJobId: string, heldBy: readonly string[]): BackupAttempts {
  return {
    FirstJobId: firstJobId,
    Request: { StackId: event.StackId, LogicalResourceId: event.LogicalResourceId, RequestId: event.RequestId },
    Start: withOwnerTags(spec.start, event),
    ResourceType: spec.resourceType,
    ConditionLogicalId: spec.longWait?.conditionLogicalId ?? '',
    TimeoutSeconds: spec.timeoutSeconds,
    HeldBy: heldBy,
    Queued: heldBy.length > 0,
  };
}
