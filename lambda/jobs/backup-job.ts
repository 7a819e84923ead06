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
import { resourceTypeInfo } from '../../lib/resource-types';
import { formatSeconds } from '../../lib/validation';
import {
  BackupJobDescription,
  backupJobFailureMessage,
  classifyBackupState,
  describeBackupJob,
  describeError,
  findActiveJobs,
  isNotFound,
  isOwnedBy,
  JobOwner,
  listJobsSince,
  isTransientError,
  naming,
  startBackupJob,
  stopBackupJob,
} from '../core/backup-jobs';
import { log } from '../core/log';
import { stillAwaited, watchAwaitedRequest } from './cloudformation';
import * as common from './common';
import { backupClient as client, cancelledCreateWindow, deadlineAfter, deleteBudgetMs, isoDate, withinBudget } from './common';
import { formatPhysicalId, parsePhysicalId } from './physical-id';
import { BackupJobSpec, fingerprint, idempotencyToken, parseBackupJobProperties } from './properties';

/** The attributes every successful response carries (all strings, all always present). */
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
}

type OnEventResponse = common.OnEventResponse<BackupJobAttributes>;
type IsCompleteEvent = common.IsCompleteEvent<BackupJobAttributes>;
type IsCompleteResponse = common.IsCompleteResponse<BackupJobAttributes>;

export function onBackupJobEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return common.onJobEvent(event, {
    kind: 'started',
    start,
    remove: async (physicalId, properties) => {
      const stillRunning: string[] = [];
      await withinBudget(deleteBudgetMs(), () => cleanUpOnDelete(physicalId, properties, stillRunning));
      if (stillRunning.length === 0) return { PhysicalResourceId: physicalId, Wait: { mode: 'deleted' } };
      const timeoutSeconds = parseBackupJobProperties(properties).timeoutSeconds;
      return { PhysicalResourceId: physicalId, Wait: { mode: 'deleting', deadline: deadlineAfter(timeoutSeconds), blockingJobIds: stillRunning } };
    },
  });
}

