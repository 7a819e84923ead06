/** `backup-jobs wait`: wait for a backup job (or a restore or scan job) to end, with its progress. */
import type { BackupClient } from '@aws-sdk/client-backup';
import type { Command } from 'commander';
import { isNotFound } from '../../../lambda/shared/errors';
import { CliContext, WaitFlags, waitOptions } from '../context';
import { endOfJob, JobEnding } from '../outcomes';
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
      // A backup job id, or else a restore or scan job id: each waits the same way, as its kind ends.
      for (const ending of WAITED_KINDS) {
        const job = await describedAs(ending, backup, jobId);
        if (job === undefined) continue;
        ctx.exit(endOfJob(ctx, await waitForJob(ending.reader, backup, jobId, options, job), o, ending));
        return;
      }
      throw Object.assign(new Error(`no backup job, restore job or scan job ${jobId}`), { name: 'ResourceNotFoundException' });
    });
}

/** The kinds `wait` takes an id of, in the order it asks AWS Backup about it. */
const WAITED_KINDS: readonly JobEnding<any>[] = [BACKUP_ENDING, RESTORE_ENDING, SCAN_ENDING];

/** A job of the kind by its id, or undefined when AWS Backup knows no such job of that kind. */
async function describedAs<Job>(ending: JobEnding<Job>, client: BackupClient, jobId: string): Promise<Job | undefined> {
  try {
    return await ending.reader.describe(client, jobId);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
