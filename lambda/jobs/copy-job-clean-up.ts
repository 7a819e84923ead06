/**
 * A copy job's clean-up: RETAIN keeps the copy; DESTROY deletes it (the
 * destination recovery point, in its own Region), waiting within the timeout
 * for a copy that still runs (AWS Backup cannot stop one). Only this
 * resource's own copies are ever touched (its recovery point, destination
 * vault and role). A Delete never fails because of the copy.
 */
import { CopyJobSpec } from '../../lib/core/copy-job-contract';
import { cancelledCreateWindow, cleanUpDeadline } from '../../lib/core/timing';
import { deleteRecoveryPoint, describeError, isNotFound } from '../shared/backup-jobs';
import { classifyCopyState, CopyJobDescription, describeCopyJob, listCopiesSince, regionOfArn } from '../shared/copy-jobs';
import { log } from '../shared/log';
import { COPY_ID, OnEventResponse } from './copy-job-wait';
import { backupClient as client, backupClientIn, cleanUpWithinBudget } from './invocation';
import { PhysicalId, physicalIdOf } from './physical-id';
import { stopPoller } from './poller';
import type { WaitState } from './requests';

/** The copy a physical id names; throws for one that names none. */
export function copyIdOf(physicalId: string | undefined): PhysicalId {
  const id = physicalIdOf(COPY_ID, physicalId);
  if (!id) throw new Error(`isComplete: physical resource id ${physicalId} names no copy job`);
  return id;
}

/**
 * The Delete of a copy job's resource. RETAIN keeps the copy. DESTROY deletes
 * it; a copy that still runs is waited for (by isComplete, within the timeout).
 */
export async function remove(physicalId: string | undefined, spec: CopyJobSpec | undefined): Promise<OnEventResponse> {
  const answer = (wait: WaitState): OnEventResponse => ({ PhysicalResourceId: physicalId, Wait: wait });
  if (!spec) return answer({ mode: 'deleted' });
  const id = physicalIdOf(COPY_ID, physicalId);
  // Nothing polls for a copy CloudFormation no longer waits for.
  if (spec.longWait && id) await stopPoller(spec.longWait, id.jobId);
  if (!spec.destroyOnDelete) {
    log('info', 'removal policy RETAIN: the copy is kept', { physicalId });
    return answer({ mode: 'deleted' });
  }
  // A physical id this handler never returned (one CloudFormation made up for a Create it stopped
  // waiting for): the copy that Create started is found by its description.
  const waiting = await removeCopies(id ? [id.jobId] : await copiesOfCancelledRequest(spec), spec, id?.tail);
  if (waiting.length === 0) return answer({ mode: 'deleted' });
  return answer({ mode: 'deleting', deadline: cleanUpDeadline(spec.timeoutSeconds), blockingJobIds: waiting });
}

/** This resource's copies (its recovery point, destination and role) that still run or ended moments ago. */
async function copiesOfCancelledRequest(spec: CopyJobSpec, running = false): Promise<string[]> {
  const window = cancelledCreateWindow(spec.timeoutSeconds);
  const jobs = (await listCopiesSince(client(), spec.start.RecoveryPointArn, window.createdAfter)).filter((job) => isCopyOwnedBy(job, spec)
    && (running ? classifyCopyState(job.State) === 'running' : window.mayBeIt(classifyCopyState(job.State) === 'running', job.CompletionDate)));
  if (jobs.length === 0) log('info', 'no copy of this resource was started by a request CloudFormation gave up on; nothing to clean up');
  return jobs.map((job) => job.CopyJobId!);
}

/** A copy job is this resource's when it copies its recovery point into its destination with its role. */
function isCopyOwnedBy(job: CopyJobDescription, spec: CopyJobSpec): boolean {
  return job.SourceRecoveryPointArn === spec.start.RecoveryPointArn
    && job.DestinationBackupVaultArn === spec.start.DestinationBackupVaultArn
    && (job.IamRoleArn === undefined || job.IamRoleArn === spec.start.IamRoleArn);
}

