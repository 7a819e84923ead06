/**
 * A job's wait on the short path (isComplete, at each poll of the framework's
 * waiter), for every kind: every state maps to one answer. Still running:
 * IsComplete false. Completed (or PARTIAL with allowPartial): the attributes.
 * Any other end, the timeout, or CloudFormation having moved on: thrown with
 * AWS Backup's message, after the clean-up (a job that runs is stopped where
 * AWS Backup can stop it; under DESTROY what it made is deleted, or the wait
 * goes on until the job ended when AWS Backup cannot stop it).
 */
import { formatSeconds } from '../../lib/core/messages';
import type { RawProperties, WaitSpec } from '../../lib/core/properties';
import { checksCloudFormation, NOT_VISIBLE_GRACE_SECONDS } from '../../lib/core/timing';
import { endMessage } from '../shared/aws-backup';
import { describeError, isNotFound, isTransientError } from '../shared/errors';
import { log } from '../shared/log';
import { Awaited, stillAwaited } from './cloudformation';
import { backupClient, cleanUpWithinBudget } from './invocation';
import { cleanedUpAfter, cleanUpJob } from './job-clean-up';
import { AnyJobKind, attributesOf, canStop, currentJobOf, describeAction, JobKind, PolledJob, prefixOf } from './job-kind';
import { formatPhysicalId, physicalIdOf } from './physical-id';
import type { IsCompleteEvent, IsCompleteResponse } from './requests';

/** isComplete of a kind's job resource. */
export async function isJobComplete(kind: AnyJobKind, event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const wait = event.Wait;
  // deleted: nothing to wait for; handed-off: the long-wait poller waits (onEvent's answer carries the attributes).
  if (wait?.mode === 'deleted' || wait?.mode === 'handed-off' || (!wait && event.RequestType === 'Delete')) return { IsComplete: true };
  if (!wait) throw new Error('isComplete: the event carries no wait state from onEvent');
  if (wait.mode === 'deleting') {
    const named = physicalIdOf(prefixOf(kind), event.PhysicalResourceId);
    // A physical id CloudFormation made up names nothing: the jobs were found by their description alone.
    const jobs = (wait.blockingJobIds ?? []).map((jobId) => ({ jobId, made: named?.jobId === jobId ? named.tail : undefined, provenFor: named ? undefined : event }));
    return { IsComplete: await cleanedUpAfter(kind, kind.parse(event.ResourceProperties as RawProperties), jobs, wait.deadline!) };
  }
  const id = physicalIdOf(prefixOf(kind), event.PhysicalResourceId);
  if (!id) throw new Error(`isComplete: physical resource id ${event.PhysicalResourceId} names no ${kind.contract.kind} job`);
  const spec = kind.parse(event.ResourceProperties as RawProperties);
  if (wait.mode === 'unchanged') {
    // A rollback waits for what its abandoned request started (DESTROY, or a job AWS Backup cannot stop).
    if (wait.blockingJobIds?.length) {
      const abandoned = kind.parse(event.OldResourceProperties as RawProperties);
      if (!(await cleanedUpAfter(kind, abandoned, wait.blockingJobIds.map((jobId) => ({ jobId, provenFor: event })), wait.deadline!))) return { IsComplete: false };
    }
    return { IsComplete: true, Data: await currentAttributes(kind, id.jobId, id.tail, spec) };
  }
  if (!wait.deadline) throw new Error('isComplete: the wait state from onEvent carries no deadline');
  const adopted = wait.adopted === true;
  return waitForJob(kind, {
    event,
    spec,
    firstJobId: id.jobId,
    // The physical id names the job that completed (on a busy resource, not always the first) and what it made;
    // an Update's for the job it already names stays (another would make CloudFormation delete the old one's).
    physicalIdOf: (jobId, made) => (adopted && jobId === id.jobId ? undefined : formatPhysicalId({ ...id, jobId, tail: made ?? '' })),
    adopted,
    timeoutAdvice: adopted ? 'Raise timeout, or deploy again once the job ended' : undefined,
  });
}

