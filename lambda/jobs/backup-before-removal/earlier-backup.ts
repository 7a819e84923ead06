/**
 * The backups a guard's earlier requests started, found by what proves them
 * ours: the job's own description (the guard's resource, vault and role, not a
 * backup plan's) and its recovery point's tags (the guard's stack, the guarded
 * logical id, and why). A deletion that timed out leaves its backup running;
 * the deletion tried again takes that job over rather than start another, so
 * that "delete again" converges. A replacement that rolled back retags its
 * backup, so that it never reads as the backup of a resource that was replaced.
 */
import { BackupJobState, TagResourceCommand } from '@aws-sdk/client-backup';
import { REMOVAL_TAGS, RemovalReason } from '../../../lib/core/backup-before-removal-contract';
import type { BackupJobRequestProperties } from '../../../lib/core/backup-job-contract';
import { EARLIER_BACKUP_WINDOW_SECONDS } from '../../../lib/core/timing';
import { BackupJobDescription, isOwnedBy, JobOwner, listJobsSince, recoveryPointTagsOf } from '../../shared/backup-jobs';
import { describeError } from '../../shared/errors';
import { log } from '../../shared/log';
import { backupClient } from '../invocation';

/** The tags a retagged replacement backup carries (its update rolled back: the resource was not replaced). */
export const ROLLED_BACK_REASON = 'replacement-rolled-back';

/** What a guard's backups carry: the guard's stack and guarded logical id. */
export interface GuardBackups {
  readonly start: BackupJobRequestProperties;
  readonly stackName: string;
  readonly logicalId: string;
}

/** A job whose state still runs, or that completed (a backup to take over). */
const TAKEN_OVER: ReadonlySet<BackupJobState | undefined> = new Set<BackupJobState | undefined>(['CREATED', 'PENDING', 'RUNNING', 'COMPLETED']);

/**
 * The guard's backup for this reason that still runs, or completed, started
 * within EARLIER_BACKUP_WINDOW_SECONDS: the running one first, else the
 * latest. Undefined when there is none, or when AWS Backup cannot tell (a new
 * backup is then started: never a job that is not proven ours).
 */
export async function earlierBackup(guard: GuardBackups, reason: RemovalReason): Promise<BackupJobDescription | undefined> {
  const candidates = (await ourJobs(guard)).filter((job) => TAKEN_OVER.has(job.State));
  candidates.sort((a, b) => Number(b.State !== 'COMPLETED') - Number(a.State !== 'COMPLETED') || time(b.CreationDate) - time(a.CreationDate));
  for (const job of candidates) {
    const tags = await tagsOf(job);
    if (tags && carries(tags, guard, reason)) return job;
  }
  return undefined;
}

/**
 * Retags the guard's replacement backups of its resource (their update rolled
 * back, so the resource they back up stays): reason `replacement-rolled-back`.
 * Logs, never throws: the rollback goes on either way.
 */
export async function retagRolledBack(guard: GuardBackups): Promise<void> {
  for (const job of await ourJobs(guard)) {
    const tags = await tagsOf(job);
    if (!tags || !carries(tags, guard, 'replacement')) continue;
    try {
      await backupClient().send(new TagResourceCommand({ ResourceArn: job.RecoveryPointArn, Tags: { [REMOVAL_TAGS.reason]: ROLLED_BACK_REASON } }));
      log('info', 'the update rolled back: its replacement backup is retagged', { backupJobId: job.BackupJobId, recoveryPointArn: job.RecoveryPointArn, reason: ROLLED_BACK_REASON });
    } catch (error) {
      log('warn', 'could not retag the replacement backup of an update that rolled back', { backupJobId: job.BackupJobId, error: describeError(error) });
    }
  }
}

/** The jobs of the guard's resource, vault and role started within the window (none when AWS Backup cannot tell). */
async function ourJobs(guard: GuardBackups): Promise<BackupJobDescription[]> {
  const owner: JobOwner = { ResourceArn: guard.start.ResourceArn, BackupVaultName: guard.start.BackupVaultName, IamRoleArn: guard.start.IamRoleArn };
  try {
    const since = new Date(Date.now() - EARLIER_BACKUP_WINDOW_SECONDS * 1000);
    return (await listJobsSince(backupClient(), owner, since)).filter((job) => job.RecoveryPointArn && isOwnedBy(job, owner));
  } catch (error) {
    log('warn', 'could not list the guard\'s earlier backups', { resourceArn: owner.ResourceArn, error: describeError(error) });
    return [];
  }
}

async function tagsOf(job: BackupJobDescription): Promise<Record<string, string> | undefined> {
  const tags = await recoveryPointTagsOf(backupClient(), job);
  // A recovery point not made yet, or one whose tags AWS Backup does not hold (not an arn:aws:backup one).
  if (!tags) log('info', 'cannot read the tags of a backup of the resource; not taken as the guard\'s', { backupJobId: job.BackupJobId });
  return tags;
}

function carries(tags: Record<string, string>, guard: GuardBackups, reason: string): boolean {
  return tags[REMOVAL_TAGS.stack] === guard.stackName && tags[REMOVAL_TAGS.logicalId] === guard.logicalId && tags[REMOVAL_TAGS.reason] === reason;
}

function time(date: Date | string | undefined): number {
  return date ? new Date(date).getTime() : 0;
}
