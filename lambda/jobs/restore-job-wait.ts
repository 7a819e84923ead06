/**
 * A restore job's wait on the short path (isComplete, at each poll of the
 * framework's waiter): every status maps to one answer. AWS Backup cannot stop
 * a restore: one still running at the timeout fails the deploy and goes on.
 */
import { formatSeconds } from '../../lib/core/messages';
import { RawProperties } from '../../lib/core/properties';
import { parseRestoreJobProperties, RestoreJobAttributes } from '../../lib/core/restore-job-contract';
import { describeError, isTransientError } from '../shared/backup-jobs';
import { log } from '../shared/log';
import { classifyRestoreStatus, describeRestoreJob, RestoreJobDescription, restoreJobFailureMessage } from '../shared/restore-jobs';
import { stillAwaited } from './cloudformation';
import { backupClient as client, cleanUpWithinBudget, isoDate } from './invocation';
import { formatPhysicalId, PhysicalId } from './physical-id';
import * as requests from './requests';
import { finishDelete, removeRestoredResource, removeRestores, restoreIdOf } from './restore-job-clean-up';

/** The physical id prefix of a restore job's resource. */
export const RESTORE_ID = 'restore-job';

export type OnEventResponse = requests.OnEventResponse<RestoreJobAttributes>;
type IsCompleteEvent = requests.IsCompleteEvent<RestoreJobAttributes>;
type IsCompleteResponse = requests.IsCompleteResponse<RestoreJobAttributes>;

export async function isRestoreJobComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const wait = event.Wait;
  const properties = event.ResourceProperties as RawProperties;
  // deleted: nothing to wait for; handed-off: the long-wait poller waits (onEvent's answer carries the attributes).
  if (wait?.mode === 'deleted' || wait?.mode === 'handed-off') return { IsComplete: true };
  if (wait?.mode === 'deleting') return { IsComplete: await finishDelete(event.PhysicalResourceId, parseRestoreJobProperties(properties), wait) };
  const id = restoreIdOf(event.PhysicalResourceId);
  if (wait?.mode === 'unchanged') {
    if (wait.blockingJobIds?.length) {
      // A rollback waits for the restore its abandoned request started, then removes what it created.
      const abandoned = parseRestoreJobProperties(event.OldResourceProperties as RawProperties);
      const left = await removeRestores(wait.blockingJobIds.map((jobId) => ({ jobId, tail: '' })), abandoned);
      if (left.length > 0 && Date.now() < Date.parse(wait.deadline!)) return { IsComplete: false };
      if (left.length > 0) log('warn', 'the abandoned restore still runs at the end of the timeout; what it creates is left in place', { restoreJobIds: left });
    }
    return { IsComplete: true, Data: await currentAttributes(id, properties) };
  }
  if (!wait?.deadline) throw new Error('isComplete: the event carries no wait state from onEvent');
  const spec = parseRestoreJobProperties(properties);
  const timedOut = Date.now() >= Date.parse(wait.deadline);

  let job: RestoreJobDescription;
  try {
    job = await describeRestoreJob(client(), id.jobId);
  } catch (error) {
    if (!isTransientError(error)) throw new Error(`DescribeRestoreJob of ${id.jobId} failed: ${describeError(error)}`);
    log('warn', 'DescribeRestoreJob failed; trying again at the next poll', { restoreJobId: id.jobId, error: describeError(error) });
    if (timedOut) throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for restore job ${id.jobId}; the last attempt failed with ${describeError(error)}`);
    return { IsComplete: false };
  }

  const outcome = classifyRestoreStatus(job.Status);
  log('info', 'restore job status', { restoreJobId: id.jobId, status: job.Status, percentDone: job.PercentDone, outcome });
  switch (outcome) {
    case 'completed': {
      // A restore that ended after CloudFormation stopped waiting for it (a cancelled and rolled back
      // Update): under DESTROY what it created is deleted, and nothing is reported.
      const awaited = spec.waitForCompletion ? await stillAwaited(event, wait.watch, RESTORE_ID) : { state: 'still-waiting' as const };
      if (awaited.state === 'moved-on') {
        if (spec.destroyOnDelete) await cleanUpWithinBudget(async () => { await removeRestoredResource(id, spec); });
        throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); restore job ${id.jobId} ended${spec.destroyOnDelete ? ' and what it created was deleted' : ''}`);
      }
      return done(id, job);
    }
    case 'failed':
      throw new Error(restoreJobFailureMessage(job));
    case 'running':
    case 'unknown':
      if (outcome === 'unknown') log('warn', 'restore job in a status this handler does not know; waiting on', { status: job.Status });
      if (!spec.waitForCompletion) return done(id, job);
      if (timedOut) {
        throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for restore job ${id.jobId} (still ${job.Status}); AWS Backup cannot stop a restore job, so it goes on`);
      }
      return { IsComplete: false };
  }
}

/** Done: the attributes, and the created resource in the physical id (for a Delete that AWS Backup can no longer describe). */
function done(id: PhysicalId, job: RestoreJobDescription): IsCompleteResponse {
  return { IsComplete: true, Data: attributesOf(job), PhysicalResourceId: formatPhysicalId({ ...id, tail: job.CreatedResourceArn ?? '' }) };
}

export function attributesOf(job: RestoreJobDescription): RestoreJobAttributes {
  return {
    RestoreJobId: job.RestoreJobId ?? '',
    CreatedResourceArn: job.CreatedResourceArn ?? '',
    Status: job.Status ?? '',
    StatusMessage: job.StatusMessage ?? '',
    RecoveryPointArn: job.RecoveryPointArn ?? '',
    ResourceType: job.ResourceType ?? '',
    BackupSizeInBytes: String(job.BackupSizeInBytes ?? 0),
    CreationDate: isoDate(job.CreationDate),
    CompletionDate: isoDate(job.CompletionDate),
  };
}

/** The attributes of the current restore, from AWS if it still knows the job, else from the physical id. */
async function currentAttributes(id: PhysicalId, properties: RawProperties): Promise<RestoreJobAttributes> {
  try {
    return attributesOf(await describeRestoreJob(client(), id.jobId));
  } catch (error) {
    log('warn', 'could not describe the current restore job; answering from the physical id', { restoreJobId: id.jobId, error: describeError(error) });
    return {
      RestoreJobId: id.jobId, CreatedResourceArn: id.tail, Status: '', StatusMessage: '', RecoveryPointArn: String(properties.RecoveryPointArn ?? ''),
      ResourceType: String(properties.ResourceType ?? ''), BackupSizeInBytes: '0', CreationDate: '', CompletionDate: '',
    };
  }
}


