/**
 * The long-wait path (timeouts past one custom resource's hour, up to 12
 * hours): a Step Functions state machine polls the job through its AWS SDK
 * integration (the kind's Describe action: DescribeBackupJob, DescribeRestoreJob,
 * DescribeCopyJob), with Wait states between the polls (timing.ts:
 * pollSchedule), and on the job's end hands the outcome to a signal task. No
 * Lambda runs per poll.
 *
 * The machine knows kinds of job only through their `PollerKind` (each kind's
 * own file, registered in long-wait-kinds.ts): how to describe one, which
 * states end it, and whether its ends may call for an attempt function.
 */
import { createHash } from 'crypto';
import { attemptStates } from './long-wait-attempts';
import { pollSchedule, POLLER_EXECUTION_MAX_SECONDS } from './timing';

/** What the poller needs to know of a kind of job. */
export interface PollerKind {
  /** The kind's name in the execution input (`Kind`). */
  readonly name: string;
  /** The AWS Backup action that describes a job of the kind, and the SDK integration's resource for it. */
  readonly describe: string;
  readonly idMember: string;
  /** The member of the answer that holds the job, when the answer wraps it (DescribeCopyJob's `CopyJob`). */
  readonly resultMember?: string;
  readonly stateMember: string;
  /** The ends that complete the wait. @default ['COMPLETED'] */
  readonly completing?: readonly string[];
  /** The ends that fail the wait (PARTIAL only without allowPartial). */
  readonly failing: readonly string[];
  /**
   * A result that fails the wait although the job completed (a scan that
   * found threats): where the description holds it (a dotted path), its
   * failing values, and the reason the failure gives.
   */
  readonly failingResult?: { readonly path: string; readonly values: readonly string[]; readonly reason: string };
  /**
   * The ends after which a next attempt may be due (a busy resource): the
   * kind's attempt function decides. Absent for kinds without attempts.
   */
  readonly mayGiveWay?: readonly string[];
  /** How a job of the kind is called in messages: `Backup job`. */
  readonly noun: string;
}

/**
 * What the attempt function says of the current job (the part of a kind's
 * `Attempts` state the machine reads): whether to ask it again while the job
 * is queued, and its decision.
 */
export interface AttemptsState {
  /** Whether the current job is queued behind other jobs: while it is CREATED, each poll asks the attempt function. */
  readonly Queued: boolean;
  /** The last decision: poll on, judge the current job's end now, or the job failed (`Job` says why). */
  readonly Outcome?: 'poll' | 'check' | 'failed';
  /** Jobs of other requests that held the resource at the last poll (a busy end's next attempt waits for them). */
  readonly Holders?: readonly string[];
}

/**
 * What an execution of the poller is started with (by onEvent, once the job
 * started). It carries no secret: the signal function looks the handle's
 * presigned URL up in CloudFormation (the handle's physical id) when it signals.
 */
export interface PollerInput {
  readonly Kind: string;
  readonly JobId: string;
  /** The stack and the logical id of the job's WaitConditionHandle. */
  readonly StackId: string;
  readonly HandleLogicalId: string;
  readonly AllowPartial: boolean;
  /** The waits between polls (pollSchedule of the job's timeout). */
  readonly Schedule: number[];
  /** How many polls the timeout allows: the schedule's length. */
  readonly Polls: number;
  /** The poll count so far. */
  readonly Counter: { readonly Poll: number };
  /**
   * What cleans up after a job whose handle is gone (CloudFormation gave up
   * on the request that started it, and its rollback or the stack's deletion
   * removed the handle): the provider's onEvent function, invoked with the
   * job resource's Delete.
   */
  readonly CleanUp: { readonly FunctionName: string; readonly Event: Record<string, unknown> };
  /**
   * Whether, once its handle is gone (or after it signalled TIMED_OUT), the
   * poller watches the job to its end before it hands the job to its Delete:
   * removal policy DESTROY of a job AWS Backup cannot stop, so that what it
   * makes is deleted whenever it ends.
   */
  readonly WaitsForEnd?: boolean;
  /** Set by the poller once it watches a job that nothing waits for any more (WaitsForEnd). */
  readonly Abandoned?: boolean;
  /** A kind with attempts: what its attempt function needs (the kind's own fields), and its last decision. */
  readonly Attempts?: AttemptsState;
  /** The current job as the last poll described it (set by the poller). */
  readonly Job?: Readonly<Record<string, unknown>>;
}

