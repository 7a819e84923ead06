/**
 * The backup job kind's handlers, as the bundle dispatches to them: onEvent
 * (start: backup-job-start.ts; clean-up: backup-job-clean-up.ts), isComplete
 * (backup-job-wait.ts), and the long wait's result resource.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { BACKUP_JOB, BACKUP_JOB_RESULT, BackupJobSpec, parseBackupJobProperties } from '../../lib/core/backup-job-contract';
import { currentAttempt } from '../shared/backup-attempts';
import { classifyBackupState, naming } from '../shared/backup-jobs';
import { remove, rolledBack } from './backup-job-clean-up';
import { rearm, start } from './backup-job-start';
import { attributesOf, BACKUP_ID, isBackupJobComplete, OnEventResponse } from './backup-job-wait';
import { backupClient as client } from './invocation';
import { JobKind, JobRequests, onJobEvent, onJobResultEvent } from './requests';

const REQUESTS: JobRequests<BackupJobSpec, ReturnType<typeof attributesOf>> = {
  kind: BACKUP_ID,
  parse: parseBackupJobProperties,
  start,
  remove,
  rolledBack,
  unchanged: rearm,
};

/** A long wait's result: the job's attributes, once its WaitCondition completed (on a busy resource, the request's last attempt's). */
function onResultEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return onJobResultEvent(event, async (firstJobId, allowPartial) => {
    const job = await naming('DescribeBackupJob', () => currentAttempt(client(), firstJobId));
    const outcome = classifyBackupState(job.State);
    if (outcome !== 'completed' && !(outcome === 'partial' && allowPartial)) {
      throw new Error(`Backup job ${job.BackupJobId} is ${job.State}, not COMPLETED${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`);
    }
    return attributesOf(job);
  });
}

export const BACKUP_JOB_KIND: JobKind = {
  resourceType: BACKUP_JOB.resourceType,
  onEvent: (event) => onJobEvent(event, REQUESTS),
  isComplete: isBackupJobComplete,
  result: { resourceType: BACKUP_JOB_RESULT.resourceType, onEvent: onResultEvent },
};
