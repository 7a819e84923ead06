/**
 * The physical resource ids of the backup job and restore job resources.
 *
 * It carries what a later request needs without asking AWS: the job id (to
 * stop it), the fingerprint of the properties that took it (to tell a rollback
 * to these properties from a change), and the recovery point ARN (to delete it,
 * and to answer with it even after AWS Backup has forgotten the job).
 *
 *   started:  backup-job/<jobId>/<fingerprint>/<recoveryPointArn>
 *   restore:  restore-job/<restoreJobId>/<fingerprint>/<createdResourceArn, once known>
 */

export interface StartedJobId {
  readonly kind: 'started';
  readonly backupJobId: string;
  readonly fingerprint: string;
  readonly recoveryPointArn: string;
}

export interface RestoreJobPhysicalId {
  readonly kind: 'restore';
  readonly restoreJobId: string;
  readonly fingerprint: string;
  /** Empty until the restore completed. */
  readonly createdResourceArn: string;
}

export type BackupJobPhysicalId = StartedJobId;
export type PhysicalId = BackupJobPhysicalId | RestoreJobPhysicalId;

const STARTED = 'backup-job';
const RESTORE = 'restore-job';

export function formatPhysicalId(id: PhysicalId): string {
  switch (id.kind) {
    case 'started':
      return `${STARTED}/${id.backupJobId}/${id.fingerprint}/${id.recoveryPointArn}`;
    case 'restore':
      return `${RESTORE}/${id.restoreJobId}/${id.fingerprint}/${id.createdResourceArn}`;
  }
}

/** Reads a physical id; undefined for an id this handler did not make (e.g. the framework's CREATE_FAILED marker). */
export function parsePhysicalId(physicalId: string | undefined): PhysicalId | undefined {
  if (!physicalId) return undefined;
  const parts = physicalId.split('/');
  if (parts[0] === RESTORE && parts.length >= 4 && parts[1] && parts[2]) {
    return { kind: 'restore', restoreJobId: parts[1], fingerprint: parts[2], createdResourceArn: parts.slice(3).join('/') };
  }
  if (parts[0] === STARTED && parts.length >= 4 && parts[1] && parts[2]) {
    return { kind: 'started', backupJobId: parts[1], fingerprint: parts[2], recoveryPointArn: parts.slice(3).join('/') };
  }
  return undefined;
}