/** A request's job, as the wait follows it (a job resource's, or a removal guard's backup). */
export interface JobWait<Spec> {
  readonly event: IsCompleteEvent;
  readonly spec: Spec;
  /** The request's first job (a busy resource may make it take more). */
  readonly firstJobId: string;
  /** The physical id to answer with once the job completed; undefined keeps the request's. */
  physicalIdOf(jobId: string, made: string | undefined): string | undefined;
  /** What the timeout's message tells the user to do. @default Raise timeout, or set waitForCompletion to false */
  readonly timeoutAdvice?: string;
  /**
   * At the timeout, leave the job running rather than stop it (a guard's backup
   * before a deletion: the deletion tried again waits for the same job).
   */
  readonly leaveRunningAtTimeout?: boolean;
  /**
   * The job predates the request (an Update turned waitForCompletion on): the
   * wait never stops it nor deletes what it made, whatever its end.
   */
  readonly adopted?: boolean;
}

/** One poll of a request's job: IsComplete false while it runs; the attributes once it completed; thrown at any other end. */
export async function waitForJob<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, wait: JobWait<Spec>): Promise<IsCompleteResponse> {
  const { event, spec, firstJobId } = wait;
  const noun = kind.contract.kind;
  const timedOut = Date.now() >= Date.parse(event.Wait!.deadline!);
  let polled: PolledJob<Job>;
  try {
    polled = kind.attempts
      ? await kind.attempts.poll({ event, spec, firstJobId, wait: event.Wait!, timedOut, stillWanted: async () => wanted(await stillAwaited(event, event.Wait?.watch, prefixOf(kind))) })
      : { kind: 'current', job: await kind.reader.describe(backupClient(), firstJobId) };
  } catch (error) {
    const operation = describeAction(kind);
    // Just after its start, AWS Backup may not know the job yet: not found then means not visible yet.
    const startedAt = Date.parse(event.Wait!.deadline!) - spec.timeoutSeconds * 1000;
    if (isNotFound(error) && Date.now() < startedAt + NOT_VISIBLE_GRACE_SECONDS * 1000) {
      log('warn', `${operation} does not find the job yet (just started); asking again at the next poll`, { kind: noun, jobId: firstJobId });
      return { IsComplete: false };
    }
    if (!isTransientError(error)) throw new Error(`${operation} of ${firstJobId} failed: ${describeError(error)}`);
    log('warn', `${operation} failed; trying again at the next poll`, { kind: noun, jobId: firstJobId, error: describeError(error) });
    if (timedOut) throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for ${noun} job ${firstJobId}; the last attempt failed with ${describeError(error)}`);
    return { IsComplete: false };
  }
  const poll = new Poll(kind, wait, polled.job);
  if (polled.kind === 'not-wanted') {
    await poll.cleanUp(true);
    throw new NotAwaited(`CloudFormation no longer waits for this request; ${noun} job ${poll.jobId} was cleaned up and no new attempt was started`);
  }
  const outcome = kind.reader.outcomeOf(polled.job);
  const ended = outcome !== 'running' && outcome !== 'unknown';
  if (!ended && checksCloudFormation(Date.now())) await poll.endIfMovedOn();
  if (polled.kind === 'between-attempts') {
    if (!spec.waitForCompletion) return poll.fail(kind.reader.failureMessage(polled.job));
    if (timedOut) return poll.fail(polled.timeoutMessage);
    return { IsComplete: false };
  }
  log('info', 'job state', { kind: noun, jobId: poll.jobId, state: kind.reader.stateOf(polled.job), percentDone: kind.reader.percentDone(polled.job), outcome, ...(polled.detail ? { detail: polled.detail } : {}) });
  switch (outcome) {
    case 'completed':
      return judged(kind, spec, polled.job, poll, timedOut);
    case 'partial':
      if (spec.allowPartial) {
        log('warn', 'the job ended PARTIAL; accepted because allowPartial is set', { kind: noun, jobId: poll.jobId });
        return judged(kind, spec, polled.job, poll, timedOut);
      }
      return poll.fail(endMessage(kind.reader, polled.job, `set allowPartial to accept a partial ${noun}`));
    case 'failed':
      return poll.fail(kind.reader.failureMessage(polled.job));
    case 'running':
    case 'unknown':
      if (outcome === 'unknown') log('warn', 'the job is in a state this handler does not know; waiting on', { kind: noun, jobId: poll.jobId, state: kind.reader.stateOf(polled.job) });
      if (!spec.waitForCompletion) return poll.done();
      if (timedOut) return poll.timeOut(polled.detail);
      return { IsComplete: false };
  }
}

/** A wait that ended because CloudFormation no longer waits for its request: nobody reads its answer. */
export class NotAwaited extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAwaited';
  }
}

/** A job that completed, as its kind judges it (a restore's validation) before the deploy goes on. */
async function judged<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, spec: Spec, job: Job, poll: Poll<Spec, Job>, timedOut: boolean): Promise<IsCompleteResponse> {
  if (!kind.judge || !spec.waitForCompletion) return poll.done();
  const judgement = await kind.judge(job, spec);
  if (judgement.verdict === 'accepted') return poll.done();
  if (judgement.verdict === 'rejected') return poll.fail(judgement.reason);
  if (timedOut) return poll.fail(`Timed out after ${formatSeconds(spec.timeoutSeconds)}: ${kind.contract.kind} job ${poll.jobId} COMPLETED, but ${judgement.why}. Raise timeout`);
  log('info', `the job completed; ${judgement.why}: asking again at the next poll`, { kind: kind.contract.kind, jobId: poll.jobId });
  return { IsComplete: false };
}

/** A wait that timed out and left its job running (JobWait.leaveRunningAtTimeout). */
export class JobLeftRunning extends Error {
  constructor(message: string, public readonly jobId: string) {
    super(message);
    this.name = 'JobLeftRunning';
  }
}

/** The request's job at this poll, and the answers it can end with. */
class Poll<Spec extends WaitSpec, Job> {
  public readonly jobId: string;

  constructor(private readonly kind: JobKind<Spec, Job, any>, private readonly wait: JobWait<Spec>, private readonly job: Job) {
    this.jobId = kind.reader.idOf(job);
  }

  /** Done: the attributes, and the physical id that names the job and what it made. */
  public async done(): Promise<IsCompleteResponse> {
    // A job that ended after CloudFormation stopped waiting for it (between two checks) is cleaned up, not reported.
    if (this.wait.spec.waitForCompletion) await this.endIfMovedOn();
    const physicalId = this.wait.physicalIdOf(this.jobId, this.kind.reader.madeBy(this.job));
    return {
      IsComplete: true,
      Data: attributesOf(this.kind, this.job),
      ...(physicalId !== undefined && physicalId !== this.wait.event.PhysicalResourceId ? { PhysicalResourceId: physicalId } : {}),
    };
  }

  /**
   * Failed: CloudFormation stops waiting with this answer. A job that still
   * runs is stopped now (nothing may run on behind a failed deploy) and, under
   * DESTROY, what it made is deleted: a failed Update's rollback never names
   * this job again.
   */
  public async fail(message: string): Promise<never> {
    await this.cleanUp(false);
    throw new Error(message);
  }

  /**
   * When CloudFormation stopped waiting for this request (a sibling failed, the
   * stack was cancelled or rolled back) and the resource shows no answer of
   * this request's own: the job is cleaned up and the wait ends; but a job
   * AWS Backup cannot stop, under DESTROY, is waited for until it ended, so
   * that what it made is deleted.
   */
  public async endIfMovedOn(): Promise<void> {
    const awaited = await stillAwaited(this.wait.event, this.wait.event.Wait?.watch, prefixOf(this.kind));
    if (awaited.state !== 'moved-on') return;
    const { kind, wait: { spec } } = this;
    const noun = kind.contract.kind;
    // Another delivery of this request answered with this job, and a later request came since: it is that one's now.
    const named = physicalIdOf(prefixOf(kind), awaited.physicalId)?.jobId;
    if (named !== undefined && (named === this.jobId || named === this.wait.firstJobId)) {
      throw new NotAwaited(`CloudFormation no longer waits for this request (the resource is ${awaited.status}), but the resource names ${noun} job ${named}: another delivery of the request answered with it, and it is left as it is`);
    }
    const ended = !['running', 'unknown'].includes(kind.reader.outcomeOf(this.job));
    const stoppable = canStop(kind, spec);
    if (!ended && !stoppable && spec.destroyOnDelete && !this.wait.adopted) return;
    log('warn', 'CloudFormation no longer waits for this request; cleaning up after its job', { kind: noun, jobId: this.jobId, resourceStatus: awaited.status });
    await this.cleanUp(true);
    const what = this.wait.adopted ? `${ended ? 'ended' : 'goes on'}, and is kept (a request that did not wait started it)`
      : ended ? `ended${spec.destroyOnDelete ? ` and ${kind.made} was deleted` : ''}`
        : stoppable ? 'was cleaned up'
          : `goes on (AWS Backup cannot stop a ${noun}) and is kept (RETAIN)`;
    throw new NotAwaited(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); ${noun} job ${this.jobId} ${what}`);
  }

  /** Timed out while the job runs: it is stopped (where AWS Backup can), or left running when the wait says so. */
  public async timeOut(detail: string | undefined): Promise<never> {
    if (!this.wait.leaveRunningAtTimeout && !this.wait.adopted) return this.fail(this.timeoutMessage(detail));
    log('warn', 'timed out; the job is left running', { kind: this.kind.contract.kind, jobId: this.jobId });
    throw new JobLeftRunning(this.timeoutMessage(detail), this.jobId);
  }

  /** The timeout's message: what the job was doing, and what became of it. */
  private timeoutMessage(detail: string | undefined): string {
    const { kind, wait: { spec } } = this;
    const percent = kind.reader.percentDone(this.job);
    const progress = percent ? `, ${percent.toFixed(1)}% done` : '';
    const after = this.wait.leaveRunningAtTimeout || this.wait.adopted ? 'it goes on (not stopped)' : canStop(kind, spec) ? 'it was stopped' : kind.unstoppable(spec);
    return `Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for ${kind.contract.kind} job ${this.jobId}${kind.subject?.(this.job) ?? ''} `
      + `(still ${kind.reader.stateOf(this.job)}${progress}${detail ?? ''}); ${after}. ${this.wait.timeoutAdvice ?? 'Raise timeout, or set waitForCompletion to false'}`;
  }

  /** Cleans up after the job (`stop`: even one not waited for). Logs, never throws. */
  public async cleanUp(stop: boolean): Promise<void> {
    const { spec } = this.wait;
    if (this.wait.adopted) {
      log('info', 'the job predates this request: it is kept as it is', { kind: this.kind.contract.kind, jobId: this.jobId });
      return;
    }
    await cleanUpWithinBudget(async () => {
      await cleanUpJob(this.kind, spec, { jobId: this.jobId, job: this.job }, stop || spec.waitForCompletion || spec.destroyOnDelete);
    });
  }
}

/** The attributes of the current job (a request's last attempt), from AWS if it still knows the job, else from the physical id. */
export async function currentAttributes<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, jobId: string, made: string, spec: Spec): Promise<object> {
  try {
    return attributesOf(kind, await currentJobOf(kind, jobId));
  } catch (error) {
    log('warn', 'could not describe the current job; answering from the physical id', { kind: kind.contract.kind, jobId, error: describeError(error) });
    return attributesOf(kind, kind.known(jobId, made, spec));
  }
}

function wanted(awaited: Awaited): 'yes' | 'no' | 'unknown' {
  return awaited.state === 'still-waiting' ? 'yes' : awaited.state === 'moved-on' ? 'no' : 'unknown';
}
