/**
 * The scan kind's AWS Backup calls: starting, describing and listing malware
 * scans of recovery points, for the deploy-time handlers and the CLI. A scan
 * that completed with threats found fails like a job that failed.
 */
import { BackupClient, DescribeScanJobCommand, paginateListScanJobs, ScanJob, StartScanJobCommand, StartScanJobCommandInput } from '@aws-sdk/client-backup';
import { failingResultOf } from '../../lib/core/long-wait';
import { SCAN_POLLER } from '../../lib/core/scan-job-poller';
import { jobReader, outcomeOfState } from './aws-backup';

/** A scan job as DescribeScanJob and ListScanJobs describe it, its result's status read out of `ScanResult`. */
export type ScanJobDescription = ScanJob & { readonly ScanResultStatus?: string };

/** Maps every ScanState to one outcome (what could be scanned was, with issues); a state added to the API later is `unknown`. */
export const classifyScanState = outcomeOfState({ running: ['CREATED', 'RUNNING'], completed: ['COMPLETED', 'COMPLETED_WITH_ISSUES'], failed: ['FAILED', 'CANCELED'] });

/** A description with its result's status at the top (as the resource's attributes name it). */
function withResultStatus<J extends { readonly ScanResult?: { readonly ScanResultStatus?: string } }>(job: J): J & { readonly ScanResultStatus?: string } {
  return { ...job, ScanResultStatus: job.ScanResult?.ScanResultStatus };
}

export async function describeScanJob(client: BackupClient, scanJobId: string): Promise<ScanJobDescription> {
  const { $metadata: _ignored, ...job } = await client.send(new DescribeScanJobCommand({ ScanJobId: scanJobId }));
  return withResultStatus(job);
}

export async function startScanJob(client: BackupClient, input: StartScanJobCommandInput): Promise<string> {
  const { ScanJobId } = await client.send(new StartScanJobCommand(input));
  return ScanJobId!;
}

/** The scan jobs of a recovery point, every page of ListScanJobs. */
export async function listScansOf(client: BackupClient, recoveryPointArn: string): Promise<ScanJobDescription[]> {
  const jobs: ScanJobDescription[] = [];
  for await (const page of paginateListScanJobs({ client }, { ByRecoveryPointArn: recoveryPointArn })) jobs.push(...(page.ScanJobs ?? []).map(withResultStatus));
  return jobs;
}

/** How the handlers and the CLI read a scan job. */
export const SCAN_JOBS = jobReader<ScanJobDescription>({
  kind: 'scan',
  describe: describeScanJob,
  members: { id: 'ScanJobId', state: 'State' },
  outcomeOf: classifyScanState,
  // The long wait's poller judges the same result the same way (lib/core/scan-job-poller.ts).
  verdict: (job) => {
    const result = failingResultOf(job as unknown as Record<string, unknown>, SCAN_POLLER);
    return result === undefined ? undefined : `with ${result}: ${SCAN_POLLER.failingResult!.reason}`;
  },
  // A scan makes nothing: it tells.
  madeBy: () => undefined,
  percentDone: (job) => (job.State === 'COMPLETED' || job.State === 'COMPLETED_WITH_ISSUES' ? 100 : undefined),
  bytes: () => undefined,
  title: (job) => `Scan job ${job.ScanJobId} of ${job.RecoveryPointArn ?? 'the recovery point'}`,
});
