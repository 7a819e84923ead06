/**
 * Waiting for a job from the command line: describe it every interval until it
 * ends or the timeout passes, showing progress. Throttling and server errors
 * are retried at the next poll; other AWS errors end the wait.
 */
import type { BackupClient } from '@aws-sdk/client-backup';
import { advance, AttemptOptions, endedBecauseBusy } from '../../lambda/shared/backup-attempts';
import { BackupJobDescription, classifyBackupState, describeBackupJob, describeError, isTransientError, JobOutcome } from '../../lambda/shared/backup-jobs';
import { classifyCopyState, CopyJobDescription, describeCopyJob } from '../../lambda/shared/copy-jobs';
import { classifyRestoreStatus, describeRestoreJob, RestoreJobDescription } from '../../lambda/shared/restore-jobs';
import { Io, Progress } from './output';

export interface WaitOptions {
  readonly intervalMs: number;
  /** @default - no limit */
  readonly timeoutMs?: number;
  /** When the whole command must end (Date.now() time), whatever this wait's own timeout. @default - none */
  readonly deadline?: number;
  readonly io: Io;
}

export interface WaitResult<Job> {
  readonly outcome: Exclude<JobOutcome, 'running' | 'unknown'> | 'timeout';
  readonly job: Job;
  /** A timeout while other jobs held the resource (the job ended because of them): their ids. */
  readonly holders?: readonly string[];
}

/** Node.js timers take at most 2^31 - 1 ms; a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sleeps for any length, in steps Node.js timers can take. */
async function sleep(ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= MAX_TIMER_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, MAX_TIMER_MS)));
  }
}

async function poll<Job>(
  options: WaitOptions,
  label: string,
  describe: () => Promise<Job>,
  look: (job: Job) => { outcome: JobOutcome; state: string; percent: number; bytes?: number },
): Promise<WaitResult<Job>> {
  const started = Date.now();
  const ends = Math.min(options.deadline ?? Number.POSITIVE_INFINITY, options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeoutMs);
  const progress = new Progress(options.io, label);
  let last: Job | undefined;
  try {
    for (;;) {
      try {
        last = await describe();
        const seen = look(last);
        progress.update({ state: seen.state, percent: seen.percent, bytes: seen.bytes, elapsedMs: Date.now() - started });
        if (seen.outcome !== 'running' && seen.outcome !== 'unknown') return { outcome: seen.outcome, job: last };
      } catch (error) {
        if (!isTransientError(error)) throw error;
        options.io.stderr.write(`${label}: ${describeError(error)}; trying again\n`);
      }
      if (Date.now() + options.intervalMs > ends) {
        if (last !== undefined) return { outcome: 'timeout', job: last };
        throw new Error(`${label}: no answer from AWS Backup within the timeout`);
      }
      await sleep(options.intervalMs);
    }
  } finally {
    progress.stop();
  }
}

export function waitForBackupJob(client: BackupClient, backupJobId: string, options: WaitOptions): Promise<WaitResult<BackupJobDescription>> {
  return poll(options, `backup job ${backupJobId}`, () => describeBackupJob(client, backupJobId), (job) => ({
    outcome: classifyBackupState(job.State),
    state: job.State ?? '?',
    percent: Number.parseFloat(job.PercentDone ?? '0') || 0,
    bytes: job.BytesTransferred,
  }));
}

export function waitForRestoreJob(client: BackupClient, restoreJobId: string, options: WaitOptions): Promise<WaitResult<RestoreJobDescription>> {
  return poll(options, `restore job ${restoreJobId}`, () => describeRestoreJob(client, restoreJobId), (job) => ({
    outcome: classifyRestoreStatus(job.Status),
    state: job.Status ?? '?',
    percent: Number.parseFloat(job.PercentDone ?? '0') || 0,
    bytes: job.BackupSizeInBytes,
  }));
}

export function waitForCopyJob(client: BackupClient, copyJobId: string, options: WaitOptions): Promise<WaitResult<CopyJobDescription>> {
  return poll(options, `copy job ${copyJobId}`, () => describeCopyJob(client, copyJobId), (job) => ({
    outcome: classifyCopyState(job.State),
    state: job.State ?? '?',
    // DescribeCopyJob tells no progress: done or not.
    percent: job.State === 'COMPLETED' ? 100 : 0,
    bytes: job.BackupSizeInBytes,
  }));
}

/**
 * Waits for a backup this command started, taking it again in a new attempt
 * when AWS Backup ends it because another job held the resource: the next
 * attempt starts once no other job holds it (lib/core/backup-attempts.ts).
 */
export async function waitForBackupAttempts(
  client: BackupClient,
  firstJobId: string,
  attempts: Pick<AttemptOptions, 'start' | 'tokenOf' | 'stoppable'>,
  options: WaitOptions,
): Promise<WaitResult<BackupJobDescription>> {
  const ends = options.deadline ?? (options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs);
  const say = (line: string) => options.io.stderr.write(`${line}\n`);
  let current = firstJobId;
  for (;;) {
    const result = await waitForBackupJob(client, current, { ...options, timeoutMs: undefined, deadline: ends });
    if (result.outcome !== 'failed' || !endedBecauseBusy(result.job)) return result;
    for (;;) {
      const step = await advance({ ...attempts, client, stillWanted: async () => 'yes', mayStart: Date.now() < ends }, firstJobId);
      if (step.kind === 'waiting') {
        if (Date.now() + options.intervalMs > ends) return { outcome: 'timeout', job: step.job, holders: step.holders };
        say(`backup job ${step.job.BackupJobId} ended ${step.job.State}: ${step.job.StatusMessage}; waiting for backup job(s) ${step.holders.join(', ')} to release the resource`);
        await sleep(options.intervalMs);
        continue;
      }
      if (step.kind === 'started') say(`the resource is free: started backup job ${step.job.BackupJobId} (attempt ${step.attempt})`);
      current = step.job.BackupJobId!;
      break;
    }
  }
}
