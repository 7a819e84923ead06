/**
 * The long-wait path (timeouts past one custom resource's hour, up to 12
 * hours): a Step Functions state machine polls DescribeBackupJob through its
 * AWS SDK integration, with Wait states between the polls, and on the job's
 * end hands the outcome to a signal task. No Lambda runs per poll.
 *
 * The waits adapt to the job's age: every 15 s for the first five minutes,
 * then a twentieth of the time waited so far, at most ten minutes. A job is
 * seen at most 5% of its age (and at most ten minutes) after it ended, and a
 * 12-hour wait costs a few polls an hour.
 */

/** The longest CloudFormation waits for a WaitCondition (12 hours). */
export const LONG_WAIT_MAX_SECONDS = 12 * 3600;

const FIRST_WAITS_UNTIL_SECONDS = 300;
const FIRST_WAIT_SECONDS = 15;
const WAIT_SHARE_OF_AGE = 1 / 20;
const LONGEST_WAIT_SECONDS = 600;

/** The waits between polls, from the start, until `timeoutSeconds` have been waited. */
export function pollSchedule(timeoutSeconds: number): number[] {
  const waits: number[] = [];
  let waited = 0;
  while (waited < timeoutSeconds) {
    const next = waited < FIRST_WAITS_UNTIL_SECONDS
      ? FIRST_WAIT_SECONDS
      : Math.min(LONGEST_WAIT_SECONDS, Math.max(FIRST_WAIT_SECONDS, Math.round(waited * WAIT_SHARE_OF_AGE)));
    const wait = Math.min(next, timeoutSeconds - waited);
    waits.push(wait);
    waited += wait;
  }
  return waits;
}

/** What an execution of the poller is started with (by onEvent, once the job started). */
export interface PollerInput {
  readonly BackupJobId: string;
  /** The WaitConditionHandle's presigned URL the outcome is signalled to. */
  readonly HandleUrl: string;
  readonly AllowPartial: boolean;
  /** The waits between polls (pollSchedule of the job's timeout). */
  readonly Schedule: number[];
  /** How many polls the timeout allows: the schedule's length. */
  readonly Polls: number;
  /** The poll count so far. */
  readonly Counter: { readonly Poll: number };
}

/** The poller's state names that a deployment (or a local run) refers to. */
export const POLLER_STATES = { describe: 'DescribeBackupJob' } as const;

/**
 * The poller's Amazon States Language definition (JSONPath). `signalFunctionArn`
 * is the function that PUTs the outcome to the handle URL (a token at synth).
 */
export function pollerDefinition(signalFunctionArn: string): Record<string, unknown> {
  const signal = (outcome: string, next: string) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: signalFunctionArn,
      'Payload': {
        'Outcome': outcome,
        'HandleUrl.$': '$.HandleUrl',
        'BackupJobId.$': '$.BackupJobId',
        'Job.$': '$.Job',
      },
    },
    ResultPath: null,
    // Lambda's own faults, and a signal that did not get through (the function throws): tried again.
    Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 }],
    Next: next,
  });
  return {
    Comment: 'cdk-backup-jobs: waits for a backup job (up to 12 hours) and signals its end to the job\'s WaitCondition',
    StartAt: POLLER_STATES.describe,
    TimeoutSeconds: LONG_WAIT_MAX_SECONDS + 3600,
    States: {
      [POLLER_STATES.describe]: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:backup:describeBackupJob',
        Parameters: { 'BackupJobId.$': '$.BackupJobId' },
        // The whole description: a member AWS Backup leaves out (StatusMessage while running) is no error.
        ResultPath: '$.Job',
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 6, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.Error', Next: 'Unreadable' }],
        Next: 'Ended?',
      },
      'Ended?': {
        Type: 'Choice',
        Choices: [
          { Variable: '$.Job.State', StringEquals: 'COMPLETED', Next: 'Completed' },
          { And: [{ Variable: '$.Job.State', StringEquals: 'PARTIAL' }, { Variable: '$.AllowPartial', BooleanEquals: true }], Next: 'Completed' },
          { Or: ['PARTIAL', 'FAILED', 'ABORTED', 'EXPIRED'].map((state) => ({ Variable: '$.Job.State', StringEquals: state })), Next: 'Failed' },
          { Variable: '$.Counter.Poll', NumericGreaterThanEqualsPath: '$.Polls', Next: 'Timed out' },
        ],
        Default: 'Next wait',
      },
      'Next wait': {
        Type: 'Pass',
        Parameters: {
          'Seconds.$': 'States.ArrayGetItem($.Schedule, $.Counter.Poll)',
          'Poll.$': 'States.MathAdd($.Counter.Poll, 1)',
        },
        ResultPath: '$.Counter',
        Next: 'Wait',
      },
      'Wait': { Type: 'Wait', SecondsPath: '$.Counter.Seconds', Next: POLLER_STATES.describe },
      'Completed': signal('COMPLETED', 'Done'),
      'Failed': signal('FAILED', 'Done'),
      'Timed out': signal('TIMED_OUT', 'Done'),
      'Unreadable': {
        Type: 'Pass',
        Parameters: { 'State': 'UNKNOWN', 'StatusMessage.$': 'States.Format(\'DescribeBackupJob failed: {}\', $.Error.Cause)' },
        ResultPath: '$.Job',
        Next: 'Failed',
      },
      'Done': { Type: 'Succeed' },
    },
  };
}

