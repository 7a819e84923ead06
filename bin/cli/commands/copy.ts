/** `backup-jobs copy`: copy a recovery point into another vault (another Region or account), checked first by the rules of the CopyJob construct; with --wait, wait for it. */
import { BackupClient, CopyJobState, ListCopyJobsCommandInput, paginateListCopyJobs } from '@aws-sdk/client-backup';
import type { Command } from 'commander';
import { copyRefusals } from '../../../lambda/shared/copy-prechecks';
import { COPY_JOBS, CopyJobDescription, startCopyJob } from '../../../lambda/shared/copy-jobs';
import { formatVaultArn, parseArn } from '../../../lib/core/arns';
import { copyJobRequest } from '../../../lib/core/copy-job-contract';
import { COPY_CONSTRUCT_SETTING_NAMES, CopySettingNames, validateCopyJob } from '../../../lib/core/copy-job-rules';
import { CliContext, roleArnProblem, vaultNameProblem, WaitFlags, waitOptions } from '../context';
import { InvalidInput } from '../exit-codes';
import { endOfJob, JobEnding } from '../outcomes';
import { table } from '../output';
import { upTo } from '../pages';
import { nonEmpty, quoted, wholeNumber } from '../parse';
import { waitForJob } from '../wait';

/** How a waited-for copy ends the command. */
const COPY_ENDING: JobEnding<CopyJobDescription> = { reader: COPY_JOBS, stoppable: () => false };

/** The states of a copy job (ListCopyJobs' ByState). */
export const COPY_STATES = ['CREATED', 'RUNNING', 'COMPLETED', 'FAILED', 'PARTIAL'] as const;

/** How the construct's settings are called on this command line. */
const CLI_COPY_NAMES: CopySettingNames = {
  ...COPY_CONSTRUCT_SETTING_NAMES,
  recoveryPoint: 'the recovery point argument',
  destinationBackupVaultArn: '--destination-vault-arn',
  moveToColdStorageAfterDays: '--cold-after-days',
  deleteAfterDays: '--delete-after-days',
  optInToArchiveForSupportedResources: '--opt-in-to-archive',
};

export function copyCommand(program: Command, ctx: CliContext): void {
  waitOptions(program.command('copy')
    .description('copy a recovery point into another vault (another Region or account); prints the copy job id, or with --wait the copy\'s ARN')
    .argument('<recovery-point-arn>', 'the recovery point to copy')
    .requiredOption('--vault <name>', 'the vault the recovery point is in')
    .requiredOption('--destination-vault-arn <arn>', 'the vault to copy into')
    .requiredOption('--role <arn>', 'the IAM role AWS Backup assumes to copy')
    .option('--delete-after-days <n>', 'delete the copy after n days', wholeNumber('--delete-after-days'))
    .option('--cold-after-days <n>', 'move the copy to cold storage after n days', wholeNumber('--cold-after-days'))
    .option('--opt-in-to-archive', 'move supported types (EBS) to the archive tier per --cold-after-days')
    .option('--idempotency-token <token>', 'the same token returns the same copy job', nonEmpty('--idempotency-token'))
    .option('--wait', 'wait for the copy to end; prints the copy\'s recovery point ARN')
    .option('--allow-partial', 'with --wait: a PARTIAL copy counts as completed'))
    .action(async (recoveryPointArn: string, o: Record<string, any>) => {
      const problems: string[] = [];
      const source = parseArn(recoveryPointArn);
      if (!source) problems.push(`recovery point (${quoted(recoveryPointArn)}) must be an ARN`);
      problems.push(...vaultNameProblem('--vault', o.vault));
      problems.push(...roleArnProblem('--role', o.role));
      const result = validateCopyJob({
        recoveryPointArn,
        destinationBackupVaultArn: o.destinationVaultArn,
        sourceBackupVaultArn: source?.region && source.account ? formatVaultArn({ ...source, name: o.vault }) : undefined,
        moveToColdStorageAfterDays: o.coldAfterDays,
        deleteAfterDays: o.deleteAfterDays,
        optInToArchiveForSupportedResources: o.optInToArchive,
      }, CLI_COPY_NAMES);
      problems.push(...result.errors);
      if (problems.length > 0) throw new InvalidInput(problems);
      result.warnings.forEach((w) => ctx.err(`warning: ${w.message}`));

      const backup = ctx.client();
      const request = copyJobRequest({
        recoveryPointArn,
        sourceBackupVaultName: o.vault,
        destinationBackupVaultArn: o.destinationVaultArn,
        iamRoleArn: o.role,
        moveToColdStorageAfterDays: o.coldAfterDays,
        deleteAfterDays: o.deleteAfterDays,
        optInToArchiveForSupportedResources: o.optInToArchive,
      });
      // What AWS Backup would refuse or fail later (a source in cold storage, cross-account backup off), refused now.
      const { refusals, unchecked } = await copyRefusals(backup, request, source?.account);
      unchecked.forEach((what) => ctx.err(`warning: could not check ${what}; AWS Backup judges it`));
      if (refusals.length > 0) throw new InvalidInput(refusals, 'no copy was started; AWS Backup was only asked for the recovery point and the Organization\'s cross-account backup setting');
      const copyJobId = await startCopyJob(backup, {
        ...request,
        IdempotencyToken: o.idempotencyToken,
      });
      if (!o.wait) {
        ctx.out(ctx.json() ? JSON.stringify({ CopyJobId: copyJobId }, null, 2) : copyJobId);
        return;
      }
      ctx.err(`started copy job ${copyJobId}`);
      ctx.exit(endOfJob(ctx, await waitForJob(COPY_JOBS, backup, copyJobId, { intervalMs: o.interval, timeoutMs: o.timeout, io: ctx.io }), o as WaitFlags, COPY_ENDING));
    });
}

/** `list --copies`: copy jobs, every page of ListCopyJobs, with the same filters and output styles as backup jobs. */
export async function listCopies(ctx: CliContext, o: Record<string, any>, pageSize: number | undefined): Promise<void> {
  const input: ListCopyJobsCommandInput = {
    ByState: o.state as CopyJobState | undefined,
    ByResourceArn: o.resourceArn,
    ByResourceType: o.resourceType,
    ByCreatedAfter: o.createdAfter,
    ByCreatedBefore: o.createdBefore,
    ByCompleteAfter: o.completeAfter,
    ByCompleteBefore: o.completeBefore,
    ByParentJobId: o.parentJobId,
    ByMessageCategory: o.messageCategory,
    ByDestinationVaultArn: o.destinationVaultArn,
    BySourceRecoveryPointArn: o.sourceRecoveryPointArn,
  };
  const jobs = await upTo(paginateListCopyJobs({ client: ctx.client() as BackupClient, pageSize }, input), (page) => page.CopyJobs, o.maxItems);
  if (ctx.json()) {
    ctx.out(JSON.stringify(jobs, null, 2));
    return;
  }
  ctx.out(table(['COPY JOB ID', 'STATE', 'TYPE', 'CREATED', 'DESTINATION VAULT', 'COPY'], jobs.map((j) => [
    j.CopyJobId ?? '', j.State ?? '', j.ResourceType ?? '', j.CreationDate?.toISOString() ?? '', j.DestinationBackupVaultArn ?? '', j.DestinationRecoveryPointArn ?? '',
  ])));
  ctx.err(`${jobs.length} copy job${jobs.length === 1 ? '' : 's'}`);
}
