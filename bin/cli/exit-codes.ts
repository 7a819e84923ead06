/** The exit codes of `backup-jobs`, for pipelines. */
export const EXIT = {
  /** The command did what it was asked (a waited-for job COMPLETED). */
  COMPLETED: 0,
  /** The job ended FAILED, ABORTED, EXPIRED or PARTIAL (its status message is printed). */
  JOB_FAILED: 1,
  /** The input is invalid (nothing was sent to AWS). */
  INVALID_INPUT: 2,
  /** The wait timed out; the job is left running and its id printed. */
  TIMED_OUT: 3,
  /** AWS answered with an error (its name and message are printed). */
  AWS_ERROR: 4,
  /** Interrupted (Ctrl-C) while waiting: the job goes on (its id and how to wait again are printed). */
  INTERRUPTED: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  completed (a waited-for job ended COMPLETED)
  1  the job ended FAILED, ABORTED, EXPIRED or PARTIAL (the status message is printed)
  2  invalid input (the validation message is printed; nothing is sent to AWS)
  3  the wait timed out (the job is left running; its id is printed)
  4  an AWS error (its name and message are printed)
  130  interrupted (Ctrl-C) while waiting: the job keeps running (its id is printed)
Errors and progress are plain text on stderr, with --json too (it changes stdout only).`;

/**
 * Invalid input: reported with exit code 2, before any request (or, when only
 * a read-only look-up could tell, `sent` says what was asked).
 */
export class InvalidInput extends Error {
  constructor(public readonly problems: readonly string[], public readonly sent?: string) {
    super(problems.join('\n'));
    this.name = 'InvalidInput';
  }
}
