/**
 * A backup job's clean-up: a Delete (the job's own, or one CloudFormation made
 * up for a Create it gave up on), a rollback's Update after a request
 * CloudFormation gave up on, and a failed wait. A job that still runs is
 * stopped (where AWS Backup can stop it), and under the removal policy DESTROY
 * what it made is deleted. Only this resource's own jobs are ever touched (its
 * resource, vault and role; never a backup plan's). A Delete never fails
 * because of the backup.
 */
import { BackupJobSpec } from '../../lib/core/backup-job-contract';
import { resourceTypeInfo } from '../../lib/core/resource-types';
import { attemptsUntil, cancelledCreateWindow, cleanUpDeadline } from '../../lib/core/timing';
import { attemptsFrom } from '../shared/backup-attempts';
import {
  BackupJobDescription, classifyBackupState, deleteRecoveryPoint, describeBackupJob, describeError, isNotFound, isOwnedBy, JobOwner, listJobsSince, stopBackupJob,
} from '../shared/backup-jobs';
import { log } from '../shared/log';
import { BACKUP_ID, OnEventResponse } from './backup-job-wait';
import { backupClient as client, cleanUpWithinBudget } from './invocation';
import { physicalIdOf } from './physical-id';
import { stopPoller } from './poller';
import type { WaitState } from './requests';

/** The Delete of a backup job's resource; a DESTROY job AWS Backup cannot stop is waited for (by isComplete, within the timeout). */
export async function remove(physicalId: string | undefined, spec: BackupJobSpec | undefined): Promise<OnEventResponse> {
  if (!spec) return { PhysicalResourceId: physicalId, Wait: { mode: 'deleted' } };
  const stillRunning: string[] = [];
  await cleanUpWithinBudget(() => cleanUpOnDelete(physicalId, spec, stillRunning));
  if (stillRunning.length === 0) return { PhysicalResourceId: physicalId, Wait: { mode: 'deleted' } };
  return { PhysicalResourceId: physicalId, Wait: { mode: 'deleting', deadline: cleanUpDeadline(spec.timeoutSeconds), blockingJobIds: stillRunning } };
}

/** Cleans up after the resource's job(s); the ids of DESTROY jobs that AWS Backup cannot stop and that still run. */
async function cleanUpOnDelete(physicalId: string | undefined, spec: BackupJobSpec, stillRunning: string[]): Promise<void> {
  const id = physicalIdOf(BACKUP_ID, physicalId);
  if (id) {
    if (spec.longWait) await stopPoller(spec.longWait, id.jobId);
    // The request's attempts (more than its first job when a busy resource made it take more): the
    // last one made the backup, or still runs.
    for (const attempt of await attemptsOf(id.jobId, id.tail, spec)) {
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
    const until = first.CreationDate ? attemptsUntil(new Date(first.CreationDate), spec.timeoutSeconds) : undefined;
    return (await attemptsFrom(client(), first, until)).map((job) => ({ jobId: job.BackupJobId!, recoveryPointArn: job.RecoveryPointArn, job }));
  } catch (error) {
    log('warn', 'could not describe the backup job (AWS Backup keeps job history for a limited time)', { backupJobId: firstJobId, error: describeError(error) });
    return [{ jobId: firstJobId, recoveryPointArn }];
  }
}

/** Who starts this resource's jobs. */
function ownerOf(spec: BackupJobSpec): JobOwner {
  return { ResourceArn: spec.start.ResourceArn, BackupVaultName: spec.start.BackupVaultName, IamRoleArn: spec.start.IamRoleArn };
}

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
export async function rolledBack(abandoned: BackupJobSpec, physicalId: string | undefined): Promise<WaitState | undefined> {
  const current = physicalIdOf(BACKUP_ID, physicalId);
  const stillRunning: string[] = [];
  await cleanUpWithinBudget(() => cleanUpAbandoned(abandoned, stillRunning, { currentJobId: current?.jobId }));
  return stillRunning.length > 0 ? { mode: 'unchanged', deadline: cleanUpDeadline(abandoned.timeoutSeconds), blockingJobIds: stillRunning } : undefined;
}

/**
 * A Delete that waits for DESTROY jobs AWS Backup cannot stop: once a job
 * ended, its recovery point is deleted; at the deadline, whatever is left is
 * logged with its ARN and the Delete answers.
 */
export function finishDelete(wait: WaitState, spec: BackupJobSpec): Promise<boolean> {
  return cleanedUpAfter(wait, spec);
}

/** Whether the jobs a wait names ended and were cleaned up after, or the wait's deadline passed (then what is left is logged). */
export async function cleanedUpAfter(wait: WaitState, spec: BackupJobSpec): Promise<boolean> {
  const left: string[] = [];
  await cleanUpWithinBudget(async () => {
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
export async function cleanUpJob(backupJobId: string, recoveryPointArn: string | undefined, spec: BackupJobSpec, known?: BackupJobDescription): Promise<'done' | 'still running'> {
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
      await stopBackupJob(client(), backupJobId).then(
        () => log('info', 'stopped the running backup job', { backupJobId }),
        (error) => log('warn', 'could not stop the backup job', { backupJobId, error: describeError(error) }),
      );
    }
  }
  if (spec.destroyOnDelete) await deleteWhatItMade(backupJobId, job?.RecoveryPointArn || recoveryPointArn, spec);
  return 'done';
}

/** Deletes a job's recovery point (removal policy DESTROY), in this resource's own vault only. Logs, never throws. */
async function deleteWhatItMade(backupJobId: string, recoveryPointArn: string | undefined, spec: BackupJobSpec): Promise<void> {
  if (!recoveryPointArn) {
    log('info', 'the job made no recovery point; nothing to delete', { backupJobId });
    return;
  }
  try {
    // In this resource's own vault: a recovery point elsewhere is not this resource's to delete.
    await deleteRecoveryPoint(client(), spec.start.BackupVaultName, recoveryPointArn);
    log('info', 'deleted the recovery point (removal policy DESTROY)', { recoveryPointArn });
  } catch (error) {
    if (isNotFound(error)) log('info', 'the recovery point is already gone', { recoveryPointArn });
    else log('warn', 'could not delete the recovery point; delete it in the AWS Backup console', { recoveryPointArn, error: describeError(error) });
  }
}
