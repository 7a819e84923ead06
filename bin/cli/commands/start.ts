/** `backup-jobs start`: start an on-demand backup job, its settings checked first by the rules of the BackupJob construct; with --wait, wait for it. */
import { randomUUID } from 'crypto';
import type { BackupClient } from '@aws-sdk/client-backup';
import type { Command } from 'commander';
import { advance, AttemptOptions, endedBecauseBusy } from '../../../lambda/shared/backup-attempts';
import { BACKUP_JOBS, BackupJobDescription, completedWithIssues, findActiveBackupJobs, startBackupJob } from '../../../lambda/shared/backup-jobs';
import { backupJobRequest } from '../../../lib/core/backup-job-contract';
import { CONSTRUCT_SETTING_NAMES, SettingNames, validateBackupJob } from '../../../lib/core/backup-job-rules';
import { resourceTypeFromArn, resourceTypeInfo } from '../../../lib/core/resource-types';
import { CliContext, roleArnProblem, WaitFlags, waitOptions } from '../context';
import { EXIT, InvalidInput } from '../exit-codes';
import { endOfJob, JobEnding } from '../outcomes';
import { keyValue, nonEmpty, quoted, wholeNumber } from '../parse';
import { Interrupted, interrupted, sleep, waitForJob, WaitOptions, WaitResult } from '../wait';

/** How the construct's settings are called on this command line. */
const CLI_SETTING_NAMES: SettingNames = {
  ...CONSTRUCT_SETTING_NAMES,
  resourceType: '--resource-arn (its resource type)',
  backupVaultName: '--vault',
  moveToColdStorageAfterDays: '--cold-after-days',
  deleteAfterDays: '--delete-after-days',
  optInToArchiveForSupportedResources: '--opt-in-to-archive',
  startWindowMinutes: '--start-window-minutes',
  completeWindowMinutes: '--complete-window-minutes',
  recoveryPointTags: '--tag',
  windowsVss: '--windows-vss',
  index: '--index',
  logicallyAirGappedBackupVaultArn: '--air-gapped-vault-arn',
};

function resourceTypeOf(arn: string): string {
  const read = resourceTypeFromArn(arn);
  return 'error' in read ? '' : read.resourceType;
}

export function startCommand(program: Command, ctx: CliContext): void {
  waitOptions(program.command('start')
    .description('start an on-demand backup job; its settings are checked first, with the rules of the BackupJob construct')
    .requiredOption('--resource-arn <arn>', 'the resource to back up')
    .requiredOption('--vault <name>', 'the backup vault')
    .requiredOption('--role <arn>', 'the IAM role AWS Backup assumes')
    .option('--delete-after-days <n>', 'delete the recovery point after n days', wholeNumber('--delete-after-days'))
    .option('--cold-after-days <n>', 'move it to cold storage after n days', wholeNumber('--cold-after-days'))
    .option('--opt-in-to-archive', 'move supported types (EBS) to the archive tier per --cold-after-days')
    .option('--start-window-minutes <n>', 'minutes the job may take to start (at least 60)', wholeNumber('--start-window-minutes'))
    .option('--complete-window-minutes <n>', 'minutes the job may take to complete', wholeNumber('--complete-window-minutes'))
    .option('--tag <key=value>', 'a recovery point tag (repeatable)', keyValue('--tag'))
    .option('--index', 'create a backup index (EBS, S3)')
    .option('--windows-vss', 'a Windows VSS backup (EC2)')
    .option('--no-windows-vss', 'explicitly not a Windows VSS backup (EC2)')
    .option('--air-gapped-vault-arn <arn>', 'back up directly to this logically air-gapped vault')
    .option('--idempotency-token <token>', 'the same token returns the same job (with --wait, a later attempt on a busy resource gets a token derived from it)', nonEmpty('--idempotency-token'))
    .option('--wait', 'wait for the job to end (as the wait command does)')
    .option('--allow-partial', 'with --wait: a PARTIAL backup counts as completed'))
    .action(async (o: Record<string, any>) => {
      const read = resourceTypeFromArn(o.resourceArn);
      const problems: string[] = [];
      if ('error' in read) problems.push(`--resource-arn (${quoted(o.resourceArn)}) ${read.error}`);
      problems.push(...roleArnProblem('--role', o.role));
      const result = validateBackupJob({
        resourceType: 'error' in read ? undefined : read.resourceType,
        backupVaultName: o.vault,
        moveToColdStorageAfterDays: o.coldAfterDays,
        deleteAfterDays: o.deleteAfterDays,
        optInToArchiveForSupportedResources: o.optInToArchive,
        startWindowMinutes: o.startWindowMinutes,
        completeWindowMinutes: o.completeWindowMinutes,
        recoveryPointTags: o.tag,
        windowsVss: o.windowsVss,
        index: o.index,
        logicallyAirGappedBackupVaultArn: o.airGappedVaultArn,
      }, CLI_SETTING_NAMES);
      problems.push(...result.errors);
      if (problems.length > 0) throw new InvalidInput(problems);
      result.warnings.forEach((w) => ctx.err(`warning: ${w.message}`));

      const backup = ctx.client();
      // --timeout bounds the whole command: the wait for another job on the resource and then ours.
      const deadline = o.timeout === undefined ? undefined : Date.now() + o.timeout;
      const active = await findActiveBackupJobs(backup, o.resourceArn);
      for (const id of active) {
        if (!o.wait) {
          ctx.err(`warning: backup job ${id} runs on this resource; AWS Backup runs one job per resource at a time, so this one waits for it (and expires if its start window passes)`);
          continue;
        }
        ctx.err(`backup job ${id} runs on this resource; waiting for it to end first`);
        const blocker = await waitForJob(BACKUP_JOBS, backup, id, { intervalMs: o.interval, deadline, io: ctx.io }).catch((error) => {
          if (!(error instanceof Interrupted)) throw error;
          ctx.err(`interrupted while backup job ${id} (not this command's) held the resource; no backup was started`);
          return undefined;
        });
        if (blocker === undefined) return ctx.exit(EXIT.INTERRUPTED);
        if (blocker.outcome === 'timeout') {
          ctx.err(`timed out waiting for backup job ${id} on the resource; no backup was started`);
          return ctx.exit(EXIT.TIMED_OUT);
        }
      }
      const start = backupJobRequest({
          resourceArn: o.resourceArn,
          backupVaultName: o.vault,
          iamRoleArn: o.role,
          startWindowMinutes: o.startWindowMinutes,
          completeWindowMinutes: o.completeWindowMinutes,
          moveToColdStorageAfterDays: o.coldAfterDays,
          deleteAfterDays: o.deleteAfterDays,
          optInToArchiveForSupportedResources: o.optInToArchive,
          recoveryPointTags: o.tag,
          windowsVss: o.windowsVss,
          index: o.index,
          logicallyAirGappedBackupVaultArn: o.airGappedVaultArn,
      });
      // Each attempt of this run has its own token: a later one (on a busy resource) derives it from the first.
      const base: string | undefined = o.idempotencyToken ?? (o.wait ? randomUUID() : undefined);
      const tokenOf = (attempt: number) => (attempt === 1 || base === undefined ? base : `${base}-attempt-${attempt}`);
      const started = await startBackupJob(backup, { ...start, IdempotencyToken: tokenOf(1) });
      const { $metadata: _ignored, ...startedJob } = started;
      if (!o.wait) {
        ctx.out(ctx.json() ? JSON.stringify(startedJob, null, 2) : started.BackupJobId!);
        return;
      }
      ctx.err(`started backup job ${started.BackupJobId}`);
      const stoppable = resourceTypeInfo(resourceTypeOf(o.resourceArn))?.stoppable !== false;
      const ended = await waitForBackupAttempts(backup, started.BackupJobId!, { start, tokenOf, stoppable }, { intervalMs: o.interval, deadline, io: ctx.io });
      ctx.exit(endOfJob(ctx, ended, o as WaitFlags, BACKUP_ENDING));
    });
}

