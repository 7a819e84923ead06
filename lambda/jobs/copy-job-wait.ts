/**
 * A copy job's wait on the short path (isComplete, at each poll of the
 * framework's waiter): every state maps to one answer. AWS Backup cannot stop
 * a copy: one still running at the timeout fails the deploy and goes on (under
 * DESTROY the Delete that follows removes the copy once it ended).
 */
import { CopyJobAttributes, CopyJobSpec, parseCopyJobProperties } from '../../lib/core/copy-job-contract';
import { formatSeconds } from '../../lib/core/messages';
import { RawProperties } from '../../lib/core/properties';
import { checksCloudFormation } from '../../lib/core/timing';
import { describeError, isTransientError } from '../shared/backup-jobs';
import { classifyCopyState, copyJobFailureMessage, CopyJobDescription, describeCopyJob } from '../shared/copy-jobs';
import { log } from '../shared/log';
import { stillAwaited } from './cloudformation';
import { copyIdOf, finishDelete, removeCopies, removeCopy } from './copy-job-clean-up';
import { backupClient as client, cleanUpWithinBudget, isoDate } from './invocation';
import { formatPhysicalId, PhysicalId } from './physical-id';
import * as requests from './requests';

/** The physical id prefix of a copy job's resource. */
export const COPY_ID = 'copy-job';

export type OnEventResponse = requests.OnEventResponse<CopyJobAttributes>;
type IsCompleteEvent = requests.IsCompleteEvent<CopyJobAttributes>;
type IsCompleteResponse = requests.IsCompleteResponse<CopyJobAttributes>;

export async function isCopyJobComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const wait = event.Wait;
  const properties = event.ResourceProperties as RawProperties;
  // deleted: nothing to wait for; handed-off: the long-wait poller waits (onEvent's answer carries the attributes).
  if (wait?.mode === 'deleted' || wait?.mode === 'handed-off') return { IsComplete: true };
  if (wait?.mode === 'deleting') return { IsComplete: await finishDelete(event.PhysicalResourceId, parseCopyJobProperties(properties), wait) };
  const id = copyIdOf(event.PhysicalResourceId);
  if (wait?.mode === 'unchanged') {
    if (wait.blockingJobIds?.length) {
      // A rollback waits for the copies its abandoned request started (DESTROY), then deletes them.
      const abandoned = parseCopyJobProperties(event.OldResourceProperties as RawProperties);
      const left = await removeCopies(wait.blockingJobIds, abandoned);
      if (left.length > 0 && Date.now() < Date.parse(wait.deadline!)) return { IsComplete: false };
      if (left.length > 0) log('warn', 'the abandoned copy still runs at the end of the timeout; the copy it makes is left in place', { copyJobIds: left });
    }
    return { IsComplete: true, Data: await currentAttributes(id, properties) };
  }
  if (!wait?.deadline) throw new Error('isComplete: the event carries no wait state from onEvent');
  const spec = parseCopyJobProperties(properties);
  const timedOut = Date.now() >= Date.parse(wait.deadline);

  let job: CopyJobDescription;
  try {
    job = await describeCopyJob(client(), id.jobId);
  } catch (error) {
    if (!isTransientError(error)) throw new Error(`DescribeCopyJob of ${id.jobId} failed: ${describeError(error)}`);
    log('warn', 'DescribeCopyJob failed; trying again at the next poll', { copyJobId: id.jobId, error: describeError(error) });
    if (timedOut) throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for copy job ${id.jobId}; the last attempt failed with ${describeError(error)}`);
    return { IsComplete: false };
  }

  const outcome = classifyCopyState(job.State);
  log('info', 'copy job state', { copyJobId: id.jobId, state: job.State, outcome });
  switch (outcome) {
    case 'completed':
    case 'partial': {
      if (outcome === 'partial' && !spec.allowPartial) {
        await cleanUpAfterFailure(spec, job);
        throw new Error(copyJobFailureMessage(job));
      }
      // A copy that ended after CloudFormation stopped waiting for it (a cancelled and rolled back
      // Update): under DESTROY the copy is deleted, and nothing is reported.
      const awaited = spec.waitForCompletion ? await stillAwaited(event, wait.watch, COPY_ID) : { state: 'still-waiting' as const };
      if (awaited.state === 'moved-on') {
        await cleanUpAfterFailure(spec, job);
        throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); copy job ${id.jobId} ended${spec.destroyOnDelete ? ' and the copy was deleted' : ''}`);
      }
      return done(id, job);
    }
    case 'failed':
      throw new Error(copyJobFailureMessage(job));
    case 'running':
    case 'unknown':
      if (outcome === 'unknown') log('warn', 'copy job in a state this handler does not know; waiting on', { state: job.State });
      if (!spec.waitForCompletion) return done(id, job);
      if (!spec.destroyOnDelete && checksCloudFormation(Date.now())) {
        // A copy cannot be stopped, and under RETAIN nothing is cleaned up after it: once CloudFormation
        // gave up on this request, nobody waits for the copy. (Under DESTROY the waiter stays, to delete
        // the copy once it ended, in case it started after the rollback looked for it.)
        const awaited = await stillAwaited(event, wait.watch, COPY_ID);
        if (awaited.state === 'moved-on') {
          throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); copy job ${id.jobId} goes on (AWS Backup cannot stop a copy) and is kept (RETAIN)`);
        }
      }
      if (timedOut) {
        throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for copy job ${id.jobId} (still ${job.State}); AWS Backup cannot stop a copy job, so it goes on. Raise timeout, or set waitForCompletion to false`);
      }
      return { IsComplete: false };
  }
}

