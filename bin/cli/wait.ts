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

/** The user's interrupt (Ctrl-C): every wait ends at once, saying which job goes on. */
const interruption = new AbortController();

/** Ends every wait of this process now (the command's SIGINT). */
export function interrupt(): void {
  interruption.abort();
}

/** Whether the user interrupted. */
export function interrupted(): boolean {
  return interruption.signal.aborted;
}

/** A wait ended by the user: the job goes on. */
export class Interrupted extends Error {
  constructor(public readonly kind: string, public readonly jobId: string) {
    super(`interrupted: ${kind} job ${jobId} keeps running; see it with \`backup-jobs wait ${jobId}\``);
    this.name = 'Interrupted';
  }
}

/** Sleeps for any length, in steps Node.js timers can take; an interrupt ends it at once. */
export async function sleep(ms: number): Promise<void> {
  for (let left = ms; left > 0 && !interruption.signal.aborted; left -= MAX_TIMER_MS) {
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); interruption.signal.removeEventListener('abort', done); resolve(); };
      const timer = setTimeout(done, Math.min(left, MAX_TIMER_MS));
      interruption.signal.addEventListener('abort', done);
    });
  }
}

/** What a call resolves to, or `over` once the moment `until` (Date.now() time) came or the user interrupted. */
async function within<T>(call: Promise<T>, until: number): Promise<T | 'over'> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const over = new Promise<'over'>((resolve) => {
    onAbort = () => resolve('over');
    if (Number.isFinite(until)) timer = setTimeout(onAbort, Math.max(0, Math.min(until - Date.now(), MAX_TIMER_MS)));
    interruption.signal.addEventListener('abort', onAbort);
  });
  try {
    return await Promise.race([call, over]);
  } finally {
    clearTimeout(timer);
    interruption.signal.removeEventListener('abort', onAbort!);
  }
}

/** Waits for a job of a kind to end, showing its progress (`known`: its description already read, if any). */
export async function waitForJob<Job>(reader: JobReader<Job>, client: BackupClient, jobId: string, options: WaitOptions, known?: Job): Promise<WaitResult<Job>> {
  const label = `${reader.kind} job ${jobId}`;
  const started = Date.now();
  const ends = Math.min(options.deadline ?? Number.POSITIVE_INFINITY, options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeoutMs);
  const progress = new Progress(options.io, label);
  let last: Job | undefined = known;
  try {
    for (;;) {
      if (interruption.signal.aborted) throw new Interrupted(reader.kind, jobId);
      try {
        // The SDK's own retries count against the timeout too.
        const described = await within(reader.describe(client, jobId), ends);
        if (interruption.signal.aborted) throw new Interrupted(reader.kind, jobId);
        if (described === 'over') {
          if (last !== undefined) return { outcome: 'timeout', job: last };
          throw new Error(`${label}: no answer from AWS Backup within the timeout`);
        }
        last = described;
        const outcome = reader.outcomeOf(last);
        progress.update({ state: reader.stateOf(last) || '?', percent: reader.percentDone(last) ?? 0, bytes: reader.bytes(last), elapsedMs: Date.now() - started });
        if (outcome !== 'running' && outcome !== 'unknown') return { outcome, job: last };
      } catch (error) {
        if (error instanceof Interrupted || !isTransientError(error)) throw error;
        options.io.stderr.write(`${label}: ${describeError(error)}; trying again\n`);
      }
      if (Date.now() + options.intervalMs > ends) {
        if (last !== undefined) return { outcome: 'timeout', job: last };
        throw new Error(`${label}: no answer from AWS Backup within the timeout`);
      }
      await sleep(options.intervalMs);
      if (interruption.signal.aborted) throw new Interrupted(reader.kind, jobId);
    }
  } finally {
    progress.stop();
  }
}
