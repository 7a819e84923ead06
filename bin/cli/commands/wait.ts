/** `backup-jobs wait`: wait for a backup job (or a restore or scan job) to end, with its progress. */
import type { Command } from 'commander';
import { BACKUP_JOBS } from '../../../lambda/shared/backup-jobs';
import { isNotFound } from '../../../lambda/shared/errors';
import { RESTORE_JOBS } from '../../../lambda/shared/restore-jobs';
import { SCAN_JOBS } from '../../../lambda/shared/scan-jobs';
import { CliContext, WaitFlags, waitOptions } from '../context';
import { endOfJob } from '../outcomes';
import { jobId as jobIdArgument } from '../parse';
import { waitForJob } from '../wait';
import { RESTORE_ENDING } from './restore';
import { SCAN_ENDING } from './scan';
import { BACKUP_ENDING } from './start';

export function waitCommand(program: Command, ctx: CliContext): void {
  waitOptions(program.command('wait')
    .description('wait for a backup job (or a restore or scan job) to end, with its progress; prints the recovery point ARN (the created resource ARN, the scan\'s result)')
    .argument('<job-id>', 'the backup job, restore job or scan job', jobIdArgument('<job-id>'))
    .option('--allow-partial', 'a PARTIAL backup counts as completed'))
    .action(async (jobId: string, o: WaitFlags) => {
      const backup = ctx.client();
      const options = { intervalMs: o.interval, timeoutMs: o.timeout, io: ctx.io };
      let backupJob;
      try {
        backupJob = await BACKUP_JOBS.describe(backup, jobId);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // Not a backup job: a restore or scan job id waits the same way.
        let restoreJob;
        try {
          restoreJob = await RESTORE_JOBS.describe(backup, jobId);
        } catch (restoreError) {
          if (!isNotFound(restoreError)) throw restoreError;
        }
        if (restoreJob) {
          ctx.exit(endOfJob(ctx, await waitForJob(RESTORE_JOBS, backup, jobId, options, restoreJob), o, RESTORE_ENDING));
          return;
        }
        let scanJob;
        try {
          scanJob = await SCAN_JOBS.describe(backup, jobId);
        } catch (scanError) {
          if (isNotFound(scanError)) throw Object.assign(new Error(`no backup job, restore job or scan job ${jobId}`), { name: 'ResourceNotFoundException' });
          throw scanError;
        }
        ctx.exit(endOfJob(ctx, await waitForJob(SCAN_JOBS, backup, jobId, options, scanJob), o, SCAN_ENDING));
        return;
      }
      ctx.exit(endOfJob(ctx, await waitForJob(BACKUP_JOBS, backup, jobId, options, backupJob), o, BACKUP_ENDING));
    });
}
