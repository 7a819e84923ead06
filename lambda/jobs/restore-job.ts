/**
 * The restore job kind's handlers, as the bundle dispatches to them: onEvent
 * (start: restore-job-start.ts; clean-up: restore-job-clean-up.ts), isComplete
 * (restore-job-wait.ts), and the long wait's result resource.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { parseRestoreJobProperties, RESTORE_JOB, RESTORE_JOB_RESULT, RestoreJobAttributes, RestoreJobSpec } from '../../lib/core/restore-job-contract';
import { naming } from '../shared/backup-jobs';
import { classifyRestoreStatus, describeRestoreJob } from '../shared/restore-jobs';
import { backupClient as client } from './invocation';
import { JobKind, JobRequests, onJobEvent, onJobResultEvent } from './requests';
import { remove, rolledBack } from './restore-job-clean-up';
import { rearm, start } from './restore-job-start';
import { attributesOf, isRestoreJobComplete, OnEventResponse, RESTORE_ID } from './restore-job-wait';

const REQUESTS: JobRequests<RestoreJobSpec, RestoreJobAttributes> = {
  kind: RESTORE_ID,
  parse: parseRestoreJobProperties,
  start,
  remove,
  rolledBack,
  unchanged: rearm,
};

/** A long wait's result: the restore's attributes, once its WaitCondition completed. */
function onResultEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return onJobResultEvent(event, async (restoreJobId) => {
    const job = await naming('DescribeRestoreJob', () => describeRestoreJob(client(), restoreJobId));
    if (classifyRestoreStatus(job.Status) !== 'completed') {
      throw new Error(`Restore job ${restoreJobId} is ${job.Status}, not COMPLETED${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`);
    }
    return attributesOf(job);
  });
}

export const RESTORE_JOB_KIND: JobKind = {
  resourceType: RESTORE_JOB.resourceType,
  onEvent: (event) => onJobEvent(event, REQUESTS),
  isComplete: isRestoreJobComplete,
  result: { resourceType: RESTORE_JOB_RESULT.resourceType, onEvent: onResultEvent },
};
