/**
 * What every kind's handlers share about CloudFormation's requests: the wait
 * state onEvent hands to isComplete, the request-type dispatch (each request's
 * properties parsed once), and the long wait's result resource.
 */
import type {
  CdkCustomResourceEvent,
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
} from 'aws-lambda';
import { fingerprint, parseJobResultProperties, RawProperties } from '../../lib/core/properties';
import { describeError } from '../shared/backup-jobs';
import { log } from '../shared/log';
import type { RequestWatch } from './cloudformation';
import { physicalIdOf } from './physical-id';

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
  /** started, for a kind whose physical id does not name its job (a removal guard): the first job. */
  readonly jobId?: string;
  /** started, for a removal guard: why the backup is taken (its recovery point's tag). */
  readonly reason?: string;
}

/** What onEvent answers: the physical id, and the wait state for isComplete. */
export type OnEventResponse<Attributes extends object> = CdkCustomResourceResponse<Attributes> & { Wait: WaitState };
/** What isComplete gets: the request with onEvent's answer merged in. */
export type IsCompleteEvent<Attributes extends object> = CdkCustomResourceIsCompleteEvent<Record<string, unknown>, Attributes> & { Wait?: WaitState };
/** What isComplete answers; a completed answer may name the resource's final physical id. */
export type IsCompleteResponse<Attributes extends object> = CdkCustomResourceIsCompleteResponse<Attributes> & { PhysicalResourceId?: string };

/** What a kind of job does for each request type, with the request's properties parsed once (`Spec`). */
export interface JobRequests<Spec, Attributes extends object> {
  /** The kind's physical id prefix (physical-id.ts). */
  readonly kind: string;
  /** Reads the properties; throws, naming the property, on a malformed one. */
  parse(properties: RawProperties): Spec;
  start(event: CdkCustomResourceEvent, properties: RawProperties, spec: Spec): Promise<OnEventResponse<Attributes>>;
  /** A Delete; `spec` is undefined when the properties cannot be read (a Delete never fails because of them). */
  remove(physicalId: string | undefined, spec: Spec | undefined): Promise<OnEventResponse<Attributes>>;
  /**
   * A rollback's Update back to the current job, from properties whose request
   * CloudFormation gave up on: cleans up after what that request may have
   * started, while the grants it brought still stand (the rollback cleanup
   * removes them after this Update). The wait state to answer with, if any.
   */
  rolledBack?(abandoned: Spec, physicalId: string | undefined): Promise<WaitState | undefined>;
  /** Any other Update that takes no new job (a change of how to wait): the wait state to answer with, if any. */
  unchanged?(event: CdkCustomResourceEvent, spec: Spec): Promise<WaitState | undefined>;
}

/**
 * onEvent for a kind of job: Create starts one; Update starts one unless the
 * properties that define the job are those of the current one (a rollback to
 * them, or a change of how to wait only: another job would be wrong); Delete
 * cleans up.
 */
export async function onJobEvent<Spec, Attributes extends object>(event: CdkCustomResourceEvent, job: JobRequests<Spec, Attributes>): Promise<OnEventResponse<Attributes>> {
  const properties = event.ResourceProperties as RawProperties;
  switch (event.RequestType) {
    case 'Create':
      return job.start(event, properties, job.parse(properties));
    case 'Update': {
      const spec = job.parse(properties);
      const current = physicalIdOf(job.kind, event.PhysicalResourceId);
      if (current?.fingerprint === fingerprint(properties)) {
        log('info', 'the properties that define the job are unchanged; no new job', { physicalId: event.PhysicalResourceId });
        // Back to the current job from other properties: a rollback of a request that never answered.
        const abandoned = event.OldResourceProperties as RawProperties | undefined;
        const wait = abandoned && fingerprint(abandoned) !== current.fingerprint
          ? await rolledBack(job, abandoned, event.PhysicalResourceId)
          : await job.unchanged?.(event, spec);
        return { PhysicalResourceId: event.PhysicalResourceId, Wait: wait ?? { mode: 'unchanged' } };
      }
      return job.start(event, properties, spec);
    }
    case 'Delete': {
      let spec: Spec | undefined;
      try {
        spec = job.parse(properties);
      } catch (error) {
        log('warn', 'cannot read the properties; leaving what the job made as it is', { error: describeError(error) });
      }
      return job.remove(event.PhysicalResourceId, spec);
    }
    default:
      throw new Error(`Unknown RequestType ${(event as { RequestType?: string }).RequestType}`);
  }
}

async function rolledBack<Spec, Attributes extends object>(job: JobRequests<Spec, Attributes>, abandoned: RawProperties, physicalId: string | undefined): Promise<WaitState | undefined> {
  if (!job.rolledBack) return undefined;
  let spec: Spec;
  try {
    spec = job.parse(abandoned);
  } catch {
    return undefined;
  }
  return job.rolledBack(spec, physicalId);
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
  const { jobId, allowPartial } = parseJobResultProperties(event.ResourceProperties as RawProperties);
  return { PhysicalResourceId: `job-result/${jobId}`, Data: await describe(jobId, allowPartial), Wait: { mode: 'handed-off' } };
}

/** A kind of job as the handler bundle dispatches to it (its registration in index.ts). */
export interface JobKind {
  /** The job resource's type. */
  readonly resourceType: string;
  onEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse<any>>;
  isComplete(event: IsCompleteEvent<any>): Promise<IsCompleteResponse<any>>;
  /** A kind that waits hours (the long-wait path): its result resource's type and onEvent. */
  readonly result?: {
    readonly resourceType: string;
    onEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse<any>>;
  };
}
