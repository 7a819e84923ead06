/**
 * The backup kind's AWS Backup calls: starting, describing, stopping, listing
 * and reading backup jobs, for the deploy-time handlers and the CLI.
 */
import {
  BackupClient,
  BackupJobState,
  DescribeBackupJobCommand,
  DescribeBackupJobCommandOutput,
  ListTagsCommand,
  paginateListBackupJobs,
  StartBackupJobCommand,
  StartBackupJobCommandInput,
  StartBackupJobCommandOutput,
  StopBackupJobCommand,
} from '@aws-sdk/client-backup';
import { jobReader, outcomeOfState, percentOf, Proof } from './aws-backup';
import { isNotFound, isTransientError } from './errors';

/** States in which a job still runs (or is about to). */
export const ACTIVE_BACKUP_STATES: readonly BackupJobState[] = ['CREATED', 'PENDING', 'RUNNING', 'ABORTING'];

/** Maps every BackupJobState to one outcome; a state added to the API later is `unknown`. */
export const classifyBackupState = outcomeOfState({
  running: ACTIVE_BACKUP_STATES,
  completed: ['COMPLETED'],
  partial: ['PARTIAL'],
  failed: ['FAILED', 'ABORTED', 'EXPIRED'],
});

/** A job as DescribeBackupJob returns it. */
export type BackupJobDescription = Omit<DescribeBackupJobCommandOutput, '$metadata'>;

export async function describeBackupJob(client: BackupClient, backupJobId: string): Promise<BackupJobDescription> {
  const { $metadata: _ignored, ...job } = await client.send(new DescribeBackupJobCommand({ BackupJobId: backupJobId }));
  return job;
}

export async function startBackupJob(client: BackupClient, input: StartBackupJobCommandInput): Promise<StartBackupJobCommandOutput> {
  return client.send(new StartBackupJobCommand(input));
}

export async function stopBackupJob(client: BackupClient, backupJobId: string): Promise<void> {
  await client.send(new StopBackupJobCommand({ BackupJobId: backupJobId }));
}

/**
 * The jobs of a resource that AWS Backup still lists (its last 30 days), in
 * one listing: every page of one ListBackupJobs, up to 1,000 jobs a page.
 */
export async function listJobsOfResource(client: BackupClient, resourceArn: string): Promise<BackupJobDescription[]> {
  const jobs: BackupJobDescription[] = [];
  for await (const page of paginateListBackupJobs({ client, pageSize: 1000 }, { ByResourceArn: resourceArn })) {
    jobs.push(...(page.BackupJobs ?? []).filter((job) => job.BackupJobId));
  }
  return jobs;
}

/** The ids of the jobs of a listing that run (or wait to) on its resource now. */
export function activeIn(jobs: readonly BackupJobDescription[]): string[] {
  return [...new Set(jobs.filter((job) => ACTIVE_BACKUP_STATES.includes(job.State!)).map((job) => job.BackupJobId!))];
}

/**
 * The ids of the jobs that run on a resource now (AWS Backup runs one job per
 * resource at a time), from one listing of the resource's jobs.
 */
export async function findActiveBackupJobs(client: BackupClient, resourceArn: string): Promise<string[]> {
  return activeIn(await listJobsOfResource(client, resourceArn));
}

/** What identifies the jobs a resource starts: the resource, the vault and the role AWS Backup assumes. */
export interface JobOwner {
  readonly ResourceArn: string;
  readonly BackupVaultName: string;
  readonly IamRoleArn: string;
}

/**
 * Whether a job, by its own description, is one this owner could have
 * started: the same resource, vault and role, and not a backup plan's job.
 * Anything else is never stopped or deleted for the owner.
 */
export function isOwnedBy(job: Pick<BackupJobDescription, 'ResourceArn' | 'BackupVaultName' | 'IamRoleArn' | 'CreatedBy'>, owner: JobOwner): boolean {
  return job.ResourceArn === owner.ResourceArn
    && job.BackupVaultName === owner.BackupVaultName
    && job.IamRoleArn === owner.IamRoleArn
    && !job.CreatedBy?.BackupPlanId;
}

/** The jobs of a resource in a vault created after a moment (every state), every page of ListBackupJobs. */
export async function listJobsSince(client: BackupClient, owner: JobOwner, createdAfter: Date): Promise<BackupJobDescription[]> {
  const jobs: BackupJobDescription[] = [];
  for await (const page of paginateListBackupJobs({ client }, { ByResourceArn: owner.ResourceArn, ByBackupVaultName: owner.BackupVaultName, ByCreatedAfter: createdAfter })) {
    jobs.push(...(page.BackupJobs ?? []));
  }
  return jobs;
}

/**
 * Whether a COMPLETED job "completed with issues", as AWS Backup's console
 * says: its MessageCategory is not SUCCESS (or, without one, it has a status message).
 */
export function completedWithIssues(job: Pick<BackupJobDescription, 'State' | 'MessageCategory' | 'StatusMessage'>): boolean {
  if (job.State !== 'COMPLETED') return false;
  return job.MessageCategory ? job.MessageCategory !== 'SUCCESS' : !!job.StatusMessage;
}

/** How the handlers and the CLI read a backup job. */
export const BACKUP_JOBS = jobReader<BackupJobDescription>({
  kind: 'backup',
  describe: describeBackupJob,
  members: { id: 'BackupJobId', state: 'State' },
  outcomeOf: classifyBackupState,
  // Named from the start; a job that did not complete may have made a partial one.
  madeBy: (job) => job.RecoveryPointArn || undefined,
  percentDone: (job) => percentOf(job.PercentDone),
  bytes: (job) => job.BytesTransferred,
  title: (job) => `Backup job ${job.BackupJobId} of ${job.ResourceArn ?? 'the resource'}`,
});

/**
 * The tags of a job's recovery point, or undefined when AWS Backup cannot tell
 * (the recovery point not made yet, or not one whose tags AWS Backup holds:
 * only arn:aws:backup recovery points answer ListTags).
 */
export async function recoveryPointTagsOf(client: BackupClient, job: BackupJobDescription): Promise<Record<string, string> | undefined> {
  const proof = await readTags(client, job);
  return typeof proof === 'string' ? undefined : proof.tags;
}

/** Whether a job found by its description alone carries the tags its start put on its recovery point (`expected`). */

export async function proofOf(client: BackupClient, job: BackupJobDescription, expected: Record<string, string>): Promise<Proof> {
  const read = await readTags(client, job);
  if (typeof read === 'string') return read;
  return Object.entries(expected).every(([key, value]) => read.tags[key] === value) ? 'ours' : 'not ours';
}

async function readTags(client: BackupClient, job: BackupJobDescription): Promise<{ tags: Record<string, string> } | 'not yet' | 'cannot tell'> {
  const arn = job.RecoveryPointArn;
  if (!arn) return 'not yet';
  // ListTags answers for AWS Backup's own recovery points only ("include only values ... that begin arn:aws:backup").
  if (arn.split(':')[2] !== 'backup') return 'cannot tell';
  try {
    return { tags: (await client.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? {} };
  } catch (error) {
    // Not made yet (a queued job's), or AWS Backup busy: ask again; anything else (denied, refused) proves nothing.
    return isNotFound(error) || isTransientError(error) ? 'not yet' : 'cannot tell';
  }
}
