/**
 * The copy kind's AWS Backup calls: starting, describing, listing and reading
 * copy jobs, for the deploy-time handlers and the CLI.
 */
import {
  BackupClient, CopyJob, DescribeCopyJobCommand, paginateListCopyJobs, StartCopyJobCommand, StartCopyJobCommandInput,
} from '@aws-sdk/client-backup';
import { jobReader, outcomeOfState } from './aws-backup';

/** A copy job as DescribeCopyJob and ListCopyJobs describe it. */
export type CopyJobDescription = CopyJob;

/** Maps every CopyJobState to one outcome; a state added to the API later is `unknown`. */
export const classifyCopyState = outcomeOfState({ running: ['CREATED', 'RUNNING'], completed: ['COMPLETED'], partial: ['PARTIAL'], failed: ['FAILED'] });

export async function describeCopyJob(client: BackupClient, copyJobId: string): Promise<CopyJobDescription> {
  const { CopyJob: job } = await client.send(new DescribeCopyJobCommand({ CopyJobId: copyJobId }));
  if (!job) throw new Error(`DescribeCopyJob of ${copyJobId} answered without the job`);
  return job;
}

export async function startCopyJob(client: BackupClient, input: StartCopyJobCommandInput): Promise<string> {
  const { CopyJobId } = await client.send(new StartCopyJobCommand(input));
  return CopyJobId!;
}

/** The copy jobs of a recovery point created after a moment, every page of ListCopyJobs. */
export async function listCopiesSince(client: BackupClient, sourceRecoveryPointArn: string, createdAfter: Date): Promise<CopyJobDescription[]> {
  const jobs: CopyJobDescription[] = [];
  for await (const page of paginateListCopyJobs({ client }, { BySourceRecoveryPointArn: sourceRecoveryPointArn, ByCreatedAfter: createdAfter })) {
    jobs.push(...(page.CopyJobs ?? []));
  }
  return jobs;
}

/** How the handlers and the CLI read a copy job. */
export const COPY_JOBS = jobReader<CopyJobDescription>({
  kind: 'copy',
  describe: describeCopyJob,
  members: { id: 'CopyJobId', state: 'State' },
  outcomeOf: classifyCopyState,
  // When DescribeCopyJob first names the copy is not documented: it counts once the copy ended with one.
  madeBy: (job) => (job.State === 'COMPLETED' || job.State === 'PARTIAL' ? job.DestinationRecoveryPointArn || undefined : undefined),
  // DescribeCopyJob tells no progress: done, or not known.
  percentDone: (job) => (job.State === 'COMPLETED' ? 100 : undefined),
  bytes: (job) => job.BackupSizeInBytes,
  title: (job) => `Copy job ${job.CopyJobId} of ${job.SourceRecoveryPointArn ?? 'the recovery point'} to ${job.DestinationBackupVaultArn ?? 'the destination vault'}`,
});
