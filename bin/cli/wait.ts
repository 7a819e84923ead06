/**
 * Waiting for a job from the command line, for every kind: describe it every
 * interval until it ends or the timeout passes, showing progress. Throttling
 * and server errors are retried at the next poll; other AWS errors end the
 * wait. A kind is known by its `JobReader` (lambda/shared).
 */
import type { BackupClient } from '@aws-sdk/client-backup';
import type { JobOutcome, JobReader } from '../../lambda/shared/aws-backup';
import { describeError, isTransientError } from '../../lambda/shared/errors';
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
export async function sleep(ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= MAX_TIMER_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, MAX_TIMER_MS)));
  }
}

/** Waits for a job of a kind to end, showing its progress. */
export async function waitForJob<Job>(reader: JobReader<Job>, client: BackupClient, jobId: string, options: WaitOptions): Promise<WaitResult<Job>> {
  const label = `${reader.kind} job ${jobId}`;
  const started = Date.now();
  const ends = Math.min(options.deadline ?? Number.POSITIVE_INFINITY, options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeoutMs);
  const progress = new Progress(options.io, label);
  let last: Job | undefined;
  try {
    for (;;) {
      try {
        last = await reader.describe(client, jobId);
        const outcome = reader.outcomeOf(last);
        progress.update({ state: reader.stateOf(last) || '?', percent: reader.percentDone(last) ?? 0, bytes: reader.bytes(last), elapsedMs: Date.now() - started });
        if (outcome !== 'running' && outcome !== 'unknown') return { outcome, job: last };
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
