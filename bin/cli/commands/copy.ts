/** `backup-jobs copy`: copy a recovery point into another vault (another Region or account), checked first by the rules of the CopyJob construct; with --wait, wait for it. */
import { copyJobRequest } from '../../../lib/core/copy-job-contract';
import { COPY_CONSTRUCT_SETTING_NAMES, CopySettingNames, validateCopyJob } from '../../../lib/core/copy-job-rules';
import { startCopyJob } from '../../../lambda/shared/copy-jobs';
import { InvalidInput } from '../exit-codes';
import { endOfCopy } from '../outcomes';
import { nonEmpty, wholeNumber } from '../parse';
import { waitForCopyJob } from '../wait';
import { CliContext, roleArnProblem, vaultNameProblem, WaitFlags, waitOptions } from '../context';
import type { Command } from 'commander';

/** How the construct's settings are called on this command line. */
const CLI_COPY_NAMES: CopySettingNames = {
  ...COPY_CONSTRUCT_SETTING_NAMES,
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
      if (!/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/.test(recoveryPointArn)) problems.push(`recovery point (${JSON.stringify(recoveryPointArn)}) must be an ARN`);
      problems.push(...vaultNameProblem('--vault', o.vault));
      problems.push(...roleArnProblem('--role', o.role));
      const region = recoveryPointArn.split(':')[3];
      const account = recoveryPointArn.split(':')[4];
      const result = validateCopyJob({
        destinationBackupVaultArn: o.destinationVaultArn,
        sourceBackupVaultArn: region && /^\d{12}$/.test(account ?? '') ? `arn:aws:backup:${region}:${account}:backup-vault:${o.vault}` : undefined,
        moveToColdStorageAfterDays: o.coldAfterDays,
        deleteAfterDays: o.deleteAfterDays,
        optInToArchiveForSupportedResources: o.optInToArchive,
      }, CLI_COPY_NAMES);
      problems.push(...result.errors);
      if (problems.length > 0) throw new InvalidInput(problems);
      result.warnings.forEach((w) => ctx.err(`warning: ${w.message}`));

      const backup = ctx.client();
      const copyJobId = await startCopyJob(backup, {
        ...copyJobRequest({
          recoveryPointArn,
          sourceBackupVaultName: o.vault,
          destinationBackupVaultArn: o.destinationVaultArn,
          iamRoleArn: o.role,
          moveToColdStorageAfterDays: o.coldAfterDays,
          deleteAfterDays: o.deleteAfterDays,
          optInToArchiveForSupportedResources: o.optInToArchive,
        }),
        IdempotencyToken: o.idempotencyToken,
      });
      if (!o.wait) {
        ctx.out(ctx.json() ? JSON.stringify({ CopyJobId: copyJobId }, null, 2) : copyJobId);
        return;
      }
      ctx.err(`started copy job ${copyJobId}`);
      ctx.exit(endOfCopy(ctx, await waitForCopyJob(backup, copyJobId, { intervalMs: o.interval, timeoutMs: o.timeout, io: ctx.io }), o as WaitFlags));
    });
}
