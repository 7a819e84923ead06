/**
 * The backup kind: StartBackupJob of a resource into a vault, started at once
 * while CloudFormation waits (on a resource another job holds, AWS Backup keeps
 * it in CREATED or ends it at once, and the next attempt follows: attempts.ts).
 * AWS Backup can stop most types' jobs; DESTROY deletes the recovery point from
 * the resource's own vault. The rest of a backup's life is the lifecycle
 * engine's (job-lifecycle.ts).
 */
import { BACKUP_JOB, BackupJobAttributes, BackupJobSpec, parseBackupJobProperties } from '../../../lib/core/backup-job-contract';
import { idempotencyToken, ownerTags, withOwnerTags } from '../../../lib/core/properties';
import { resourceTypeInfo } from '../../../lib/core/resource-types';
import { deleteRecoveryPoint } from '../../shared/aws-backup';
import { BACKUP_JOBS, BackupJobDescription, isOwnedBy, JobOwner, listJobsSince, proofOf, startBackupJob, stopBackupJob } from '../../shared/backup-jobs';
import { naming } from '../../shared/errors';
import { backupClient as client } from '../invocation';
import type { JobKind } from '../job-kind';
import { BACKUP_ATTEMPTS, heldByOthers } from './attempts';

/** Who starts this resource's jobs: its resource, vault and role. */
function ownerOf(spec: BackupJobSpec): JobOwner {
  return { ResourceArn: spec.start.ResourceArn, BackupVaultName: spec.start.BackupVaultName, IamRoleArn: spec.start.IamRoleArn };
}

export const BACKUP_JOB_KIND: JobKind<BackupJobSpec, BackupJobDescription, BackupJobAttributes> = {
  contract: BACKUP_JOB,
  reader: BACKUP_JOBS,
  parse: parseBackupJobProperties,
  async start(event, spec) {
    // A retried delivery of this request gets its own job back through the same token.
    const started = await naming('StartBackupJob', () => startBackupJob(client(), { ...withOwnerTags(spec.start, event), IdempotencyToken: idempotencyToken(event) }));
    const jobId = started.BackupJobId!;
    // The jobs that hold the resource now: ours is queued behind them, and replaced by a job started at
    // once when they ended before AWS Backup's next try.
    const heldBy = spec.waitForCompletion ? await heldByOthers(spec.start.ResourceArn, jobId) : [];
    return {
      jobId,
      made: started.RecoveryPointArn,
      heldBy,
      known: { BackupJobId: jobId, RecoveryPointArn: started.RecoveryPointArn, CreationDate: started.CreationDate, State: 'CREATED', ResourceType: spec.resourceType },
    };
  },
  known: (jobId, made, spec) => ({ BackupJobId: jobId, RecoveryPointArn: made, ResourceType: spec.resourceType }),
  // This resource's jobs: its resource, vault and role, and not a backup plan's.
  owns: (job, spec) => isOwnedBy(job, ownerOf(spec)),
  listSince: (spec, createdAfter) => listJobsSince(client(), ownerOf(spec), createdAfter),
  stop: (jobId) => stopBackupJob(client(), jobId),
  stoppable: (spec) => resourceTypeInfo(spec.resourceType)?.stoppable !== false,
  unstoppable: (spec) => `AWS Backup cannot stop ${spec.resourceType} jobs: it runs to its end`,
  made: 'the recovery point',
  // A job found by its description alone is this resource's only when its recovery point carries the resource's
  // owner tags (its start put them there).
  proven: (job, request) => proofOf(client(), job, ownerTags(request)),
  // In this resource's own vault: a recovery point elsewhere is not this resource's to delete.
  destroy: (spec, recoveryPointArn) => deleteRecoveryPoint(client(), spec.start.BackupVaultName, recoveryPointArn),
  subject: (job) => ` of ${job.ResourceArn}`,
  attempts: BACKUP_ATTEMPTS,
};
