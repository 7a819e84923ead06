/**
 * The backup job kind's branch of the long-wait poller: how it describes a
 * backup job, the ends that fail the wait, and the ends after which a busy
 * resource's next attempt may be due (the attempt function decides:
 * lambda/jobs/backup-job-attempt.ts). Registered in long-wait-kinds.ts.
 */
import type { BackupJobRequestProperties } from './backup-job-contract';
import type { AttemptsState, PollerKind } from './long-wait';

export const BACKUP_POLLER: PollerKind = {
  name: 'backup',
  describe: 'DescribeBackupJob',
  idMember: 'BackupJobId',
  stateMember: 'State',
  failing: ['PARTIAL', 'FAILED', 'ABORTED', 'EXPIRED'],
  mayGiveWay: ['FAILED', 'ABORTED', 'EXPIRED'],
  noun: 'Backup job',
};

/**
 * What the attempt function needs to take a backup's next attempt on a busy
 * resource, and what it last decided. The StartBackupJob request travels here
 * whole (its tags too): the execution's data is never logged.
 */
export interface BackupAttempts extends AttemptsState {
  /** The request's first job (the job resource names it): the later attempts are found from it. */
  readonly FirstJobId: string;
  /** The CloudFormation request the attempts' idempotency tokens derive from. */
  readonly Request: { readonly StackId: string; readonly LogicalResourceId: string; readonly RequestId: string };
  /** StartBackupJob of every attempt, but its token. */
  readonly Start: BackupJobRequestProperties;
  readonly ResourceType: string;
  /** The job's WaitCondition: a new attempt starts only while CloudFormation waits for it. */
  readonly ConditionLogicalId: string;
  readonly TimeoutSeconds: number;
  /** The jobs that held the resource when the first attempt started. */
  readonly HeldBy: readonly string[];
}
