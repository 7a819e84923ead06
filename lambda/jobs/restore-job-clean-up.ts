/**
 * A restore job's clean-up: RETAIN keeps the restored resource; DESTROY deletes
 * it, waiting (within the timeout) for a restore that still runs (AWS Backup
 * cannot stop one). Only this resource's own restores are ever touched (its
 * recovery point, role and target). A Delete never fails because of the restore.
 */
import { RestoreJobSpec } from '../../lib/core/restore-job-contract';
import { metadataValue } from '../../lib/core/restore-job-rules';
import { cancelledCreateWindow, cleanUpDeadline } from '../../lib/core/timing';
import { describeError, isNotFound } from '../shared/backup-jobs';
import { log } from '../shared/log';
import { classifyRestoreStatus, describeRestoreJob, listRestoreJobsSince, RestoreJobDescription } from '../shared/restore-jobs';
import { backupClient as client, cleanUpWithinBudget } from './invocation';
import { PhysicalId, physicalIdOf } from './physical-id';
import { stopPoller } from './poller';
import type { WaitState } from './requests';
import { deleteRestoredResource } from './restored-resources';
import { OnEventResponse, RESTORE_ID } from './restore-job-wait';

/** A restore this resource may have started: its id, and what it created when known. */
type Restore = Pick<PhysicalId, 'jobId' | 'tail'>;

/** The restore a physical id names; throws for one that names none. */
export function restoreIdOf(physicalId: string | undefined): PhysicalId {
  const id = physicalIdOf(RESTORE_ID, physicalId);
  if (!id) throw new Error(`isComplete: physical resource id ${physicalId} names no restore job`);
  return id;
}

/**
 * The Delete of a restore job's resource. RETAIN keeps the restored resource.
 * DESTROY deletes it; a restore that still runs is waited for (by isComplete,
 * within the timeout) before the delete.
 */
export async function remove(physicalId: string | undefined, spec: RestoreJobSpec | undefined): Promise<OnEventResponse> {
  const answer = (wait: WaitState): OnEventResponse => ({ PhysicalResourceId: physicalId, Wait: wait });
  if (!spec) return answer({ mode: 'deleted' });
  const id = physicalIdOf(RESTORE_ID, physicalId);
  // Nothing polls for a restore CloudFormation no longer waits for.
  if (spec.longWait && id) await stopPoller(spec.longWait, id.jobId);
  if (!spec.destroyOnDelete) {
    log('info', 'removal policy RETAIN: the restored resource is kept', { physicalId });
    return answer({ mode: 'deleted' });
  }
  // A physical id this handler never returned (one CloudFormation made up for a Create it stopped
  // waiting for): the restore that Create started is found by its description.
  const waiting = await removeRestores(id ? [id] : await restoresOfCancelledCreate(spec), spec);
  if (waiting.length === 0) return answer({ mode: 'deleted' });
  // A restore the physical id names is found again by it; others by their ids.
  return answer({ mode: 'deleting', deadline: cleanUpDeadline(spec.timeoutSeconds), ...(id ? {} : { blockingJobIds: waiting }) });
}

/** The restores of this resource's own (its recovery point, role and target) that still run or ended moments ago. */
async function restoresOfCancelledCreate(spec: RestoreJobSpec): Promise<Restore[]> {
  const window = cancelledCreateWindow(spec.timeoutSeconds);
  const jobs = (await listRestoreJobsSince(client(), window.createdAfter)).filter((job) => isRestoreOwnedBy(job, spec)
    && window.mayBeIt(classifyRestoreStatus(job.Status) === 'running', job.CompletionDate));
  if (jobs.length === 0) log('info', 'no restore of this resource was started; nothing to clean up');
  return jobs.map((job) => ({ jobId: job.RestoreJobId!, tail: job.CreatedResourceArn ?? '' }));
}

/** A restore job is this resource's when it restores its recovery point with its role into its target. */
function isRestoreOwnedBy(job: RestoreJobDescription, spec: RestoreJobSpec): boolean {
  if (job.RecoveryPointArn !== spec.recoveryPointArn) return false;
  if (spec.iamRoleArn !== undefined && job.IamRoleArn !== undefined && job.IamRoleArn !== spec.iamRoleArn) return false;
  const target = targetTableOf(spec);
  return target === undefined || job.CreatedResourceArn === undefined || job.CreatedResourceArn.endsWith(`:table/${target}`);
}

