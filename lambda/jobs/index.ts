/**
 * The handlers of the stack's provider, for the aws-cdk Provider framework:
 * `onEvent` starts a job (never waits) and `isComplete` describes it at each
 * poll of the framework's waiter. One provider serves both resource types.
 */
import type { CdkCustomResourceEvent, Context } from 'aws-lambda';
import { BACKUP_JOB, BACKUP_JOB_RESULT, RESTORE_JOB, RESTORE_JOB_RESULT } from '../../lib/core/contract';
import { log, redactEvent } from '../../lib/core/log';
import { isBackupJobComplete, onBackupJobEvent, onBackupJobResultEvent } from './backup-job';
import { IsCompleteEvent, withinInvocation } from './common';
import { isRestoreJobComplete, onRestoreJobEvent, onRestoreJobResultEvent } from './restore-job';

/** The long-wait path's signal (the poller's last task). */
export { signal } from './signal';
/** The long-wait path's attempt task: a backup's next attempt on a busy resource. */
export { attempt } from './backup-attempt';

const BACKUP_JOB_RESOURCE_TYPE = BACKUP_JOB.resourceType;
const RESTORE_JOB_RESOURCE_TYPE = RESTORE_JOB.resourceType;
const SERVED = [BACKUP_JOB, RESTORE_JOB, BACKUP_JOB_RESULT, RESTORE_JOB_RESULT].map((c) => c.resourceType).join(', ');

export async function onEvent(event: CdkCustomResourceEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
  return withinInvocation(context, () => dispatchEvent(event));
}

export async function isComplete(event: IsCompleteEvent<Record<string, string>>, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
  return withinInvocation(context, () => dispatchIsComplete(event));
}

async function dispatchEvent(event: CdkCustomResourceEvent) {
  log('info', 'onEvent', { event: redactEvent(event) });
  switch (event.ResourceType) {
    case BACKUP_JOB_RESOURCE_TYPE:
      return onBackupJobEvent(event);
    case RESTORE_JOB_RESOURCE_TYPE:
      return onRestoreJobEvent(event);
    case BACKUP_JOB_RESULT.resourceType:
      return onBackupJobResultEvent(event);
    case RESTORE_JOB_RESULT.resourceType:
      return onRestoreJobResultEvent(event);
    default:
      throw new Error(`This provider serves ${SERVED}, not ${event.ResourceType}`);
  }
}

async function dispatchIsComplete(event: IsCompleteEvent<Record<string, string>>) {
  switch (event.ResourceType) {
    case BACKUP_JOB_RESOURCE_TYPE:
      return isBackupJobComplete(event as Parameters<typeof isBackupJobComplete>[0]);
    case RESTORE_JOB_RESOURCE_TYPE:
      return isRestoreJobComplete(event as Parameters<typeof isRestoreJobComplete>[0]);
    case BACKUP_JOB_RESULT.resourceType:
    case RESTORE_JOB_RESULT.resourceType:
      // Answered by onEvent at once.
      return { IsComplete: true };
    default:
      throw new Error(`This provider serves ${SERVED}, not ${event.ResourceType}`);
  }
}
