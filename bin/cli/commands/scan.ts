/**
 * `backup-jobs scan`: a GuardDuty malware scan of a recovery point, checked
 * first by the rules of the ScanJob construct; with --wait, wait for it: exit 0
 * and NO_THREATS_FOUND when clean, exit 1 when threats were found or the scan
 * failed. `list --scans` lists scan jobs.
 */
import { BackupClient, ListScanJobsCommandInput, paginateListScanJobs, ScanResourceType, ScanResultStatus, ScanState } from '@aws-sdk/client-backup';
import type { Command } from 'commander';
import { SCAN_JOBS, ScanJobDescription, startScanJob } from '../../../lambda/shared/scan-jobs';
import { parseArn } from '../../../lib/core/arns';
import { scanJobRequest } from '../../../lib/core/scan-job-contract';
import { SCANNED_RESOURCE_TYPES, validateScanJob } from '../../../lib/core/scan-job-rules';
import { CliContext, roleArnProblem, vaultNameProblem, WaitFlags, waitOptions } from '../context';
import { InvalidInput } from '../exit-codes';
import { endOfJob, JobEnding } from '../outcomes';
import { table } from '../output';
import { upTo } from '../pages';
import { nonEmpty, quoted } from '../parse';
import { waitForJob } from '../wait';
import { recoveryPointType } from './restore';

/** How a waited-for scan ends the command: its result printed, issues a warning. */
export const SCAN_ENDING: JobEnding<ScanJobDescription> = {
  reader: SCAN_JOBS,
  stoppable: () => false,
  completedWarning: (job) => (job.State === 'COMPLETED_WITH_ISSUES' ? `scan job ${job.ScanJobId} completed with issues${job.StatusMessage ? `: ${job.StatusMessage}` : ''}; no threats were found in what could be scanned` : undefined),
  printed: (job) => job.ScanResultStatus ?? '',
};

/** The states and results of a scan job (ListScanJobs' ByState, ByScanResultStatus). */
export const SCAN_STATES = ['CREATED', 'RUNNING', 'COMPLETED', 'COMPLETED_WITH_ISSUES', 'FAILED', 'CANCELED'] as const;
const SCAN_RESULTS = ['NO_THREATS_FOUND', 'THREATS_FOUND'] as const;

export function scanCommand(program: Command, ctx: CliContext): void {
  waitOptions(program.command('scan')
    .description('scan a recovery point for malware with GuardDuty (EBS, EC2, S3); prints the scan job id, or with --wait its result (exit 1 when threats were found)')
    .argument('<recovery-point-arn>', 'the recovery point to scan')
    .requiredOption('--vault <name>', 'the vault the recovery point is in')
    .requiredOption('--role <arn>', 'the IAM role AWS Backup assumes for the scan (AWSBackupServiceRolePolicyForScans)')
    .requiredOption('--scanner-role <arn>', 'the IAM role GuardDuty assumes to read the recovery point (AWSBackupGuardDutyRolePolicyForScans)')
    .option('--incremental-from <arn>', 'scan only what changed since this earlier recovery point of the same resource')
    .option('--resource-type <type>', `the recovery point's resource type (${SCANNED_RESOURCE_TYPES.join(', ')}), checked before the scan starts`)
    .option('--idempotency-token <token>', 'the same token returns the same scan job', nonEmpty('--idempotency-token'))
    .option('--wait', 'wait for the scan to end; prints its result'))
    .action(async (recoveryPointArn: string, o: Record<string, any>) => {
      const problems: string[] = [];
      if (!parseArn(recoveryPointArn)) problems.push(`recovery point (${quoted(recoveryPointArn)}) must be an ARN`);
      if (o.incrementalFrom !== undefined && !parseArn(o.incrementalFrom)) problems.push(`--incremental-from (${quoted(o.incrementalFrom)}) must be an ARN`);
      problems.push(...vaultNameProblem('--vault', o.vault));
      problems.push(...roleArnProblem('--role', o.role));
      problems.push(...roleArnProblem('--scanner-role', o.scannerRole));
      const result = validateScanJob({
        resourceType: o.resourceType ?? recoveryPointType(recoveryPointArn),
        recoveryPointArn,
        baseRecoveryPointArn: o.incrementalFrom,
        baseResourceType: o.incrementalFrom === undefined ? undefined : recoveryPointType(o.incrementalFrom),
      }, { resourceType: '--resource-type', baseRecoveryPointArn: '--incremental-from', timeoutSeconds: '--timeout' });
      problems.push(...result.errors);
      if (problems.length > 0) throw new InvalidInput(problems);

      const backup = ctx.client();
      const scanJobId = await startScanJob(backup, {
        ...scanJobRequest({ recoveryPointArn, backupVaultName: o.vault, iamRoleArn: o.role, scannerRoleArn: o.scannerRole, baseRecoveryPointArn: o.incrementalFrom }),
        IdempotencyToken: o.idempotencyToken,
      });
      if (!o.wait) {
        ctx.out(ctx.json() ? JSON.stringify({ ScanJobId: scanJobId }, null, 2) : scanJobId);
        return;
      }
      ctx.err(`started scan job ${scanJobId}`);
      ctx.exit(endOfJob(ctx, await waitForJob(SCAN_JOBS, backup, scanJobId, { intervalMs: o.interval, timeoutMs: o.timeout, io: ctx.io }), o as WaitFlags, SCAN_ENDING));
    });
}