/** The poller's state names for a kind of job (a deployment, a local run and the tests refer to them). */
export function pollerStates(kind: PollerKind) {
  const noun = kind.noun;
  return {
    describe: kind.describe,
    ended: `${noun} ended?`,
    nextWait: `${noun}: next wait`,
    wait: `${noun}: wait`,
    completed: `${noun} completed`,
    failed: `${noun} failed`,
    timedOut: `${noun} timed out`,
    unreadable: `${noun} unreadable`,
    unwrap: `${noun}: read the description`,
    handle: `${noun}: handle still there?`,
    handleGone: `${noun}: handle gone?`,
    abandoned: `${noun} abandoned`,
    handleGoneNext: `${noun}: watch on or hand over?`,
    signalled: `${noun}: signalled`,
    timedOutSignalled: `${noun}: timed out, signalled`,
    watchToEnd: `${noun}: watch to its end`,
    abandonedEnded: `${noun}: abandoned, ended?`,
    abandonedWait: `${noun}: abandoned, wait`,
    attempt: `${noun}: next attempt?`,
    attempted: `${noun}: attempt decided`,
    attemptFailed: `${noun}: attempt function failed`,
  };
}

/**
 * The signal's retries: from 5 s, doubling, every 5 minutes at the longest,
 * for longer than the longest WaitCondition (12 hours) waits.
 */
export const SIGNAL_RETRY = { IntervalSeconds: 5, BackoffRate: 2, MaxDelaySeconds: 300, MaxAttempts: 160 } as const;

/** How often the poller describes a job nothing waits for any more, until it ended (WaitsForEnd). */
export const ABANDONED_POLL_SECONDS = 600;

/** The poller's first state: it picks the kind's loop. */
export const POLLER_START = 'Which job?';

/** The functions the poller invokes (tokens at synth). */
export interface PollerFunctions {
  /** Signals the outcome to the job's WaitConditionHandle. */
  readonly signal: string;
  /** Decides a kind's next attempt (and starts it). */
  readonly attempt: string;
}

/**
 * The poller's Amazon States Language definition (JSONPath): one loop per kind
 * of job (describe, choose, wait); the first kind is the default.
 */
export function pollerDefinition(kinds: readonly PollerKind[], functions: PollerFunctions): Record<string, unknown> {
  const [first, ...others] = kinds;
  const states: Record<string, unknown> = {
    [POLLER_START]: {
      Type: 'Choice',
      Choices: others.map((kind) => ({ Variable: '$.Kind', StringEquals: kind.name, Next: pollerStates(kind).describe })),
      Default: pollerStates(first).describe,
    },
    'Done': { Type: 'Succeed' },
  };
  for (const kind of kinds) Object.assign(states, kindStates(kind, functions));
  return {
    Comment: 'cdk-backup-jobs: waits for an AWS Backup job (up to 12 hours) and signals its end to the job\'s WaitCondition',
    StartAt: POLLER_START,
    TimeoutSeconds: POLLER_EXECUTION_MAX_SECONDS,
    States: states,
  };
}

