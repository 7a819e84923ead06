/**
 * What the handlers share about CloudFormation's requests, as the Provider
 * framework hands them over: the wait state onEvent hands to isComplete, the
 * answers, and a resource type the provider serves (its registration in
 * index.ts).
 */
import type {
  CdkCustomResourceEvent,
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
} from 'aws-lambda';
import type { RequestWatch } from './cloudformation';

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
  readonly mode: 'started' | 'unchanged' | 'deleted' | 'deleting' | 'handed-off' | 'judging';
  /** When the wait ends (ISO 8601). */
  readonly deadline?: string;
  /** deleting, and a rollback's unchanged wait (for what its abandoned request started): the jobs waited for. */
  readonly blockingJobIds?: string[];
  /** The resource as CloudFormation showed it when the request began (to tell whether it still waits). */
  readonly watch?: RequestWatch;
  /** started: the jobs that held the resource when the first attempt started (it is queued behind them). */
  readonly heldBy?: string[];
  /** started, for a resource whose physical id does not name its job (a removal guard): the first job. */
  readonly jobId?: string;
  /**
   * started, by an Update that turned waitForCompletion on: the job predates the
   * request (a request that did not wait started it), and the wait never stops
   * it nor deletes what it made.
   */
  readonly adopted?: boolean;
  /** started, for a removal guard: why the backup is taken (its recovery point's tag). */
  readonly reason?: string;
}

/** What onEvent answers: the physical id, and the wait state for isComplete. */
export type OnEventResponse<Attributes extends object = object> = CdkCustomResourceResponse<Attributes> & { Wait: WaitState };
/** What isComplete gets: the request with onEvent's answer merged in. */
export type IsCompleteEvent<Attributes extends object = object> = CdkCustomResourceIsCompleteEvent<Record<string, unknown>, Attributes> & { Wait?: WaitState };
/** What isComplete answers; a completed answer may name the resource's final physical id. */
export type IsCompleteResponse<Attributes extends object = object> = CdkCustomResourceIsCompleteResponse<Attributes> & { PhysicalResourceId?: string };

/** A resource type the provider serves: its requests, as the bundle's entry points dispatch them (index.ts). */
export interface ServedResource {
  readonly resourceType: string;
  onEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse<any>>;
  isComplete(event: IsCompleteEvent<any>): Promise<IsCompleteResponse<any>>;
}
