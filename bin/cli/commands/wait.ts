/** `backup-jobs wait`: wait for a backup job (or a restore job) to end, with its progress. */
import type { Command } from 'commander';
import { BACKUP_JOBS } from '../../../lambda/shared/backup-jobs';
import { isNotFound } from '../../../lambda/shared/errors';
import { RESTORE_JOBS } from '../../../lambda/shared/restore-jobs';
import { CliContext, WaitFlags, waitOptions } from '../context';
import { endOfJob } from '../outcomes';
import { jobId as jobIdArgument } from '../parse';
import { waitForJob } from '../wait';
import { RESTORE_ENDING } from './restore';
import { BACKUP_ENDING } from './start';

export function waitCommand(program: Command, ctx: CliContext): void {
  waitOptions(program.command('wait')
    .description('wait for a backup job (or a restore job) to end, with its progress; prints the recovery point ARN (the created resource ARN)')
    .argument('<job-id>', 'the backup job or restore job', jobIdArgument('<job-id>'))
    .option('--allow-partial', 'a PARTIAL backup counts as completed'))
    .action(async (jobId: string, o: WaitFlags) => {
      const backup = ctx.client();
      const options = { intervalMs: o.interval, timeoutMs: o.timeout, io: ctx.io };
      let backupJob;
      try {
        backupJob = await BACKUP_JOBS.describe(backup, jobId);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // Not a backup job: a restore job id waits the same way.
        let restoreJob;
        try {
          restoreJob = await RESTORE_JOBS.describe(backup, jobId);
        } catch (restoreError) {
          if (isNotFound(restoreError)) throw Object.assign(new Error(`no backup job or restore job ${jobId}`), { name: 'ResourceNotFoundException' });
          throw restoreError;
        }
        ctx.exit(endOfJob(ctx, await waitForJob(RESTORE_JOBS, backup, jobId, options, restoreJob), o, RESTORE_ENDING));
        return;
      }
      ctx.exit(endOfJob(ctx, await waitForJob(BACKUP_JOBS, backup, jobId, options, backupJob), o, BACKUP_ENDING));
    });
}