async function start(event: CdkCustomResourceEvent, properties: Record<string, unknown>): Promise<OnEventResponse> {
  const spec = parseBackupJobProperties(properties);
  const fp = fingerprint(properties);
  const token = idempotencyToken(event);
  const deadline = deadlineAfter(spec.timeoutSeconds);
  const watch = await watchAwaitedRequest(event, 'backup');

  const active = await naming('ListBackupJobs', () => findActiveJobs(client(), spec.start.ResourceArn!));
  const current = parsePhysicalId(event.RequestType === 'Update' ? event.PhysicalResourceId : undefined);
  const previousJob = current?.kind === 'started' ? current.backupJobId : undefined;
  const others = active.filter((job) => job.BackupJobId !== previousJob);
  const blocking = others.filter((job) => !isOwnedBy(job, ownerOf(spec))).map((job) => job.BackupJobId!);
  if (blocking.length > 0 && blocking.length === others.length) {
    log('info', 'another backup job runs on the resource; ours starts when it ends', { resourceArn: spec.start.ResourceArn, blockingJobIds: blocking });
    return {
      PhysicalResourceId: formatPhysicalId({ kind: 'pending', idempotencyToken: token, fingerprint: fp }),
      Wait: { mode: 'pending', deadline, blockingJobIds: blocking, idempotencyToken: token, watch },
    };
  }
  // Free, or busy with a job that may be this request's own (a retried delivery of it): the same token
  // gets that job back, and otherwise starts ours (AWS Backup starts it when the resource is free).
  const started = await naming('StartBackupJob', () => startBackupJob(client(), { ...spec.start, IdempotencyToken: token }));
  if (others.some((job) => job.BackupJobId === started.BackupJobId)) {
    log('info', 'this request already started its backup job (a retried delivery); waiting for it', { backupJobId: started.BackupJobId });
  }
  log('info', 'backup job started', { backupJobId: started.BackupJobId, recoveryPointArn: started.RecoveryPointArn });
  return {
    PhysicalResourceId: formatPhysicalId({
      kind: 'started',
      backupJobId: started.BackupJobId!,
      fingerprint: fp,
      recoveryPointArn: started.RecoveryPointArn ?? '',
    }),
    Wait: { mode: 'started', deadline, watch },
  };
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
  if (event.RequestType === 'Delete' || wait?.mode === 'deleted') {
    return { IsComplete: true };
  }
  const properties = event.ResourceProperties as Record<string, unknown>;
  if (wait?.mode === 'unchanged') {
    return { IsComplete: true, Data: await currentAttributes(event.PhysicalResourceId, properties) };
  }
  if (!wait || !wait.deadline) {
    throw new Error('isComplete: the event carries no wait state from onEvent');
  }
  const spec = parseBackupJobProperties(properties);
  const deadline = Date.parse(wait.deadline);
  const timedOut = Date.now() >= deadline;

  let backupJobId: string;
  let newPhysicalId: string | undefined;
  if (wait.mode === 'pending') {
    const running = await stillRunning(wait.blockingJobIds ?? []);
    if (running === undefined) {
      return retryOrTimeOut(timedOut, spec, 'the backup job blocking the resource could not be described');
    }
    if (running.length > 0) {
      if (timedOut) {
        throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for backup job(s) ${running.join(', ')} on ${spec.start.ResourceArn} to end (AWS Backup runs one job per resource at a time); the backup was not started`);
      }
      return { IsComplete: false };
    }
    // The resource is free. Never start a job CloudFormation no longer waits for.
    const before = await stillAwaited(event, wait.watch, 'started');
    if (before.state === 'moved-on') {
      throw new Error(`CloudFormation no longer waits for this request (the resource is ${before.status}); the backup was not started`);
    }
    if (before.state === 'unknown') return retryOrTimeOut(timedOut, spec, 'CloudFormation could not tell whether it still waits');
    // Same token, same job: this starts ours once and finds it on every later poll.
    let started;
    try {
      started = await startBackupJob(client(), { ...spec.start, IdempotencyToken: wait.idempotencyToken });
    } catch (error) {
      if (isTransientError(error)) return retryOrTimeOut(timedOut, spec, describeError(error));
      throw new Error(`StartBackupJob failed: ${describeError(error)}`);
    }
    backupJobId = started.BackupJobId!;
    // CloudFormation may have stopped waiting while the job was being started: then it is cleaned up at once.
    await abandonIfMovedOn(event, backupJobId, spec);
    newPhysicalId = formatPhysicalId({
      kind: 'started',
      backupJobId,
      fingerprint: fingerprint(properties),
      recoveryPointArn: started.RecoveryPointArn ?? '',
    });
  } else {
    const id = parsePhysicalId(event.PhysicalResourceId);
    if (id?.kind !== 'started') {
      throw new Error(`isComplete: physical resource id ${event.PhysicalResourceId} names no backup job`);
    }
    backupJobId = id.backupJobId;
    if (checksCloudFormation(Date.now())) await abandonIfMovedOn(event, backupJobId, spec);
  }

  let job: BackupJobDescription;
  try {
    job = await describeBackupJob(client(), backupJobId);
  } catch (error) {
    if (isTransientError(error)) {
      log('warn', 'DescribeBackupJob failed; trying again at the next poll', { backupJobId, error: describeError(error) });
      return retryOrTimeOut(timedOut, spec, describeError(error), backupJobId);
    }
    throw new Error(`DescribeBackupJob of ${backupJobId} failed: ${describeError(error)}`);
  }

  const done = async (): Promise<IsCompleteResponse> => {
    // A job that ended after CloudFormation stopped waiting for it (between two checks) is cleaned up, not reported.
    if (spec.waitForCompletion) await abandonIfMovedOn(event, backupJobId, spec, job);
    return { IsComplete: true, Data: attributesOf(job), ...(newPhysicalId ? { PhysicalResourceId: newPhysicalId } : {}) };
  };
  const fail = async (message: string): Promise<never> => {
    if (wait.mode === 'pending') {
      // CloudFormation's Delete will not know this job (the physical id was the pending one): clean up now.
      await withinBudget(deleteBudgetMs(), async () => { await cleanUpJob(backupJobId, job.RecoveryPointArn, spec, job); });
    }
    throw new Error(message);
  };

  const outcome = classifyBackupState(job.State);
  log('info', 'backup job state', { backupJobId, state: job.State, percentDone: job.PercentDone, outcome });
  switch (outcome) {
    case 'completed':
      if (job.StatusMessage) {
        log('warn', 'backup job completed with a status message', { backupJobId, statusMessage: job.StatusMessage });
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
        return fail(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for backup job ${backupJobId} of ${spec.start.ResourceArn} (still ${job.State}${progress}); raise timeout, or set waitForCompletion to false`);
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

/** The blocking jobs still active; undefined when one could not be described for a passing reason. */
async function stillRunning(jobIds: readonly string[]): Promise<string[] | undefined> {
  const running: string[] = [];
  for (const id of jobIds) {
    try {
      const job = await describeBackupJob(client(), id);
      if (classifyBackupState(job.State) === 'running') running.push(id);
    } catch (error) {
      if (isNotFound(error)) continue;
      if (isTransientError(error)) return undefined;
      throw new Error(`DescribeBackupJob of blocking job ${id} failed: ${describeError(error)}`);
    }
  }
  return running;
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
  };
}

/** The attributes of the current job, from AWS if it still knows the job, else from the physical id. */
async function currentAttributes(physicalId: string | undefined, properties: Record<string, unknown>): Promise<BackupJobAttributes> {
  const id = parsePhysicalId(physicalId);
  if (id?.kind !== 'started') {
    throw new Error(`isComplete: physical resource id ${physicalId} names no backup job`);
  }
  try {
    return attributesOf(await describeBackupJob(client(), id.backupJobId));
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
    if (await cleanUpJob(id.backupJobId, id.recoveryPointArn, spec) === 'still running') stillRunning.push(id.backupJobId);
    return;
  }
  if (id?.kind === 'pending') {
    // The wait for a busy resource answered with this id: a job it started was cleaned up when it failed.
    log('info', 'no backup job was started for this resource; nothing to clean up', { physicalId });
    return;
  }
  // A physical id this handler never returned (one CloudFormation made up): CloudFormation stopped
  // waiting for a Create that may have started a job. That job is this resource's own by its
  // description, and it still runs or ended moments ago (the Create was waiting for it); a job of
  // the same resource, vault and role that ended earlier is another request's and is left alone.
  const window = cancelledCreateWindow(spec.timeoutSeconds);
  const jobs = (await listJobsSince(client(), ownerOf(spec), window.createdAfter)).filter((job) => isOwnedBy(job, ownerOf(spec))
    && window.mayBeIt(classifyBackupState(job.State) === 'running', job.CompletionDate));
  if (jobs.length === 0) {
    log('info', 'no backup job of this resource was started; nothing to clean up', { physicalId });
    return;
  }
  for (const job of jobs) {
    log('info', 'a job this resource started before CloudFormation stopped waiting for it', { backupJobId: job.BackupJobId, state: job.State });
    if (await cleanUpJob(job.BackupJobId!, job.RecoveryPointArn, spec, job) === 'still running') stillRunning.push(job.BackupJobId!);
  }
}

/**
 * A Delete that waits for DESTROY jobs AWS Backup cannot stop: once a job
 * ended, its recovery point is deleted; at the deadline, whatever is left is
 * logged with its ARN and the Delete answers.
 */
async function finishDelete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const wait = event.Wait!;
  const spec = parseBackupJobProperties(event.ResourceProperties as Record<string, unknown>);
  const left: string[] = [];
  await withinBudget(deleteBudgetMs(), async () => {
    for (const backupJobId of wait.blockingJobIds ?? []) {
      if (await cleanUpJob(backupJobId, undefined, spec) === 'still running') left.push(backupJobId);
    }
  });
  if (left.length === 0) return { IsComplete: true };
  if (Date.now() >= Date.parse(wait.deadline!)) {
    for (const backupJobId of left) {
      log('warn', 'the backup job still runs at the end of the timeout; its recovery point stays: delete it once the job ended', {
        backupJobId, recoveryPointArn: (await describeBackupJob(client(), backupJobId).catch(() => undefined))?.RecoveryPointArn,
      });
    }
    return { IsComplete: true };
  }
  return { IsComplete: false };
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
