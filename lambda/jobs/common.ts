/**
 * What the backup and restore handlers share: the AWS Backup client, the wait
 * state onEvent hands to isComplete, and the rules for clean-up time.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { performance } from 'perf_hooks';
import type { BackupClient } from '@aws-sdk/client-backup';
import type {
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
} from 'aws-lambda';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { createBackupClient, describeError } from '../../lib/core/backup-jobs';
import { log } from '../../lib/core/log';
import type { RequestWatch } from './cloudformation';
import { parsePhysicalId, PhysicalId } from './physical-id';
import { fingerprint, parseJobResultProperties } from '../../lib/core/contract';
import { SHORT_PATH_MAX_SECONDS } from '../../lib/core/long-wait';

let sharedClient: BackupClient | undefined;

/** One client per Lambda container (created on first use, so that tests can point it anywhere), its calls bounded by the invocation. */
export function backupClient(): BackupClient {
  sharedClient ??= bounded(createBackupClient());
  return sharedClient;
}

/** What an invocation keeps of its Lambda's time to answer after its last AWS call. */
export const ANSWER_RESERVE_MS = 5_000;

/** The current invocation's end (performance.now() time: the Lambda's clock, not the wall clock). */
const invocation = new AsyncLocalStorage<{ endsAt: number }>();

/** Runs a handler with its AWS calls bounded by the Lambda's remaining time (less the reserve to answer). */
export function withinInvocation<T>(context: { getRemainingTimeInMillis(): number } | undefined, handler: () => Promise<T>): Promise<T> {
  const remaining = context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  return invocation.run({ endsAt: performance.now() + remaining - ANSWER_RESERVE_MS }, handler);
}

/** How long the current invocation may still call AWS (unbounded outside one). */
export function remainingMs(): number {
  const store = invocation.getStore();
  return store ? store.endsAt - performance.now() : Number.POSITIVE_INFINITY;
}

/**
 * A client whose every call (with all of the SDK's retries) ends by the
 * invocation's end: a slow or throttled AWS answer can never outlast the
 * Lambda, so the handler always gets to answer CloudFormation.
 */
export function bounded<C extends { send(command: any, options?: any): Promise<any> }>(client: C): C {
  const wrapper = Object.create(client) as C;
  wrapper.send = (command: unknown, options?: Record<string, unknown>) => {
    const left = remainingMs();
    if (!Number.isFinite(left)) return client.send(command, options);
    if (left <= 0) return Promise.reject(Object.assign(new Error('no time is left in this invocation for another AWS call'), { name: 'TimeoutError' }));
    return client.send(command, { ...options, abortSignal: AbortSignal.timeout(Math.max(1, Math.floor(left))) });
  };
  return wrapper;
}

/**
 * What onEvent tells isComplete. It travels in the event (as a top-level field
 * the framework passes on) and is never sent to CloudFormation.
 */
export interface WaitState {
  /**
   * started: our job runs (or waits in CREATED for the resource); unchanged: no new job;
   * deleted: nothing to wait for; deleting: a Delete waits for a job (a restore, or a backup
   * AWS Backup cannot stop) to end before it cleans up after it; handed-off: the job's
   * long-wait poller waits, and the resource answers at once.
   */
  readonly mode: 'started' | 'unchanged' | 'deleted' | 'deleting' | 'handed-off';
  /** When the wait ends (ISO 8601). */
  readonly deadline?: string;
  /** deleting, and a rollback's unchanged wait (for what its abandoned request started): the jobs waited for. */
  readonly blockingJobIds?: string[];
  /** The resource as CloudFormation showed it when the request began (to tell whether it still waits). */
  readonly watch?: RequestWatch;
  /** started: the jobs that held the resource when the first attempt started (it is queued behind them). */
  readonly heldBy?: string[];
}

/** What onEvent answers: the physical id, and the wait state for isComplete. */
export type OnEventResponse<Attributes extends object> = CdkCustomResourceResponse<Attributes> & { Wait: WaitState };
/** What isComplete gets: the request with onEvent's answer merged in. */
export type IsCompleteEvent<Attributes extends object> = CdkCustomResourceIsCompleteEvent<Record<string, unknown>, Attributes> & { Wait?: WaitState };
/** What isComplete answers; a completed answer may name the resource's final physical id. */
export type IsCompleteResponse<Attributes extends object> = CdkCustomResourceIsCompleteResponse<Attributes> & { PhysicalResourceId?: string };

/** How long a Delete may spend on clean-up before it answers anyway: at most this, and never past the invocation's end. */
export const DELETE_BUDGET_MS = 40_000;

/** The clean-up budget of the current invocation. */
export function deleteBudgetMs(): number {
  return Math.max(0, Math.min(DELETE_BUDGET_MS, remainingMs()));
}

/**
 * Where a Delete looks for the job of a Create that CloudFormation stopped
 * waiting for: jobs created within the longest wait (the timeout and a margin)
 * that still run or ended moments ago (the Create was waiting for it; its
 * waiter polls every 15 s). A job that ended earlier is another request's.
 */
