/** `backup-jobs wait`: wait for a backup job (or a restore job) to end, with its progress. */
import { describeBackupJob, isNotFound } from '../../../lambda/shared/backup-jobs';
import { describeRestoreJob } from '../../../lambda/shared/restore-jobs';
import { endOfBackup, endOfRestore } from '../outcomes';
import { jobId as jobIdArgument } from '../parse';
import { waitForBackupJob, waitForRestoreJob } from '../wait';
import { CliContext, WaitFlags, waitOptions } from '../context';
import type { Command } from 'commander';

export function waitCommand(program: Command, ctx: CliContext): void {
  waitOptions(program.command('wait')
    .description('wait for a backup job (or a restore job) to end, with its progress; prints the recovery point ARN (the created resource ARN)')
    .argument('<job-id>', 'the backup job or restore job', jobIdArgument('<job-id>'))
    .option('--allow-partial', 'a PARTIAL backup counts as completed'))
    .action(async (jobId: string, o: WaitFlags) => {
      const backup = ctx.client();
      const options = { intervalMs: o.interval, timeoutMs: o.timeout, io: ctx.io };
      try {
        await describeBackupJob(backup, jobId);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // Not a backup job: a restore job id waits the same way.
        try {
          await describeRestoreJob(backup, jobId);
        } catch (restoreError) {
          if (isNotFound(restoreError)) throw Object.assign(new Error(`no backup job or restore job ${jobId}`), { name: 'ResourceNotFoundException' });
          throw restoreError;
        }
        ctx.exit(endOfRestore(ctx, await waitForRestoreJob(backup, jobId, options), o));
        return;
      }
      ctx.exit(endOfBackup(ctx, await waitForBackupJob(backup, jobId, options), o));
    });
}