/** Deletes what these copies made (those that ended); the ids of those that still run. */
export async function removeCopies(copyJobIds: readonly string[], spec: CopyJobSpec, knownCopyArn?: string): Promise<string[]> {
  const left: string[] = [];
  await cleanUpWithinBudget(async () => {
    for (const copyJobId of copyJobIds) {
      if ((await removeCopy(copyJobId, spec, undefined, knownCopyArn)) === 'copy still running') left.push(copyJobId);
    }
  });
  return left;
}

/**
 * A rollback's Update back to the current copy, from properties whose request
 * CloudFormation gave up on: under DESTROY, that request's copy is waited for
 * and deleted (it cannot be stopped); under RETAIN it is left to finish.
 */
export async function rolledBack(abandoned: CopyJobSpec, physicalId: string | undefined): Promise<WaitState | undefined> {
  if (!abandoned.destroyOnDelete) return undefined;
  const current = physicalIdOf(COPY_ID, physicalId);
  const orphans = (await copiesOfCancelledRequest(abandoned)).filter((copyJobId) => copyJobId !== current?.jobId);
  if (abandoned.longWait) for (const orphan of orphans) await stopPoller(abandoned.longWait, orphan);
  const left = await removeCopies(orphans, abandoned);
  return left.length > 0 ? { mode: 'unchanged', deadline: cleanUpDeadline(abandoned.timeoutSeconds), blockingJobIds: left } : undefined;
}

/** Whether a Delete that waits for copies is done: the copies deleted, or the deadline passed. */
export async function finishDelete(physicalId: string | undefined, spec: CopyJobSpec, wait: WaitState): Promise<boolean> {
  const named = physicalIdOf(COPY_ID, physicalId);
  const left = await removeCopies(wait.blockingJobIds ?? [], spec, named?.tail);
  if (left.length === 0) return true;
  if (Date.now() >= Date.parse(wait.deadline!)) {
    log('warn', 'the copy still runs at the end of the timeout; the copy it makes is left in place: delete it once the job ended', { copyJobIds: left });
    return true;
  }
  return false;
}

/** Deletes the copy a copy job made, once it ended. Logs, never throws. */
export async function removeCopy(copyJobId: string, spec: CopyJobSpec, known?: CopyJobDescription, knownCopyArn?: string): Promise<'done' | 'copy still running'> {
  let copyArn = knownCopyArn || undefined;
  let job = known;
  if (!job) {
    try {
      job = await describeCopyJob(client(), copyJobId);
    } catch (error) {
      log('warn', 'could not describe the copy job (AWS Backup keeps job history for a limited time)', { copyJobId, error: describeError(error) });
    }
  }
  if (job) {
    if (!isCopyOwnedBy(job, spec)) {
      log('warn', 'the copy job is not this resource\'s (its recovery point, destination or role differ); leaving it alone', { copyJobId });
      return 'done';
    }
    const outcome = classifyCopyState(job.State);
    if (outcome === 'running' || outcome === 'unknown') return 'copy still running';
    if (outcome === 'failed') {
      log('info', 'the copy did not complete; nothing to delete', { copyJobId, state: job.State });
      return 'done';
    }
    copyArn = job.DestinationRecoveryPointArn || copyArn;
  }
  if (!copyArn) {
    log('warn', 'the copy is not known; nothing deleted', { copyJobId });
    return 'done';
  }
  const vaultName = spec.start.DestinationBackupVaultArn.split(':').pop()!;
  try {
    // In the destination's Region, from its vault: a recovery point elsewhere is not this resource's to delete.
    await deleteRecoveryPoint(backupClientIn(regionOfArn(copyArn)), vaultName, copyArn);
    log('info', 'deleted the copy (removal policy DESTROY)', { recoveryPointArn: copyArn });
  } catch (error) {
    if (isNotFound(error)) log('info', 'the copy is already gone', { recoveryPointArn: copyArn });
    else log('warn', 'could not delete the copy; delete it in the AWS Backup console of its Region', { recoveryPointArn: copyArn, error: describeError(error) });
  }
  return 'done';
}
