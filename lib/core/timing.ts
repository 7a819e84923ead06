/**
 * Every limit, margin, interval and deadline of the library, in one place,
 * each with the reason for it. The constructs call these at synth, the
 * handlers at deploy time; nothing else hard-codes a length.
 */
import { formatSeconds } from './messages';

/** CloudFormation waits at most an hour for a custom resource (its ServiceTimeout). */
export const CLOUDFORMATION_MAX_WAIT_SECONDS = 3_600;

/** Kept from that hour for the last poll and the answer to CloudFormation. */
export const RESPONSE_MARGIN_SECONDS = 120;

/** The longest timeout a custom resource can wait itself (the short path): the hour, less the margin. */
export const SHORT_PATH_MAX_SECONDS = CLOUDFORMATION_MAX_WAIT_SECONDS - RESPONSE_MARGIN_SECONDS;

/** CloudFormation waits at most 12 hours for a WaitCondition (its Timeout): the long-wait path's limit. */
export const LONG_WAIT_MAX_SECONDS = 43_200;

/** The shortest per-job timeout. */
export const TIMEOUT_MIN_SECONDS = 60;

/** The default per-job timeout: the longest wait of the short path. */
export const DEFAULT_TIMEOUT_SECONDS = SHORT_PATH_MAX_SECONDS;

/** How often the Provider framework's waiter asks isComplete about a job (the short path). */
export const POLL_INTERVAL_SECONDS = 15;

/**
 * The handlers' Lambda timeout. With the poll interval it fits in the response
 * margin: the last poll before the deadline, the wait to the next and that whole
 * run still end before CloudFormation stops waiting.
 */
export const HANDLER_TIMEOUT_SECONDS = 60;

/** The signal function's Lambda timeout: one CloudFormation call and one PUT, each bounded to 10 s. */
export const SIGNAL_TIMEOUT_SECONDS = 30;

/** A long wait's result resource answers at once (one describe of the job). */
export const RESULT_TIMEOUT_SECONDS = 60;

/** What an invocation keeps of its Lambda's time to answer after its last AWS call. */
export const ANSWER_RESERVE_MS = 5_000;

/** How long a Delete may spend on clean-up before it answers anyway (and never past the invocation's end). */
export const DELETE_BUDGET_MS = 40_000;

/**
 * How often a short-path wait also asks CloudFormation whether it still waits:
 * in the first 20 s of each minute (one or two polls a minute at 15 s).
 */
export function checksCloudFormation(nowMs: number): boolean {
  return nowMs % 60_000 < 20_000;
}

/**
 * CloudFormation's ServiceTimeout of a job's custom resource: just past the
 * job's timeout, so that CloudFormation gives up by itself shortly after the
 * handler would have answered; for a timeout that is a token (checked at
 * deploy time), CloudFormation's maximum.
 */
export function serviceTimeoutSeconds(timeoutSeconds: number | undefined): number {
  return timeoutSeconds === undefined
    ? CLOUDFORMATION_MAX_WAIT_SECONDS
    : Math.min(CLOUDFORMATION_MAX_WAIT_SECONDS, timeoutSeconds + RESPONSE_MARGIN_SECONDS);
}

/** Whether a job waits through the long-wait path: waited for, with a timeout known at synth past the short path's. */
export function usesLongWait(timeoutSeconds: number | undefined, waitForCompletion: boolean): boolean {
  return waitForCompletion && timeoutSeconds !== undefined && timeoutSeconds > SHORT_PATH_MAX_SECONDS;
}

/** A long wait's WaitCondition Timeout: the job's timeout and a margin, so that the poller's TIMED_OUT signal comes first. */
export function waitConditionTimeoutSeconds(timeoutSeconds: number): number {
  return Math.min(LONG_WAIT_MAX_SECONDS, timeoutSeconds + RESPONSE_MARGIN_SECONDS);
}

/** How long a long wait's poller execution may run: the longest wait and an hour for its last signal. */
export const POLLER_EXECUTION_MAX_SECONDS = LONG_WAIT_MAX_SECONDS + 3_600;

/** The long-wait poller polls every 15 s for the first five minutes... */
const FIRST_WAITS_UNTIL_SECONDS = 300;
const FIRST_WAIT_SECONDS = 15;
/** ...then waits a twentieth of the time waited so far (a job is seen at most 5% of its age after it ended)... */
const WAIT_SHARE_OF_AGE = 1 / 20;
/** ...and at most ten minutes: a 12-hour wait costs a few polls an hour. */
const LONGEST_WAIT_SECONDS = 600;

/** The long-wait poller's waits between polls, from the start, until `timeoutSeconds` have been waited. */
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

/**
 * How long after its start a job that AWS Backup does not find yet is taken as
 * not visible yet rather than gone (users report a job not found right after
 * its start: eventual consistency): a few of the short path's polls.
 */