/** Under DESTROY, a copy the deploy will not keep is deleted (logs, never throws). */
async function cleanUpAfterFailure(spec: CopyJobSpec, job: CopyJobDescription): Promise<void> {
  if (spec.destroyOnDelete) await cleanUpWithinBudget(async () => { await removeCopy(job.CopyJobId!, spec, job); });
}

/** Done: the attributes, and the copy in the physical id (for a Delete that AWS Backup can no longer describe). */
function done(id: PhysicalId, job: CopyJobDescription): IsCompleteResponse {
  return { IsComplete: true, Data: attributesOf(job), PhysicalResourceId: formatPhysicalId({ ...id, tail: job.DestinationRecoveryPointArn ?? '' }) };
}

export function attributesOf(job: CopyJobDescription): CopyJobAttributes {
  return {
    CopyJobId: job.CopyJobId ?? '',
    DestinationRecoveryPointArn: job.DestinationRecoveryPointArn ?? '',
    DestinationBackupVaultArn: job.DestinationBackupVaultArn ?? '',
    SourceRecoveryPointArn: job.SourceRecoveryPointArn ?? '',
    State: job.State ?? '',
    StatusMessage: job.StatusMessage ?? '',
    BackupSizeInBytes: String(job.BackupSizeInBytes ?? 0),
    CreationDate: isoDate(job.CreationDate),
    CompletionDate: isoDate(job.CompletionDate),
    ResourceType: job.ResourceType ?? '',
  };
}

/** The attributes of the current copy, from AWS if it still knows the job, else from the physical id. */
async function currentAttributes(id: PhysicalId, properties: RawProperties): Promise<CopyJobAttributes> {
  try {
    return attributesOf(await describeCopyJob(client(), id.jobId));
  } catch (error) {
    log('warn', 'could not describe the current copy job; answering from the physical id', { copyJobId: id.jobId, error: describeError(error) });
    return attributesOf({
      CopyJobId: id.jobId, DestinationRecoveryPointArn: id.tail, SourceRecoveryPointArn: String(properties.RecoveryPointArn ?? ''),
      DestinationBackupVaultArn: String(properties.DestinationBackupVaultArn ?? ''), ResourceType: String(properties.ResourceType ?? ''),
    });
  }
}
