/**
 * A backup job's start (onEvent of a Create, or of an Update that takes a new
 * backup): the job is started at once, while CloudFormation waits, and the
 * physical id names it from the start. On the long-wait path the job's poller
 * is started too and CloudFormation answered at once; an Update that only
 * brings a new wait (a new timeout) re-arms the current job's poller.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { BackupJobSpec } from '../../lib/core/backup-job-contract';
import type { BackupAttempts } from '../../lib/core/backup-job-poller';
import { fingerprint, idempotencyToken, RawProperties } from '../../lib/core/properties';
import { deadlineAfter } from '../../lib/core/timing';
import { currentAttempt } from '../shared/backup-attempts';
import { describeError, naming, startBackupJob } from '../shared/backup-jobs';
import { log } from '../shared/log';
import { heldByOthers } from './backup-job-attempt';
import { cleanUpJob } from './backup-job-clean-up';
import { attributesOf, BACKUP_ID, OnEventResponse } from './backup-job-wait';
import { stillAwaited, watchAwaitedRequest } from './cloudformation';
import { backupClient as client, cleanUpWithinBudget } from './invocation';
import { formatPhysicalId, physicalIdOf } from './physical-id';
import { needsRearm, refuseReusedHandle, startPoller, stopPoller } from './poller';
import type { WaitState } from './requests';

export async function start(event: CdkCustomResourceEvent, properties: RawProperties, spec: BackupJobSpec): Promise<OnEventResponse> {
  const deadline = deadlineAfter(spec.timeoutSeconds);
  refuseReusedHandle(event, spec.longWait, 'backup');
  const watch = await watchAwaitedRequest(event, 'backup');
  // Always started here, while CloudFormation waits: on a resource another job holds (a backup plan's),
  // AWS Backup keeps ours in CREATED or ends it at once; the next attempt follows (backup-attempts.ts).
  // The physical id names the job from the start, so every later request knows what to stop. A
  // retried delivery of this request gets its own job back through the same token.
  const started = await naming('StartBackupJob', () => startBackupJob(client(), { ...spec.start, IdempotencyToken: idempotencyToken(event) }));
  // The jobs that hold the resource now: ours is queued behind them, and replaced by a job started at
  // once when they ended before AWS Backup's next try.
  const heldBy = spec.waitForCompletion ? await heldByOthers(spec.start.ResourceArn, started.BackupJobId!) : [];
  log('info', 'backup job started', { backupJobId: started.BackupJobId, recoveryPointArn: started.RecoveryPointArn, ...(heldBy.length ? { queuedBehind: heldBy } : {}) });
  const physicalId = formatPhysicalId({ kind: BACKUP_ID, jobId: started.BackupJobId!, fingerprint: fingerprint(properties), tail: started.RecoveryPointArn ?? '' });
  if (!spec.longWait) {
    return { PhysicalResourceId: physicalId, Wait: { mode: 'started', deadline, watch, ...(heldBy.length ? { heldBy } : {}) } };
  }
  await startPollerOrStop(event, spec, started.BackupJobId!, started.RecoveryPointArn, physicalId, pollerAttempts(event, spec, started.BackupJobId!, heldBy));
  // No waiter comes back to this request: CloudFormation is asked once more, now that the job and its
  // poller run. Had it stopped waiting meanwhile (a cancel, a sibling's failure), they are cleaned up
  // here; if it stops later, its rollback finds the job (it exists by then) and cleans up.
  const awaited = await stillAwaited({ ...event, ResourceProperties: properties }, watch, BACKUP_ID);
  if (awaited.state === 'moved-on') {
    await cleanUpWithinBudget(async () => {
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

/** What the long-wait poller needs to take the next attempts of the request's backup on a busy resource. */
function pollerAttempts(event: CdkCustomResourceEvent, spec: BackupJobSpec, firstJobId: string, heldBy: readonly string[]): BackupAttempts {
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
  event: CdkCustomResourceEvent, spec: BackupJobSpec, backupJobId: string, recoveryPointArn: string | undefined, physicalId: string, attempts: BackupAttempts,
  currentJobId = backupJobId,
): Promise<void> {
  try {
    await startPoller(spec.longWait!, { kind: 'backup', jobId: backupJobId, currentJobId, allowPartial: spec.allowPartial, timeoutSeconds: spec.timeoutSeconds, request: event, physicalId, attempts });
  } catch (error) {
    await cleanUpWithinBudget(async () => { await cleanUpJob(backupJobId, recoveryPointArn, spec); });
    throw new Error(`Could not start the long-wait poller for backup job ${backupJobId}: ${describeError(error)}; the job was cleaned up`);
  }
}

/**
 * An Update that takes no new job but comes with a new WaitConditionHandle (a
 * new timeout, or the switch to the long-wait path): the current job's poller
 * is started for it, and signals at its first poll when the job completed.
 */
export async function rearm(event: CdkCustomResourceEvent, spec: BackupJobSpec): Promise<WaitState | undefined> {
  if (event.RequestType !== 'Update' || !needsRearm(event, spec.longWait)) return undefined;
  const current = physicalIdOf(BACKUP_ID, event.PhysicalResourceId);
  if (!current) return undefined;
  // The current job is kept whatever happens: were the poller not to start, only it would be cleaned up.
  // On a busy resource, the poller follows the request's last attempt (the one that completed).
  const last = await currentAttempt(client(), current.jobId).catch(() => undefined);
  await startPollerOrStop(event, { ...spec, destroyOnDelete: false, waitForCompletion: false }, current.jobId, current.tail, event.PhysicalResourceId,
    pollerAttempts(event, spec, current.jobId, []), last?.BackupJobId ?? current.jobId);
  return { mode: 'unchanged' };
}