function kindStates(info: PollerKind, functions: PollerFunctions): Record<string, unknown> {
  const names = pollerStates(info);
  const state = `$.Job.${info.stateMember}`;
  const timedOut = { Variable: '$.Counter.Poll', NumericGreaterThanEqualsPath: '$.Polls', Next: names.timedOut };
  const signal = (outcome: SignalRequest['Outcome'], next: string) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: functions.signal,
      'Payload': {
        'Outcome': outcome,
        'Kind.$': '$.Kind',
        'JobId.$': '$.JobId',
        'StackId.$': '$.StackId',
        'HandleLogicalId.$': '$.HandleLogicalId',
        'Job.$': '$.Job',
        ...(info.mayGiveWay ? { 'Attempts.$': '$.Attempts' } : {}),
      },
    },
    // Whether the handle was gone (nothing waits for the signal; `$.Signal.Payload.Gone`): the job is then
    // handed to its Delete. Read with IsPresent: a signal function that answers nothing is no error.
    ResultPath: '$.Signal',
    // Lambda's own faults, and a signal that did not get through (CloudFormation throttled, the
    // handle's URL not answering: the function throws): tried again, every 5 minutes at the
    // longest, for as long as a WaitCondition waits (its handle gone, the function answers Gone).
    Retry: [{ ErrorEquals: ['States.ALL'], ...SIGNAL_RETRY }],
    Next: next,
  });
  const completing = info.completing ?? ['COMPLETED'];
  const ends: unknown[] = [];
  if (info.failingResult) {
    const result = `$.Job.${info.failingResult.path}`;
    ends.push({ And: [{ Variable: result, IsPresent: true }, { Or: info.failingResult.values.map((v) => ({ Variable: result, StringEquals: v })) }], Next: names.failed });
  }
  ends.push({ Or: completing.map((s) => ({ Variable: state, StringEquals: s })), Next: names.completed });
  if (info.failing.includes('PARTIAL')) {
    ends.push({ And: [{ Variable: state, StringEquals: 'PARTIAL' }, { Variable: '$.AllowPartial', BooleanEquals: true }], Next: names.completed });
  }
  if (info.mayGiveWay) {
    // A busy resource: an end that may be another job's doing, and a first attempt queued behind other jobs.
    ends.push({ Or: info.mayGiveWay.map((s) => ({ Variable: state, StringEquals: s })), Next: names.attempt });
    ends.push({
      And: [{ Variable: state, StringEquals: 'CREATED' }, { Variable: '$.Attempts.Queued', IsPresent: true }, { Variable: '$.Attempts.Queued', BooleanEquals: true }],
      Next: names.attempt,
    });
  }
  ends.push({ Or: info.failing.map((s) => ({ Variable: state, StringEquals: s })), Next: names.failed });
  const terminal = [...new Set([...completing, 'PARTIAL', ...info.failing, ...(info.mayGiveWay ?? [])])];
  const abandonedChoice = { And: [{ Variable: '$.Abandoned', IsPresent: true }, { Variable: '$.Abandoned', BooleanEquals: true }], Next: names.abandonedEnded };
  const gone = { And: [{ Variable: '$.Signal.Payload.Gone', IsPresent: true }, { Variable: '$.Signal.Payload.Gone', BooleanEquals: true }] };
  const waitsForEnd = { And: [{ Variable: '$.WaitsForEnd', IsPresent: true }, { Variable: '$.WaitsForEnd', BooleanEquals: true }] };
  return {
    ...(info.mayGiveWay ? attemptStates(names, functions.attempt, timedOut) : {}),
    [names.describe]: {
      Type: 'Task',
      Resource: `arn:aws:states:::aws-sdk:backup:${info.describe[0].toLowerCase()}${info.describe.slice(1)}`,
      Parameters: { [`${info.idMember}.$`]: '$.JobId' },
      // The whole description: a member AWS Backup leaves out (StatusMessage while running) is no error.
      ResultPath: info.resultMember ? '$.Described' : '$.Job',
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 6, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.Error', Next: names.unreadable }],
      Next: info.resultMember ? names.unwrap : names.ended,
    },
    // An answer that wraps the job: the job itself becomes $.Job, as for the other kinds.
    ...(info.resultMember ? { [names.unwrap]: { Type: 'Pass', InputPath: `$.Described.${info.resultMember}`, ResultPath: '$.Job', Next: names.ended } } : {}),
    [names.ended]: {
      Type: 'Choice',
      // A job nothing waits for any more is watched to its end, and no attempt follows it.
      Choices: [abandonedChoice, ...ends, timedOut],
      Default: names.handle,
    },
    // A job whose handle is gone has no one waiting for it: a request CloudFormation gave up on
    // started it late (its rollback could not see it yet). The poller hands it to the job's Delete.
    [names.handle]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:cloudformation:describeStackResource',
      Parameters: { 'StackName.$': '$.StackId', 'LogicalResourceId.$': '$.HandleLogicalId' },
      ResultSelector: { 'Status.$': '$.StackResourceDetail.ResourceStatus' },
      ResultPath: '$.Handle',
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 2 }],
      // Not answered (throttled, or the handle is gone): the choice tells which.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.Handle', Next: names.handleGone }],
      Next: names.handleGone,
    },
    [names.handleGone]: {
      Type: 'Choice',
      Choices: [{
        Or: [
          { And: [{ Variable: '$.Handle.Status', IsPresent: true }, { Variable: '$.Handle.Status', StringMatches: 'DELETE*' }] },
          { And: [{ Variable: '$.Handle.Cause', IsPresent: true }, { Variable: '$.Handle.Cause', StringMatches: '*does not exist*' }] },
        ],
        // DESTROY of a job AWS Backup cannot stop: what it makes is deleted once it ended.
        Next: names.handleGoneNext,
      }],
      Default: names.nextWait,
    },
    [names.handleGoneNext]: { Type: 'Choice', Choices: [{ ...waitsForEnd, Next: names.watchToEnd }], Default: names.abandoned },
    [names.signalled]: { Type: 'Choice', Choices: [{ ...gone, Next: names.abandoned }], Default: 'Done' },
    // The job still runs at the timeout: the stack fails, and under WaitsForEnd the poller watches on.
    [names.timedOutSignalled]: { Type: 'Choice', Choices: [{ ...waitsForEnd, Next: names.watchToEnd }, { ...gone, Next: names.abandoned }], Default: 'Done' },
    [names.watchToEnd]: { Type: 'Pass', Result: true, ResultPath: '$.Abandoned', Next: names.abandonedWait },
    [names.abandonedWait]: { Type: 'Wait', Seconds: ABANDONED_POLL_SECONDS, Next: names.describe },
    [names.abandonedEnded]: {
      Type: 'Choice',
      Choices: [{ Or: terminal.map((s) => ({ Variable: state, StringEquals: s })), Next: names.abandoned }],
      Default: names.abandonedWait,
    },
    [names.abandoned]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { 'FunctionName.$': '$.CleanUp.FunctionName', 'Payload.$': '$.CleanUp.Event' },
      ResultPath: null,
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Done' }],
      Next: 'Done',
    },
    [names.nextWait]: {
      Type: 'Pass',
      Parameters: {
        'Seconds.$': 'States.ArrayGetItem($.Schedule, $.Counter.Poll)',
        'Poll.$': 'States.MathAdd($.Counter.Poll, 1)',
      },
      ResultPath: '$.Counter',
      Next: names.wait,
    },
    [names.wait]: { Type: 'Wait', SecondsPath: '$.Counter.Seconds', Next: names.describe },
    [names.completed]: signal('COMPLETED', names.signalled),
    [names.failed]: signal('FAILED', names.signalled),
    [names.timedOut]: signal('TIMED_OUT', names.timedOutSignalled),
    [names.unreadable]: {
      Type: 'Pass',
      Parameters: { [info.stateMember]: 'UNKNOWN', 'StatusMessage.$': `States.Format('${info.describe} failed: {}', $.Error.Cause)` },
      ResultPath: '$.Job',
      Next: names.failed,
    },
  };
}

