/**
 * The physical resource id of a backup job resource.
 *
 * It carries what a later request needs without asking AWS: the job id (to
 * stop it), the fingerprint of the properties that took it (to tell a rollback
 * to these properties from a change), and the recovery point ARN (to delete it,
 * and to answer with it even after AWS Backup has forgotten the job).
 *
 *   started:  backup-job/<jobId>/<fingerprint>/<recoveryPointArn>
 *   waiting:  backup-job-pending/<idempotencyToken>/<fingerprint>
 *
 * "waiting" is the id while another job runs on the resource and ours has not
 * been started yet.
 */

export interface StartedJobId {
  readonly kind: 'started';
  readonly backupJobId: string;
  readonly fingerprint: string;
  readonly recoveryPointArn: string;
}

export interface PendingJobId {
  readonly kind: 'pending';
  readonly idempotencyToken: string;
  readonly fingerprint: string;
}

export type BackupJobPhysicalId = StartedJobId | PendingJobId;

const STARTED = 'backup-job';
const PENDING = 'backup-job-pending';

export function formatPhysicalId(id: BackupJobPhysicalId): string {
  return id.kind === 'started'
    ? `${STARTED}/${id.backupJobId}/${id.fingerprint}/${id.recoveryPointArn}`
    : `${PENDING}/${id.idempotencyToken}/${id.fingerprint}`;
}

/** Reads a physical id; undefined for an id this handler did not make (e.g. the framework's CREATE_FAILED marker). */
export function parsePhysicalId(physicalId: string | undefined): BackupJobPhysicalId | undefined {
  if (!physicalId) return undefined;
  const parts = physicalId.split('/');
  if (parts[0] === STARTED && parts.length >= 4 && parts[1] && parts[2]) {
    return { kind: 'started', backupJobId: parts[1], fingerprint: parts[2], recoveryPointArn: parts.slice(3).join('/') };
  }
  if (parts[0] === PENDING && parts.length === 3 && parts[1] && parts[2]) {
    return { kind: 'pending', idempotencyToken: parts[1], fingerprint: parts[2] };
  }
  return undefined;
}
