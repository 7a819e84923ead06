/** How a waited-for job ends the command: what it prints and its exit code. */
import type { BackupJobDescription } from '../../lambda/shared/backup-jobs';
import { backupJobFailureMessage, completedWithIssues } from '../../lambda/shared/backup-jobs';
import type { CopyJobDescription } from '../../lambda/shared/copy-jobs';
import { copyJobFailureMessage } from '../../lambda/shared/copy-jobs';
import type { RestoreJobDescription } from '../../lambda/shared/restore-jobs';
import { restoreJobFailureMessage } from '../../lambda/shared/restore-jobs';
import { formatSeconds } from '../../lib/core/messages';
import type { CliContext, WaitFlags } from './context';
import { EXIT } from './exit-codes';
import type { WaitResult } from './wait';

export function endOfBackup(ctx: CliContext, result: WaitResult<BackupJobDescription>, flags: WaitFlags): number {
  const job = result.job;
  if (ctx.json()) ctx.out(JSON.stringify({ outcome: result.outcome, job }, null, 2));
  switch (result.outcome) {
    case 'completed':
      if (completedWithIssues(job)) {
        const category = job.MessageCategory && job.MessageCategory !== 'SUCCESS' ? ` (${job.MessageCategory})` : '';
        ctx.err(`warning: backup job ${job.BackupJobId} completed with issues${category}${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`);
      }
      if (!ctx.json()) ctx.out(job.RecoveryPointArn ?? '');
      return EXIT.COMPLETED;
    case 'partial':
      if (flags.allowPartial) {
        ctx.err(`warning: ${backupJobFailureMessage(job)} (accepted: --allow-partial)`);
        if (!ctx.json()) ctx.out(job.RecoveryPointArn ?? '');
        return EXIT.COMPLETED;
      }
      ctx.err(`${backupJobFailureMessage(job)} (accept it with --allow-partial)`);
      return EXIT.JOB_FAILED;
    case 'failed':
      ctx.err(backupJobFailureMessage(job));
      return EXIT.JOB_FAILED;
    case 'timeout':
      if (result.holders?.length) {
        ctx.err(`timed out after ${formatSeconds(Math.round(flags.timeout! / 1000))}: ${backupJobFailureMessage(job)}, and backup job(s) ${result.holders.join(', ')} still held the resource; no backup was taken`);
        if (!ctx.json()) ctx.out(job.BackupJobId ?? '');
        return EXIT.TIMED_OUT;
      }
      ctx.err(`timed out after ${formatSeconds(Math.round(flags.timeout! / 1000))}: backup job ${job.BackupJobId} is left running (${job.State}, ${job.PercentDone ?? '0'}% done)`);
      if (!ctx.json()) ctx.out(job.BackupJobId ?? '');
      return EXIT.TIMED_OUT;
  }
}

export function endOfRestore(ctx: CliContext, result: WaitResult<RestoreJobDescription>, flags: WaitFlags): number {
  const job = result.job;
  if (ctx.json()) ctx.out(JSON.stringify({ outcome: result.outcome, job }, null, 2));
  switch (result.outcome) {
    case 'completed':
      if (!ctx.json()) ctx.out(job.CreatedResourceArn ?? '');
      return EXIT.COMPLETED;
    case 'timeout':
      ctx.err(`timed out after ${formatSeconds(Math.round(flags.timeout! / 1000))}: restore job ${job.RestoreJobId} is left running (${job.Status}); AWS Backup cannot stop a restore job`);
      if (!ctx.json()) ctx.out(job.RestoreJobId ?? '');
      return EXIT.TIMED_OUT;
    default:
      ctx.err(restoreJobFailureMessage(job));
      return EXIT.JOB_FAILED;
  }
}

export function endOfCopy(ctx: CliContext, result: WaitResult<CopyJobDescription>, flags: WaitFlags): number {
  const job = result.job;
  if (ctx.json()) ctx.out(JSON.stringify({ outcome: result.outcome, job }, null, 2));
  switch (result.outcome) {
    case 'completed':
      if (!ctx.json()) ctx.out(job.DestinationRecoveryPointArn ?? '');
      return EXIT.COMPLETED;
    case 'partial':
      if (flags.allowPartial) {
        ctx.err(`warning: ${copyJobFailureMessage(job)} (accepted: --allow-partial)`);
        if (!ctx.json()) ctx.out(job.DestinationRecoveryPointArn ?? '');
        return EXIT.COMPLETED;
      }
      ctx.err(copyJobFailureMessage(job).replace('set allowPartial', 'use --allow-partial'));
      return EXIT.JOB_FAILED;
    case 'failed':
      ctx.err(copyJobFailureMessage(job));
      return EXIT.JOB_FAILED;
    case 'timeout':
      ctx.err(`timed out after ${formatSeconds(Math.round(flags.timeout! / 1000))}: copy job ${job.CopyJobId} is left running (${job.State}); AWS Backup cannot stop a copy job`);
      if (!ctx.json()) ctx.out(job.CopyJobId ?? '');
      return EXIT.TIMED_OUT;
  }
}
