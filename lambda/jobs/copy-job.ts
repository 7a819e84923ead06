/**
 * The copy job kind's handlers, as the bundle dispatches to them: onEvent
 * (start: copy-job-start.ts; clean-up: copy-job-clean-up.ts), isComplete
 * (copy-job-wait.ts), and the long wait's result resource.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { COPY_JOB, COPY_JOB_RESULT, CopyJobAttributes, CopyJobSpec, parseCopyJobProperties } from '../../lib/core/copy-job-contract';
import { naming } from '../shared/backup-jobs';
import { classifyCopyState, copyJobFailureMessage, describeCopyJob } from '../shared/copy-jobs';
import { remove, rolledBack } from './copy-job-clean-up';
import { rearm, start } from './copy-job-start';
import { attributesOf, COPY_ID, isCopyJobComplete, OnEventResponse } from './copy-job-wait';
import { backupClient as client } from './invocation';
import { JobKind, JobRequests, onJobEvent, onJobResultEvent } from './requests';

const REQUESTS: JobRequests<CopyJobSpec, CopyJobAttributes> = {
  kind: COPY_ID,
  parse: parseCopyJobProperties,
  start,
  remove,
  rolledBack,
  unchanged: rearm,
};

/** A long wait's result: the copy's attributes, once its WaitCondition completed. */
function onResultEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return onJobResultEvent(event, async (copyJobId, allowPartial) => {
    const job = await naming('DescribeCopyJob', () => describeCopyJob(client(), copyJobId));
    const outcome = classifyCopyState(job.State);
    if (outcome !== 'completed' && !(outcome === 'partial' && allowPartial)) throw new Error(copyJobFailureMessage(job));
    return attributesOf(job);
  });
}

export const COPY_JOB_KIND: JobKind = {
  resourceType: COPY_JOB.resourceType,
  onEvent: (event) => onJobEvent(event, REQUESTS),
  isComplete: isCopyJobComplete,
  result: { resourceType: COPY_JOB_RESULT.resourceType, onEvent: onResultEvent },
};