export function cancelledCreateWindow(timeoutSeconds: number): { createdAfter: Date; mayBeIt(running: boolean, completed?: Date): boolean } {
  const now = Date.now();
  return {
    createdAfter: new Date(now - (timeoutSeconds + LOOK_BACK_MARGIN_SECONDS) * 1000),
    mayBeIt: (running, completed) => running || (completed !== undefined && completed.getTime() >= now - JUST_ENDED_MS),
  };
}

const LOOK_BACK_MARGIN_SECONDS = 15 * 60;
const JUST_ENDED_MS = 60_000;

/**
 * When a clean-up stops waiting for a job to end: after the job's timeout, but
 * within one custom resource's wait (a long-wait job's timeout may be 12 hours).
 */
export function cleanUpDeadline(timeoutSeconds: number): string {
  return deadlineAfter(Math.min(timeoutSeconds, SHORT_PATH_MAX_SECONDS));
}

export function deadlineAfter(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}

export function isoDate(date: Date | undefined): string {
  return date ? date.toISOString() : '';
}

/** Runs a clean-up that must not hold up CloudFormation: after the budget, the answer goes out anyway. */
export async function withinBudget(ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log('warn', `clean-up still running after ${ms / 1000} s; answering without waiting for it`);
      resolve();
    }, ms);
  });
  try {
    await Promise.race([
      work().catch((error) => log('warn', 'clean-up failed', { error: describeError(error) })),
      budget,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a kind of job does for each request type. */
export interface JobHandlers<Attributes extends object> {
  /** The kind of physical id the job's resource has once it started. */
  readonly kind: PhysicalId['kind'];
  start(event: CdkCustomResourceEvent, properties: Record<string, unknown>): Promise<OnEventResponse<Attributes>>;
  remove(physicalId: string | undefined, properties: Record<string, unknown>): Promise<OnEventResponse<Attributes>>;
  /**
   * A rollback's Update back to the current job, from properties whose request
   * CloudFormation gave up on: cleans up after what that request may have
   * started, while the grants it brought still stand (the rollback cleanup
   * removes them after this Update). The wait state to answer with, if any.
   */
  rolledBack?(abandoned: Record<string, unknown>, physicalId: string | undefined): Promise<WaitState | undefined>;
  /** Any other Update that takes no new job (a change of how to wait): the wait state to answer with, if any. */
  unchanged?(event: CdkCustomResourceEvent): Promise<WaitState | undefined>;
}

/**
 * onEvent for a kind of job: Create starts one; Update starts one unless the
 * properties that define the job are those of the current one (a rollback to
 * them, or a change of how to wait only: another job would be wrong); Delete
 * cleans up.
 */
export async function onJobEvent<Attributes extends object>(event: CdkCustomResourceEvent, job: JobHandlers<Attributes>): Promise<OnEventResponse<Attributes>> {
  const properties = event.ResourceProperties as Record<string, unknown>;
  switch (event.RequestType) {
    case 'Create':
      return job.start(event, properties);
    case 'Update': {
      const current = parsePhysicalId(event.PhysicalResourceId);
      if (current?.kind === job.kind && current.fingerprint === fingerprint(properties)) {
        log('info', 'the properties that define the job are unchanged; no new job', { physicalId: event.PhysicalResourceId });
        // Back to the current job from other properties: a rollback of a request that never answered.
        const abandoned = event.OldResourceProperties as Record<string, unknown> | undefined;
        const wait = abandoned && fingerprint(abandoned) !== current.fingerprint
          ? await job.rolledBack?.(abandoned, event.PhysicalResourceId)
          : await job.unchanged?.(event);
        return { PhysicalResourceId: event.PhysicalResourceId, Wait: wait ?? { mode: 'unchanged' } };
      }
      return job.start(event, properties);
    }
    case 'Delete':
      return job.remove(event.PhysicalResourceId, properties);
    default:
      throw new Error(`Unknown RequestType ${(event as { RequestType?: string }).RequestType}`);
  }
}

/**
 * onEvent of a long wait's result resource (made once the job's WaitCondition
 * completed): Create and Update describe the job and answer with its
 * attributes at once; a job that is not COMPLETED (or PARTIAL with
 * allowPartial) fails the request; Delete has nothing to do.
 */
export async function onJobResultEvent<Attributes extends object>(
  event: CdkCustomResourceEvent,
  describe: (jobId: string, allowPartial: boolean) => Promise<Attributes>,
): Promise<OnEventResponse<Attributes>> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId, Wait: { mode: 'deleted' } };
  const { jobId, allowPartial } = parseJobResultProperties(event.ResourceProperties as Record<string, unknown>);
  return { PhysicalResourceId: `job-result/${jobId}`, Data: await describe(jobId, allowPartial), Wait: { mode: 'handed-off' } };
}
