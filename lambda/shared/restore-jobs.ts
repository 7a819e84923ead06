/**
 * The restore kind's AWS Backup calls: starting, describing, listing and
 * reading restore jobs, and building their metadata, for the deploy-time
 * handlers and the CLI.
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
import { jobReader, outcomeOfState, percentOf } from './aws-backup';

/** A restore job as DescribeRestoreJob returns it. */
export type RestoreJobDescription = Omit<DescribeRestoreJobCommandOutput, '$metadata'>;

/** Maps every RestoreJobStatus to one outcome (a restore never ends PARTIAL); a status added to the API later is `unknown`. */
export const classifyRestoreStatus = outcomeOfState({ running: ['PENDING', 'RUNNING'], completed: ['COMPLETED'], failed: ['ABORTED', 'FAILED'] });

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

/** How the handlers and the CLI read a restore job. */
export const RESTORE_JOBS = jobReader<RestoreJobDescription>({
  kind: 'restore',
  describe: describeRestoreJob,
  members: { id: 'RestoreJobId', state: 'Status' },
  outcomeOf: classifyRestoreStatus,
  // Only a completed restore made the resource: a failed one may name one that was there before.
  madeBy: (job) => (job.Status === 'COMPLETED' ? job.CreatedResourceArn || undefined : undefined),
  percentDone: (job) => percentOf(job.PercentDone),
  bytes: (job) => job.BackupSizeInBytes,
  title: (job) => `Restore job ${job.RestoreJobId} of ${job.RecoveryPointArn ?? 'the recovery point'}`,
});
