/**
 * A copy job's start (onEvent of a Create, or of an Update that takes a new
 * copy): StartCopyJob of the recovery point into the destination vault. On the
 * long-wait path the copy's poller is started too and CloudFormation answered
 * at once.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { CopyJobSpec } from '../../lib/core/copy-job-contract';
import { fingerprint, idempotencyToken, RawProperties } from '../../lib/core/properties';
import { deadlineAfter } from '../../lib/core/timing';
import { naming } from '../shared/backup-jobs';
import { startCopyJob } from '../shared/copy-jobs';
import { log } from '../shared/log';
import { stillAwaited, watchAwaitedRequest } from './cloudformation';
import { attributesOf, COPY_ID, OnEventResponse } from './copy-job-wait';
import { backupClient as client } from './invocation';
import { formatPhysicalId } from './physical-id';
import { rearmPoller, refuseReusedHandle, startPollerOfUnstoppable, stopPoller } from './poller';
import type { WaitState } from './requests';

export async function start(event: CdkCustomResourceEvent, properties: RawProperties, spec: CopyJobSpec): Promise<OnEventResponse> {
  refuseReusedHandle(event, spec.longWait, 'copy');
  const watch = await watchAwaitedRequest(event, 'copy');
  log('info', 'starting copy', { recoveryPointArn: spec.start.RecoveryPointArn, destinationBackupVaultArn: spec.start.DestinationBackupVaultArn });
  const copyJobId = await naming('StartCopyJob', () => startCopyJob(client(), {
    ...spec.start,
    // The same for every invocation of one request: a retried request finds its copy.
    IdempotencyToken: idempotencyToken(event, 'copy'),
  }));
  log('info', 'copy job started', { copyJobId });
  const physicalId = formatPhysicalId({ kind: COPY_ID, jobId: copyJobId, fingerprint: fingerprint(properties), tail: '' });
  if (!spec.longWait) return { PhysicalResourceId: physicalId, Wait: { mode: 'started', deadline: deadlineAfter(spec.timeoutSeconds), watch } };
  await startCopyPoller(event, spec, copyJobId, physicalId);
  // Had CloudFormation stopped waiting meanwhile, the poller is stopped (a copy cannot be; under
  // DESTROY the rollback's Delete removes what it makes).
  const awaited = await stillAwaited({ ...event, ResourceProperties: properties }, watch, COPY_ID);
  if (awaited.state === 'moved-on') {
    await stopPoller(spec.longWait, copyJobId);
    throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); the poller of copy job ${copyJobId} was stopped (AWS Backup cannot stop the copy)`);
  }
  // Answered at once: the copy's WaitCondition gates what depends on it.
  return {
    PhysicalResourceId: physicalId,
    Data: attributesOf({ CopyJobId: copyJobId, SourceRecoveryPointArn: spec.start.RecoveryPointArn, DestinationBackupVaultArn: spec.start.DestinationBackupVaultArn, State: 'CREATED', ResourceType: spec.resourceType }),
    Wait: { mode: 'handed-off' },
  };
}

/** Starts the copy's poller; AWS Backup cannot stop a copy, so one without a poller is left to the Delete (DESTROY removes the copy). */
function startCopyPoller(event: CdkCustomResourceEvent, spec: CopyJobSpec, copyJobId: string, physicalId: string): Promise<void> {
  return startPollerOfUnstoppable(spec.longWait!, { kind: 'copy', jobId: copyJobId, allowPartial: spec.allowPartial, timeoutSeconds: spec.timeoutSeconds, request: event, physicalId });
}

/** An Update that takes no new copy but comes with a new WaitConditionHandle: the current copy's poller signals it. */
export function rearm(event: CdkCustomResourceEvent, spec: CopyJobSpec): Promise<WaitState | undefined> {
  return rearmPoller(event, spec.longWait, COPY_ID, (jobId, physicalId) => startCopyPoller(event, spec, jobId, physicalId));
}