/** The execution input for a job: where to signal, and its own schedule (the state machine indexes it). */
export function pollerInput(job: {
  kind: string; jobId: string; stackId: string; handleLogicalId: string; allowPartial: boolean; timeoutSeconds: number;
  cleanUp: PollerInput['CleanUp']; attempts?: PollerInput['Attempts']; waitsForEnd?: boolean;
}): PollerInput {
  const schedule = pollSchedule(job.timeoutSeconds);
  return {
    Kind: job.kind, JobId: job.jobId, StackId: job.stackId, HandleLogicalId: job.handleLogicalId, AllowPartial: job.allowPartial,
    Schedule: schedule, Polls: schedule.length, Counter: { Poll: 0 }, CleanUp: job.cleanUp,
    ...(job.waitsForEnd ? { WaitsForEnd: true } : {}),
    ...(job.attempts ? { Attempts: job.attempts } : {}),
  };
}

/**
 * The execution's name: one per job and handle (a retried request starts the
 * same execution again, which Step Functions answers with the running one; a
 * new wait for the same job gets a new name, as names are not reused for 90 days).
 */
export function pollerExecutionName(jobId: string, handleLogicalId: string): string {
  return `${handleLogicalId.slice(0, 40)}-${createHash('sha256').update(`${jobId}\n${handleLogicalId}`).digest('hex').slice(0, 32)}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** The ARN of an execution of a state machine, by name. */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** What the signal task answers: whether the handle was gone (nothing waited for the signal). */
export interface SignalAnswer {
  readonly Gone: boolean;
}

/** What the signal task is invoked with (the poller's Parameters). */
export interface SignalRequest {
  readonly Outcome: 'COMPLETED' | 'FAILED' | 'TIMED_OUT';
  readonly Kind: string;
  readonly JobId: string;
  readonly StackId: string;
  readonly HandleLogicalId: string;
  readonly Job: Readonly<Record<string, unknown>>;
  readonly Attempts?: Pick<AttemptsState, 'Holders'>;
}

/** The WaitConditionHandle signal for an outcome: SUCCESS with the end state, or FAILURE with AWS Backup's own message. */
export function signalOf(request: SignalRequest, info: PollerKind): { Status: 'SUCCESS' | 'FAILURE'; UniqueId: string; Reason: string; Data: string } {
  const job = request.Job;
  const state = String(job[info.stateMember] ?? '');
  const message = String(job.StatusMessage ?? '');
  const what = `${info.noun} ${request.JobId}`;
  const base = { UniqueId: request.JobId };
  switch (request.Outcome) {
    case 'COMPLETED':
      // The attributes are read by the job's result resource, after the WaitCondition: the data is the end state only.
      return { ...base, Status: 'SUCCESS', Reason: `${what} ended ${state}`, Data: state };
    case 'FAILED': {
      const result = failingResultOf(job, info);
      if (result !== undefined) return { ...base, Status: 'FAILURE', Reason: `${what} ended ${state} with ${result}: ${info.failingResult!.reason}`, Data: '' };
      const hint = state === 'PARTIAL' ? ` (set allowPartial to accept a partial ${info.name})` : '';
      return {
        ...base,
        Status: 'FAILURE',
        Reason: (message ? `${what} ended ${state}: ${message}` : `${what} ended ${state} without a status message from AWS Backup`) + hint,
        Data: '',
      };
    }
    case 'TIMED_OUT': {
      // Ids are quoted as AWS Backup gave them.
      const waited = `${info.noun.toLowerCase()} ${request.JobId}`;
      const holders = request.Attempts?.Holders ?? [];
      if (holders.length > 0) {
        return {
          ...base,
          Status: 'FAILURE',
          Reason: `Timed out: ${waited} ended ${state}${message ? ` (${message})` : ''}, and backup job(s) ${holders.join(', ')} still held the resource, so no backup was taken; raise timeout`,
          Data: '',
        };
      }
      const progress = job.PercentDone ? `, ${job.PercentDone}% done` : '';
      return { ...base, Status: 'FAILURE', Reason: `Timed out waiting for ${waited} (still ${state}${progress}); raise timeout`, Data: '' };
    }
  }
}

/** The failing result a job's description holds (a scan's THREATS_FOUND), if any. */
export function failingResultOf(job: Readonly<Record<string, unknown>>, info: PollerKind): string | undefined {
  if (!info.failingResult) return undefined;
  const value = info.failingResult.path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), job);
  return typeof value === 'string' && info.failingResult.values.includes(value) ? value : undefined;
}
