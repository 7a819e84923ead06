/**
 * The restore kind: StartRestoreJob from a recovery point's backed-up metadata
 * with the overrides applied (or from the overrides alone). AWS Backup cannot
 * stop a restore; DESTROY deletes the resource it created (a DynamoDB table,
 * only the resource's own target). The rest of a restore's life is the
 * lifecycle engine's (job-lifecycle.ts).
 */
import { tableNameOfArn } from '../../../lib/core/arns';
import { RESTORE_JOB, RestoreJobAttributes, RestoreJobSpec, parseRestoreJobProperties } from '../../../lib/core/restore-job-contract';
import { metadataValue, RESOURCE_TYPE_PATTERN } from '../../../lib/core/restore-job-rules';
import { idempotencyToken } from '../../../lib/core/properties';
import { naming } from '../../shared/errors';
import { log } from '../../shared/log';
import { backedUpMetadata, listRestoreJobsSince, mergeMetadata, RESTORE_JOBS, RestoreJobDescription, startRestoreJob } from '../../shared/restore-jobs';
import { backupClient as client } from '../invocation';
import type { JobKind } from '../job-kind';
import { deleteRestoredResource } from './restored-resources';
import { validateRestore } from './validation';

/** The table a restore of this resource creates, when its metadata names one. */
function targetTableOf(spec: RestoreJobSpec): string | undefined {
  return metadataValue(spec.metadata, 'targetTableName');
}

/** Whether a resource is this restore resource's target (any, when its metadata names none). */
function isTarget(spec: RestoreJobSpec, resourceArn: string | undefined): boolean {
  const target = targetTableOf(spec);
  return target === undefined || resourceArn === undefined || tableNameOfArn(resourceArn) === target;
}

export const RESTORE_JOB_KIND: JobKind<RestoreJobSpec, RestoreJobDescription, RestoreJobAttributes> = {
  contract: RESTORE_JOB,
  reader: RESTORE_JOBS,
  parse: parseRestoreJobProperties,
  async start(event, spec) {
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
    return { jobId: restoreJobId, known: { RestoreJobId: restoreJobId, RecoveryPointArn: spec.recoveryPointArn, Status: 'PENDING', ResourceType: spec.resourceType } };
  },
  known: (jobId, made, spec) => ({ RestoreJobId: jobId, CreatedResourceArn: made, RecoveryPointArn: spec.recoveryPointArn, ResourceType: spec.resourceType }),
  // This resource's restores: its recovery point, with its role, into its target.
  owns: (job, spec) => job.RecoveryPointArn === spec.recoveryPointArn
    && (spec.iamRoleArn === undefined || job.IamRoleArn === undefined || job.IamRoleArn === spec.iamRoleArn)
    && isTarget(spec, job.CreatedResourceArn),
  listSince: (_spec, createdAfter) => listRestoreJobsSince(client(), createdAfter),
  unstoppable: () => 'AWS Backup cannot stop a restore job, so it goes on',
  made: 'the restored resource',
  async destroy(spec, createdArn, job) {
    if (!isTarget(spec, createdArn)) {
      log('warn', 'the restored resource is not this resource\'s target; leaving it alone', { createdResourceArn: createdArn });
      return;
    }
    await deleteRestoredResource(spec.resourceType, createdArn, job?.CompletionDate);
  },
  // A restore with a validation function goes on only once the function passed the restored resource.
  judge: async (job, spec) => (spec.validationFunctionArn ? validateRestore(spec.validationFunctionArn, job, spec.resourceType) : { verdict: 'accepted' }),
  // A restore's Delete needs its target table (the metadata is otherwise left out of a poller's input).
  neededByDelete: (properties) => {
    const target = metadataValue((properties.Metadata ?? {}) as Record<string, string>, 'targetTableName');
    return target === undefined ? {} : { Metadata: { targetTableName: target } };
  },
};
