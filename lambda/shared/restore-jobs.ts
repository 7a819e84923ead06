/**
 * Starting, describing and classifying AWS Backup restore jobs, and building
 * their metadata: shared by the deploy-time handlers and the CLI.
 */
import {
  BackupClient,
  paginateListRestoreJobs,
  DescribeRestoreJobCommand,
  DescribeRestoreJobCommandOutput,
  GetRecoveryPointRestoreMetadataCommand,
  StartRestoreJobCommand,
  StartRestoreJobCommandInput,
} from '@aws-sdk/client-backup';
import type { JobOutcome } from './backup-jobs';

/** A restore job as DescribeRestoreJob returns it. */
export type RestoreJobDescription = Omit<DescribeRestoreJobCommandOutput, '$metadata'>;

/** Maps every RestoreJobStatus to one outcome; a status added to the API later is `unknown`. */
export function classifyRestoreStatus(status: string | undefined): Exclude<JobOutcome, 'partial'> {
  switch (status) {
    case 'PENDING':
    case 'RUNNING':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'ABORTED':
    case 'FAILED':
      return 'failed';
    default:
      return 'unknown';
  }
}

export async function describeRestoreJob(client: BackupClient, restoreJobId: string): Promise<RestoreJobDescription> {
  const { $metadata: _ignored, ...job } = await client.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }));
  return job;
}

/** The restore jobs created after a moment, every page of ListRestoreJobs. */
export async function listRestoreJobsSince(client: BackupClient, createdAfter: Date): Promise<RestoreJobDescription[]> {
  const jobs: RestoreJobDescription[] = [];
  for await (const page of paginateListRestoreJobs({ client }, { ByCreatedAfter: createdAfter })) jobs.push(...(page.RestoreJobs ?? []));
  return jobs;
}

export async function startRestoreJob(client: BackupClient, input: StartRestoreJobCommandInput): Promise<string> {
  const { RestoreJobId } = await client.send(new StartRestoreJobCommand(input));
  return RestoreJobId!;
}

/** The restore metadata AWS Backup recorded with a recovery point (the resource as it was backed up), and its type. */
export async function backedUpMetadata(client: BackupClient, backupVaultName: string, recoveryPointArn: string): Promise<{ metadata: Record<string, string>; resourceType?: string }> {
  const { RestoreMetadata, ResourceType } = await client.send(new GetRecoveryPointRestoreMetadataCommand({
    BackupVaultName: backupVaultName,
    RecoveryPointArn: recoveryPointArn,
  }));
  return { metadata: RestoreMetadata ?? {}, resourceType: ResourceType };
}

/**
 * The metadata to restore with: the backed-up metadata with the overrides
 * applied. AWS Backup reads restore metadata keys without regard to case, so
 * an override replaces the backed-up key that differs from it only in case.
 */
export function mergeMetadata(backedUp: Readonly<Record<string, string>>, overrides: Readonly<Record<string, string>>): Record<string, string> {
  const overridden = new Set(Object.keys(overrides).map((k) => k.toLowerCase()));
  return {
    ...Object.fromEntries(Object.entries(backedUp).filter(([k]) => !overridden.has(k.toLowerCase()))),
    ...overrides,
  };
}

/** The sentence a failed restore ends a deploy or a CLI run with. */
export function restoreJobFailureMessage(job: RestoreJobDescription): string {
  const what = `Restore job ${job.RestoreJobId} of ${job.RecoveryPointArn ?? 'the recovery point'} ended ${job.Status}`;
  return job.StatusMessage ? `${what}: ${job.StatusMessage}` : `${what} without a status message from AWS Backup`;
}
