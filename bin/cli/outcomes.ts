/** How a waited-for job ends the command, for every kind: what it prints and its exit code. */
import type { JobReader } from '../../lambda/shared/aws-backup';
import { formatSeconds } from '../../lib/core/messages';
import type { CliContext, WaitFlags } from './context';
import { EXIT } from './exit-codes';
import type { WaitResult } from './wait';

/** What a kind's command says at a job's end, beyond what every kind says. */
export interface JobEnding<Job> {
  readonly reader: JobReader<Job>;
  /** A warning for a job that completed (a backup "completed with issues"). */
  completedWarning?(job: Job): string | undefined;
  /** What a completed job prints on stdout. @default - what it made (`reader.madeBy`) */
  printed?(job: Job): string;
  /** A timeout with another kind of message (a backup that other jobs kept from the resource). */
  timedOut?(result: WaitResult<Job>, waited: string): string | undefined;
  /** Whether AWS Backup could stop the job (the timeout's message says when it cannot). */
  stoppable(job: Job): boolean;
}

export function endOfJob<Job>(ctx: CliContext, result: WaitResult<Job>, flags: WaitFlags, ending: JobEnding<Job>): number {
  const { reader } = ending;
  const job = result.job;
  const kind = reader.kind;
  const printJson = ctx.json();
  if (printJson) ctx.out(JSON.stringify({ outcome: result.outcome, job }, null, 2));
  const made = () => { if (!printJson) ctx.out(ending.printed ? ending.printed(job) : reader.madeBy(job) ?? ''); };
  switch (result.outcome) {
    case 'completed': {
      const warning = ending.completedWarning?.(job);
      if (warning) ctx.err(`warning: ${warning}`);
      made();
      return EXIT.COMPLETED;
    }
    case 'partial':
      if (flags.allowPartial) {
        ctx.err(`warning: ${reader.failureMessage(job)} (accepted: --allow-partial)`);
        made();
        return EXIT.COMPLETED;
      }
      ctx.err(`${reader.failureMessage(job)} (use --allow-partial to accept a partial ${kind})`);
      return EXIT.JOB_FAILED;
    case 'failed':
      ctx.err(reader.failureMessage(job));
      return EXIT.JOB_FAILED;
    case 'timeout': {
      const waited = `timed out after ${formatSeconds(Math.round(flags.timeout! / 1000))}`;
      const percent = reader.percentDone(job);
      const cannotStop = ending.stoppable(job) ? '' : `; AWS Backup cannot stop a ${kind} job`;
      ctx.err(ending.timedOut?.(result, waited)
        ?? `${waited}: ${kind} job ${reader.idOf(job)} is left running (${reader.stateOf(job)}${percent === undefined ? '' : `, ${percent.toFixed(1)}% done`})${cannotStop}`);
      if (!printJson) ctx.out(reader.idOf(job));
      return EXIT.TIMED_OUT;
    }
  }
}