/** How a waited-for backup ends the command. */
export const BACKUP_ENDING: JobEnding<BackupJobDescription> = {
  reader: BACKUP_JOBS,
  completedWarning: (job) => {
    if (!completedWithIssues(job)) return undefined;
    const category = job.MessageCategory && job.MessageCategory !== 'SUCCESS' ? ` (${job.MessageCategory})` : '';
    return `backup job ${job.BackupJobId} completed with issues${category}${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`;
  },
  timedOut: (result, waited) => (result.holders?.length
    ? `${waited}: ${BACKUP_JOBS.failureMessage(result.job)}, and backup job(s) ${result.holders.join(', ')} still held the resource; no backup was taken`
    : undefined),
  stoppable: (job) => resourceTypeInfo(job.ResourceType ?? '')?.stoppable !== false,
};

/**
 * Waits for a backup this command started, taking it again in a new attempt
 * when AWS Backup ends it because another job held the resource: the next
 * attempt starts once no other job holds it (lambda/shared/backup-attempts.ts).
 */
async function waitForBackupAttempts(
  client: BackupClient,
  firstJobId: string,
  attempts: Pick<AttemptOptions, 'start' | 'tokenOf' | 'stoppable'>,
  options: WaitOptions,
): Promise<WaitResult<BackupJobDescription>> {
  const ends = options.deadline ?? (options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs);
  const say = (line: string) => options.io.stderr.write(`${line}\n`);
  let current = firstJobId;
  for (;;) {
    const result = await waitForJob(BACKUP_JOBS, client, current, { ...options, timeoutMs: undefined, deadline: ends });
    if (result.outcome !== 'failed' || !endedBecauseBusy(result.job)) return result;
    for (;;) {
      const step = await advance({ ...attempts, client, stillWanted: async () => 'yes', mayStart: Date.now() < ends }, firstJobId);
      if (step.kind === 'waiting') {
        if (Date.now() + options.intervalMs > ends) return { outcome: 'timeout', job: step.job, holders: step.holders };
        say(`backup job ${step.job.BackupJobId} ended ${step.job.State}: ${step.job.StatusMessage}; waiting for backup job(s) ${step.holders.join(', ')} to release the resource`);
        await sleep(options.intervalMs);
        if (interrupted()) throw new Interrupted('backup', step.job.BackupJobId!);
        continue;
      }
      if (step.kind === 'started') say(`the resource is free: started backup job ${step.job.BackupJobId} (attempt ${step.attempt})`);
      current = step.job.BackupJobId!;
      break;
    }
  }
}