/** What `list --scans` checks of the filters before it lists. */
export function scanListProblems(o: Record<string, any>): string[] {
  const problems: string[] = [];
  if (o.state !== undefined && !(SCAN_STATES as readonly string[]).includes(o.state)) problems.push(`--state (${quoted(o.state)}) must be one of ${SCAN_STATES.join(', ')} (scan job states)`);
  if (o.result !== undefined && !(SCAN_RESULTS as readonly string[]).includes(o.result)) problems.push(`--result (${quoted(o.result)}) must be one of ${SCAN_RESULTS.join(', ')}`);
  if (o.resourceType !== undefined && !SCANNED_RESOURCE_TYPES.includes(o.resourceType)) problems.push(`--resource-type (${quoted(o.resourceType)}) must be one of ${SCANNED_RESOURCE_TYPES.join(', ')} with --scans`);
  return problems;
}

/** `list --scans`: scan jobs, every page of ListScanJobs. */
export async function listScans(ctx: CliContext, o: Record<string, any>, pageSize: number | undefined): Promise<void> {
  const input: ListScanJobsCommandInput = {
    ByState: o.state as ScanState | undefined,
    ByScanResultStatus: o.result as ScanResultStatus | undefined,
    ByResourceArn: o.resourceArn,
    ByResourceType: o.resourceType as ScanResourceType | undefined,
    ByBackupVaultName: o.vault,
    ByRecoveryPointArn: o.sourceRecoveryPointArn,
    ByCompleteAfter: o.completeAfter,
    ByCompleteBefore: o.completeBefore,
  };
  const jobs = await upTo(paginateListScanJobs({ client: ctx.client() as BackupClient, pageSize }, input), (page) => page.ScanJobs, o.maxItems);
  if (ctx.json()) {
    ctx.out(JSON.stringify(jobs, null, 2));
    return;
  }
  ctx.out(table(['SCAN JOB ID', 'STATE', 'RESULT', 'MODE', 'CREATED', 'RECOVERY POINT'], jobs.map((j) => [
    j.ScanJobId ?? '', j.State ?? '', j.ScanResult?.ScanResultStatus ?? '', j.ScanMode ?? '', j.CreationDate?.toISOString() ?? '', j.RecoveryPointArn ?? '',
  ])));
  ctx.err(`${jobs.length} scan job${jobs.length === 1 ? '' : 's'}`);
}
