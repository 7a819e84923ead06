/**
 * A restore job's start (onEvent of a Create, or of an Update that takes a new
 * restore): from the recovery point's backed-up metadata with the overrides
 * applied, or from the overrides alone. On the long-wait path the restore's
 * poller is started too and CloudFormation answered at once.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { fingerprint, idempotencyToken, RawProperties } from '../../lib/core/properties';
import { RestoreJobSpec } from '../../lib/core/restore-job-contract';
import { RESOURCE_TYPE_PATTERN } from '../../lib/core/restore-job-rules';
import { deadlineAfter } from '../../lib/core/timing';
import { naming } from '../shared/backup-jobs';
import { log } from '../shared/log';
import { backedUpMetadata, mergeMetadata, startRestoreJob } from '../shared/restore-jobs';
import { stillAwaited, watchAwaitedRequest } from './cloudformation';
import { backupClient as client } from './invocation';
import { formatPhysicalId } from './physical-id';
import { rearmPoller, refuseReusedHandle, startPollerOfUnstoppable, stopPoller } from './poller';
import type { WaitState } from './requests';
import { attributesOf, OnEventResponse, RESTORE_ID } from './restore-job-wait';

export async function start(event: CdkCustomResourceEvent, properties: RawProperties, spec: RestoreJobSpec): Promise<OnEventResponse> {
  refuseReusedHandle(event, spec.longWait, 'restore');
  const watch = await watchAwaitedRequest(event, 'restore');
  const metadata = spec.useBackedUpMetadata
    ? mergeMetadata((await naming('GetRecoveryPointRestoreMetadata', () => backedUpMetadata(client(), spec.backupVaultName, spec.recoveryPointArn))).metadata, spec.metadata)
    : spec.metadata;
  log('info', 'starting restore', { recoveryPointArn: spec.recoveryPointArn, resourceType: spec.resourceType, metadataKeys: Object.keys(metadata) });
  const restoreJobId = await naming('StartRestoreJob', () => startRestoreJob(client(), {
    RecoveryPointArn: spec.recoveryPointArn,
    Metadata: metadata,
    IamRoleArn: spec.iamRoleArn,
    IdempotencyToken: idempotencyToken(event, spec.resourceType),
    // The API takes AWS Backup's type names that fit its pattern; the others ("SAP HANA on
    // Amazon EC2") are left for AWS Backup to read from the recovery point.
    ResourceType: RESOURCE_TYPE_PATTERN.test(spec.resourceType) ? spec.resourceType : undefined,
    CopySourceTagsToRestoredResource: spec.copySourceTagsToRestoredResource,
  }));
  log('info', 'restore job started', { restoreJobId });
  const physicalId = formatPhysicalId({ kind: RESTORE_ID, jobId: restoreJobId, fingerprint: fingerprint(properties), tail: '' });
  if (!spec.longWait) return { PhysicalResourceId: physicalId, Wait: { mode: 'started', deadline: deadlineAfter(spec.timeoutSeconds), watch } };
  await startRestorePoller(event, spec, restoreJobId, physicalId);
  // As for a backup: had CloudFormation stopped waiting meanwhile, the poller is stopped (a restore
  // cannot be; under DESTROY the rollback's Delete removes what it makes).
  const awaited = await stillAwaited({ ...event, ResourceProperties: properties }, watch, RESTORE_ID);
  if (awaited.state === 'moved-on') {
    await stopPoller(spec.longWait, restoreJobId);
    throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); the poller of restore job ${restoreJobId} was stopped (AWS Backup cannot stop the restore)`);
  }
  // Answered at once: the restore's WaitCondition gates what depends on it.
  return { PhysicalResourceId: physicalId, Data: attributesOf({ RestoreJobId: restoreJobId, RecoveryPointArn: spec.recoveryPointArn, Status: 'PENDING', ResourceType: spec.resourceType }), Wait: { mode: 'handed-off' } };
}

/** Starts the restore's poller; AWS Backup cannot stop a restore, so one without a poller is left to the Delete (DESTROY removes what it makes). */
function startRestorePoller(event: CdkCustomResourceEvent, spec: RestoreJobSpec, restoreJobId: string, physicalId: string): Promise<void> {
  return startPollerOfUnstoppable(spec.longWait!, { kind: 'restore', jobId: restoreJobId, allowPartial: false, timeoutSeconds: spec.timeoutSeconds, request: event, physicalId });
}

/** An Update that takes no new restore but comes with a new WaitConditionHandle: the current restore's poller signals it. */
export function rearm(event: CdkCustomResourceEvent, spec: RestoreJobSpec): Promise<WaitState | undefined> {
  return rearmPoller(event, spec.longWait, RESTORE_ID, (jobId, physicalId) => startRestorePoller(event, spec, jobId, physicalId));
}
