/**
 * A Delete of a long-wait job resource under DESTROY, before it cleans up:
 * what the job's poller tells. Two cases leave what the job made to others
 * than this Delete:
 *
 * - The signal was lost: the job COMPLETED before its WaitCondition's deadline,
 *   the poller never got its signal through (CloudFormation throttled it until
 *   the condition timed out), and the stack rolls back because of that alone.
 *   What the job made is kept (a good backup is not deleted for a lost signal).
 * - The job still runs, AWS Backup cannot stop it, and its poller watches it
 *   to its end (WaitsForEnd): the poller hands it to this Delete again once it
 *   ended, whenever that is, and what it made is deleted then. This Delete
 *   answers at once.
 *
 * Otherwise the poller is stopped, and the Delete cleans up as every Delete does.
 */
import type { LongWaitSpec, WaitSpec } from '../../lib/core/properties';
import { waitConditionTimeoutSeconds } from '../../lib/core/timing';
import { describeError, isNotFound } from '../shared/errors';
import { log } from '../shared/log';
import { outlivesOperation } from './cloudformation';
import { canStop, currentJobOf, endedAsAccepted, JobKind } from './job-kind';
import { PollerStatus, pollerStatus, stopPoller } from './poller';

/** kept: the signal was lost; handed-off: the poller cleans up at the job's end; clean-up: the Delete cleans up now. */
export type LongWaitDelete = 'kept' | 'handed-off' | 'clean-up';

export async function beforeLongWaitDelete<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, spec: Spec, jobId: string, stackId: string): Promise<LongWaitDelete> {
  const longWait = spec.longWait!;
  if (!spec.destroyOnDelete) {
    await stopPoller(longWait, jobId);
    return 'clean-up';
  }
  const [poller, job] = await Promise.all([pollerStatus(longWait, jobId), currentJob(kind, jobId)]);
  const fields = { kind: kind.contract.kind, jobId, poller: poller?.status, state: job === undefined ? undefined : kind.reader.stateOf(job) };
  log('info', 'the job and its poller before the Delete', fields);
  if (job !== undefined && poller !== undefined && signalLost(kind, spec, job, poller)) {
    await stopPoller(longWait, jobId);
    log('warn', `${kind.made} is kept although the removal policy is DESTROY: the job COMPLETED before its WaitCondition timed out, and the stack failed only because the poller's signal did not get through (CloudFormation throttled or did not answer it). Delete it by hand if it is not wanted`, {
      ...fields, made: kind.reader.madeBy(job),
    });
    return 'kept';
  }
  const running = job !== undefined && ['running', 'unknown'].includes(kind.reader.outcomeOf(job));
  if (running && !canStop(kind, spec) && poller?.status === 'RUNNING' && poller.waitsForEnd && await pollerStays(longWait, stackId)) {
    log('info', `AWS Backup cannot stop the job: its poller watches it to its end, then deletes ${kind.made}`, fields);
    return 'handed-off';
  }
  await stopPoller(longWait, jobId);
  return 'clean-up';
}

/** Whether the poller's state machine outlives the operation under way (a stack's deletion takes it, and its executions). */
async function pollerStays(longWait: LongWaitSpec, stackId: string): Promise<boolean> {
  return longWait.stateMachineLogicalId !== undefined && await outlivesOperation(stackId, longWait.stateMachineLogicalId);
}

/**
 * Whether the job COMPLETED before its WaitCondition's deadline, that deadline
 * has passed, and its poller was still at work then (trying to signal: a
 * signal is its last task): the condition timed out for want of the signal
 * alone. A poller that ended before the deadline signalled in time.
 */
function signalLost<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, spec: Spec, job: Job, poller: PollerStatus): boolean {
  if (!endedAsAccepted(kind, job, spec.allowPartial)) return false;
  const created = kind.reader.createdAt(job);
  const completed = kind.reader.completedAt(job);
  if (!created || !completed) return false;
  const deadline = created.getTime() + waitConditionTimeoutSeconds(spec.timeoutSeconds) * 1000;
  const workedPastDeadline = poller.status === 'RUNNING' || (poller.stoppedAt !== undefined && poller.stoppedAt.getTime() > deadline);
  return completed.getTime() <= deadline && Date.now() >= deadline && workedPastDeadline;
}

/** The request's current job (a busy resource's last attempt), or undefined when AWS Backup cannot tell (logged). */
async function currentJob<Job>(kind: JobKind<any, Job, any>, jobId: string): Promise<Job | undefined> {
  try {
    return await currentJobOf(kind, jobId);
  } catch (error) {
    if (!isNotFound(error)) log('warn', 'could not describe the job before its Delete', { kind: kind.contract.kind, jobId, error: describeError(error) });
    return undefined;
  }
}
