/**
 * The scan kind: StartScanJob of a recovery point with GuardDuty, waited for
 * until it ends. NO_THREATS_FOUND completes; THREATS_FOUND fails the deploy
 * like a failed job (what depends on the scan, the migration, does not run).
 * AWS Backup cannot stop a scan, and a scan makes nothing to delete. The rest
 * of a scan's life is the lifecycle engine's (job-lifecycle.ts).
 */
import { idempotencyToken } from '../../../lib/core/properties';
import { parseScanJobProperties, SCAN_JOB, ScanJobAttributes, ScanJobSpec } from '../../../lib/core/scan-job-contract';
import { naming } from '../../shared/errors';
import { listScansOf, SCAN_JOBS, ScanJobDescription, startScanJob } from '../../shared/scan-jobs';
import { backupClient as client } from '../invocation';
import type { JobKind } from '../job-kind';

/** What a scan's properties tell of its jobs. */
function known(spec: ScanJobSpec) {
  return { RecoveryPointArn: spec.start.RecoveryPointArn, ResourceType: spec.resourceType, ScanMode: spec.start.ScanMode };
}

export const SCAN_JOB_KIND: JobKind<ScanJobSpec, ScanJobDescription, ScanJobAttributes> = {
  contract: SCAN_JOB,
  reader: SCAN_JOBS,
  parse: parseScanJobProperties,
  async start(event, spec) {
    // The same token for every invocation of one request: a retried request finds its scan.
    const scanJobId = await naming('StartScanJob', () => startScanJob(client(), { ...spec.start, IdempotencyToken: idempotencyToken(event, 'scan') }));
    return { jobId: scanJobId, known: { ...known(spec), ScanJobId: scanJobId, State: 'CREATED' } };
  },
  known: (jobId, _made, spec) => ({ ...known(spec), ScanJobId: jobId }),
  // This resource's scans: its recovery point, in its mode, with its roles.
  owns: (job, spec) => job.RecoveryPointArn === spec.start.RecoveryPointArn
    && (job.ScanMode === undefined || job.ScanMode === spec.start.ScanMode)
    && (job.IamRoleArn === undefined || job.IamRoleArn === spec.start.IamRoleArn),
  listSince: async (spec, createdAfter) => (await listScansOf(client(), spec.start.RecoveryPointArn))
    .filter((job) => job.CreationDate === undefined || new Date(job.CreationDate).getTime() > createdAfter.getTime()),
  unstoppable: () => 'AWS Backup cannot stop a scan job, so it goes on',
  made: 'its result',
  // Nothing to delete: a scan resource has no removal policy DESTROY (refused at synth).
  destroy: async () => undefined,
};