/** The execution input for a job: where to signal, and its own schedule (the state machine indexes it). */
export function pollerInput(job: { backupJobId: string; handleUrl: string; allowPartial: boolean; timeoutSeconds: number }): PollerInput {
  const schedule = pollSchedule(job.timeoutSeconds);
  return { BackupJobId: job.backupJobId, HandleUrl: job.handleUrl, AllowPartial: job.allowPartial, Schedule: schedule, Polls: schedule.length, Counter: { Poll: 0 } };
}

/** The attributes a long wait's signal carries, in the order of `longWaitData`. */
export const LONG_WAIT_ATTRIBUTES = ['State', 'BackupSizeInBytes', 'CreationDate', 'CompletionDate', 'RecoveryPointArn'] as const;

/** The separator of the signal's data; CloudFormation's Fn::Split takes the attributes back out of the WaitCondition's Data. */
export const LONG_WAIT_SEPARATOR = '|';

/**
 * The data of a successful signal: `|State|Size|Created|Completed|RecoveryPointArn|`.
 * The WaitCondition's Data attribute is `{"<UniqueId>":"<data>"}`; split at the
 * separator, element i + 1 is attribute i (the first and last elements are the
 * JSON around them). A value can hold neither the separator nor a JSON quote.
 */
export function longWaitData(job: Readonly<Record<string, unknown>>): string {
  const clean = (value: unknown) => String(value ?? '').replace(/[|"\\]/g, '');
  return LONG_WAIT_SEPARATOR + LONG_WAIT_ATTRIBUTES.map((name) => clean(job[name])).join(LONG_WAIT_SEPARATOR) + LONG_WAIT_SEPARATOR;
}

/** What the signal task is invoked with (the poller's Parameters). */
export interface SignalRequest {
  readonly Outcome: 'COMPLETED' | 'FAILED' | 'TIMED_OUT';
  readonly HandleUrl: string;
  readonly BackupJobId: string;
  readonly Job: Readonly<Record<string, unknown>>;
}

/** The WaitConditionHandle signal for an outcome: SUCCESS with the attributes, or FAILURE with AWS Backup's own message. */
export function signalOf(request: SignalRequest): { Status: 'SUCCESS' | 'FAILURE'; UniqueId: string; Reason: string; Data: string } {
  const job = request.Job;
  const state = String(job.State ?? '');
  const message = String(job.StatusMessage ?? '');
  const base = { UniqueId: request.BackupJobId };
  switch (request.Outcome) {
    case 'COMPLETED':
      return { ...base, Status: 'SUCCESS', Reason: `Backup job ${request.BackupJobId} ended ${state}`, Data: longWaitData(job) };
    case 'FAILED':
      return {
        ...base,
        Status: 'FAILURE',
        Reason: message ? `Backup job ${request.BackupJobId} ended ${state}: ${message}` : `Backup job ${request.BackupJobId} ended ${state} without a status message from AWS Backup`,
        Data: '',
      };
    case 'TIMED_OUT': {
      const progress = job.PercentDone ? `, ${job.PercentDone}% done` : '';
      return { ...base, Status: 'FAILURE', Reason: `Timed out waiting for backup job ${request.BackupJobId} (still ${state}${progress}); raise timeout`, Data: '' };
    }
  }
}