export const NOT_VISIBLE_GRACE_SECONDS = 4 * POLL_INTERVAL_SECONDS;

/**
 * How long a removal guard's backup stays the one its guard's next request
 * takes over (a deletion tried again after a timeout waits for the backup the
 * timed-out one left running, or takes it if it completed since): started
 * within this time.
 */
export const EARLIER_BACKUP_WINDOW_SECONDS = 12 * 3_600;

/** A moment `seconds` from now (ISO 8601). */
export function deadlineAfter(seconds: number, nowMs = Date.now()): string {
  return new Date(nowMs + seconds * 1000).toISOString();
}

/**
 * When a clean-up stops waiting for a job to end: after the job's timeout, but
 * within one custom resource's wait (a long-wait job's timeout may be 12 hours).
 */
export function cleanUpDeadline(timeoutSeconds: number, nowMs = Date.now()): string {
  return deadlineAfter(Math.min(timeoutSeconds, SHORT_PATH_MAX_SECONDS), nowMs);
}

/** How far before the request's timeout a job of a request CloudFormation gave up on may have been created. */
const LOOK_BACK_MARGIN_SECONDS = 15 * 60;
/** A job that ended this recently may be one its waiter had not seen end yet (it polls every 15 s). */
const JUST_ENDED_MS = 60_000;

/**
 * Where a Delete looks for the job of a Create that CloudFormation stopped
 * waiting for: jobs created within the longest wait (the timeout and a margin)
 * that still run or ended moments ago. A job that ended earlier is another
 * request's.
 */
export function cancelledCreateWindow(timeoutSeconds: number, nowMs = Date.now()): { createdAfter: Date; mayBeIt(running: boolean, completed?: Date): boolean } {
  return {
    createdAfter: new Date(nowMs - (timeoutSeconds + LOOK_BACK_MARGIN_SECONDS) * 1000),
    mayBeIt: (running, completed) => running || (completed !== undefined && completed.getTime() >= nowMs - JUST_ENDED_MS),
  };
}

/** How long after a request's timeout an attempt of its backup may still have been created (a last poll, its answer). */
const LATE_ATTEMPT_MARGIN_SECONDS = 5 * 60;

/** The latest a request's attempt may have been created: its first job's creation, its timeout and a margin. */
export function attemptsUntil(firstCreated: Date, timeoutSeconds: number): Date {
  return new Date(firstCreated.getTime() + (timeoutSeconds + LATE_ATTEMPT_MARGIN_SECONDS) * 1000);
}

/**
 * What is wrong with a job timeout in seconds (empty when nothing): whole
 * seconds, at least a minute, at most 12 hours (a WaitCondition's longest wait;
 * timeouts past 58 minutes take the long-wait path). `short`: the limit of a
 * wait through the custom resource alone, as the handler checks a timeout that
 * was a token at synth; `removal`: a backup before a removal, which only ever
 * waits in its custom resource.
 */
export function timeoutErrors(timeout: number | undefined, name: string, path: 'any' | 'short' | 'removal' = 'any'): string[] {
  if (timeout === undefined) return [];
  if (!Number.isInteger(timeout) || timeout < TIMEOUT_MIN_SECONDS) {
    return [`${name} (${formatSeconds(timeout)}) must be a whole number of seconds, at least ${formatSeconds(TIMEOUT_MIN_SECONDS)}`];
  }
  if (path === 'removal' && timeout > SHORT_PATH_MAX_SECONDS) {
    return [`${name} (${formatSeconds(timeout)}) must be at most ${formatSeconds(SHORT_PATH_MAX_SECONDS)}: a backup before a removal waits in its custom resource alone, which CloudFormation waits for at most ${formatSeconds(CLOUDFORMATION_MAX_WAIT_SECONDS)} (the handler keeps ${formatSeconds(RESPONSE_MARGIN_SECONDS)} of it to answer); a stack's deletion cannot wait through a WaitCondition`];
  }
  if (path === 'short' && timeout > SHORT_PATH_MAX_SECONDS) {
    return [`${name} (${formatSeconds(timeout)}) must be at most ${formatSeconds(SHORT_PATH_MAX_SECONDS)} here: CloudFormation waits at most ${formatSeconds(CLOUDFORMATION_MAX_WAIT_SECONDS)} for a custom resource, and the handler keeps ${formatSeconds(RESPONSE_MARGIN_SECONDS)} of it to answer (a timeout known at synth may be up to ${formatSeconds(LONG_WAIT_MAX_SECONDS)}: it then waits through a WaitCondition)`];
  }
  if (timeout > LONG_WAIT_MAX_SECONDS) {
    return [`${name} (${formatSeconds(timeout)}) must be at most ${formatSeconds(LONG_WAIT_MAX_SECONDS)}: the longest CloudFormation waits for anything (a WaitCondition, which timeouts past ${formatSeconds(SHORT_PATH_MAX_SECONDS)} wait through)`];
  }
  return [];
}