function targetTableOf(spec: RestoreJobSpec): string | undefined {
  return metadataValue(spec.metadata, 'targetTableName');
}

/** Removes what these restores created (waiting for those that run); the ids of those that still run. */
export async function removeRestores(restores: readonly Restore[], spec: RestoreJobSpec): Promise<string[]> {
  const left: string[] = [];
  await cleanUpWithinBudget(async () => {
    for (const restore of restores) {
      if ((await removeRestoredResource(restore, spec)) === 'restore still running') left.push(restore.jobId);
    }
  });
  return left;
}

/** A rollback's Update: the restore of the abandoned request (DESTROY) is waited for and what it created deleted. */
export async function rolledBack(abandoned: RestoreJobSpec, physicalId: string | undefined): Promise<WaitState | undefined> {
  // Under RETAIN nothing is cleaned up (a restore cannot be stopped): an abandoned restore's poller
  // polls on until the restore ends, and its signal finds its handle gone.
  if (!abandoned.destroyOnDelete) return undefined;
  const current = physicalIdOf(RESTORE_ID, physicalId);
  const orphans = (await restoresOfCancelledCreate(abandoned)).filter((r) => r.jobId !== current?.jobId);
  const longWait = abandoned.longWait;
  if (longWait) for (const orphan of orphans) await stopPoller(longWait, orphan.jobId);
  const left = await removeRestores(orphans, abandoned);
  return left.length > 0 ? { mode: 'unchanged', deadline: cleanUpDeadline(abandoned.timeoutSeconds), blockingJobIds: left } : undefined;
}

/** Whether a Delete that waits for restores is done: what they created deleted, or the deadline passed. */
export async function finishDelete(physicalId: string | undefined, spec: RestoreJobSpec, wait: WaitState): Promise<boolean> {
  const named = physicalIdOf(RESTORE_ID, physicalId);
  const restores: Restore[] = wait.blockingJobIds
    ? wait.blockingJobIds.map((jobId) => ({ jobId, tail: named?.jobId === jobId ? named.tail : '' }))
    : [restoreIdOf(physicalId)];
  const left = await removeRestores(restores, spec);
  if (left.length === 0) return true;
  if (Date.now() >= Date.parse(wait.deadline!)) {
    log('warn', 'the restore still runs at the end of the timeout; the restored resource is left in place', { restoreJobIds: left });
    return true;
  }
  return false;
}

/** Deletes what the restore created. Logs, never throws. */
export async function removeRestoredResource(restore: Restore, spec: RestoreJobSpec): Promise<'done' | 'restore still running'> {
  let createdArn = restore.tail;
  try {
    const job = await describeRestoreJob(client(), restore.jobId);
    if (!isRestoreOwnedBy(job, spec)) {
      // Not this resource's restore (another recovery point, role or target): never touched.
      log('warn', 'the restore job is not this resource\'s (its recovery point, role or target differ); leaving it alone', { restoreJobId: restore.jobId });
      return 'done';
    }
    const outcome = classifyRestoreStatus(job.Status);
    if (outcome === 'running') return 'restore still running';
    if (outcome === 'failed') {
      log('info', 'the restore did not complete; nothing to delete', { restoreJobId: restore.jobId, status: job.Status });
      return 'done';
    }
    createdArn = job.CreatedResourceArn ?? createdArn;
  } catch (error) {
    log('warn', 'could not describe the restore job (AWS Backup keeps job history for a limited time)', { restoreJobId: restore.jobId, error: describeError(error) });
  }
  if (!createdArn) {
    log('warn', 'the restored resource is not known; nothing deleted', { restoreJobId: restore.jobId });
    return 'done';
  }
  const target = targetTableOf(spec);
  if (target !== undefined && !createdArn.endsWith(`:table/${target}`)) {
    log('warn', 'the restored resource is not this resource\'s target; leaving it alone', { createdResourceArn: createdArn });
    return 'done';
  }
  try {
    const result = await deleteRestoredResource(spec.resourceType, createdArn);
    log('info', result === 'deleted' ? 'deleted the restored resource (removal policy DESTROY)' : 'the restored resource is already gone', { createdResourceArn: createdArn });
  } catch (error) {
    if (isNotFound(error)) return 'done';
    log('warn', 'could not delete the restored resource; delete it by hand', { createdResourceArn: createdArn, error: describeError(error) });
  }
  return 'done';
}
