/**
 * Starting, describing, listing and classifying AWS Backup copy jobs: shared
 * by the deploy-time handlers and the CLI.
 */
import {
  BackupClient, CopyJob, DescribeCopyJobCommand, paginateListCopyJobs, StartCopyJobCommand, StartCopyJobCommandInput,
} from '@aws-sdk/client-backup';
import type { JobOutcome } from './backup-jobs';

/** A copy job as DescribeCopyJob and ListCopyJobs describe it. */
export type CopyJobDescription = CopyJob;

/** Maps every CopyJobState to one outcome; a state added to the API later is `unknown`. */
export function classifyCopyState(state: string | undefined): JobOutcome {
  switch (state) {
    case 'CREATED':
    case 'RUNNING':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'PARTIAL':
      return 'partial';
    case 'FAILED':
      return 'failed';
    default:
      return 'unknown';
  }
}

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

/** The Region a recovery point or vault ARN names. */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

/** The sentence a failed copy ends a deploy or a CLI run with. */
export function copyJobFailureMessage(job: CopyJobDescription): string {
  const what = `Copy job ${job.CopyJobId} of ${job.SourceRecoveryPointArn ?? 'the recovery point'} to ${job.DestinationBackupVaultArn ?? 'the destination vault'} ended ${job.State}`;
  const hint = job.State === 'PARTIAL' ? ' (set allowPartial to accept a partial copy)' : '';
  return (job.StatusMessage ? `${what}: ${job.StatusMessage}` : `${what} without a status message from AWS Backup`) + hint;
}
