/**
 * A job's life, for every kind (the kind says only what differs: job-kind.ts).
 *
 * onEvent: a Create starts the job; an Update starts one unless the properties
 * that define the job are the current job's (a rollback to them cleans up
 * after what the abandoned request started; a change of how to wait only may
 * re-arm the long-wait poller); a Delete cleans up. Nothing starts once
 * CloudFormation stopped waiting for the request. On the long-wait path the
 * job's poller is started too and CloudFormation answered at once.
 *
 * isComplete: job-wait.ts. The long wait's result resource: here.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { fingerprint, parseJobResultProperties, RawProperties, WaitSpec } from '../../lib/core/properties';
import { cleanUpDeadline, deadlineAfter } from '../../lib/core/timing';
import { describeError, isNotFound, isTransientError, naming } from '../shared/errors';
import { log } from '../shared/log';
import { describeStackResource, keptByNewTemplate, stackStatusOf, stillAwaited, watchAwaitedRequest } from './cloudformation';
import { cleanUpWithinBudget } from './invocation';
import { cleanUpJob, cleanUpJobs, jobsOfAbandonedRequest } from './job-clean-up';
import { AnyJobKind, attributesOf, canStop, currentJobOf, describeAction, endedAsAccepted, JobKind, JobRef, needsCleanUp, OwnerRequest, prefixOf, StartedJob } from './job-kind';
import { currentAttributes, isJobComplete } from './job-wait';
import { formatPhysicalId, physicalIdOf } from './physical-id';
import { isResultComplete, judgingWait } from './result-judgement';
import { beforeLongWaitDelete } from './long-wait-delete';
import { needsRearm, refuseReusedHandle, startPoller, stopPoller } from './poller';
import { isRollingBack } from './stack-statuses';
import type { OnEventResponse, ServedResource, WaitState } from './requests';

/** The resource types a kind serves: its job resource, and its long wait's result resource. */
export function served(kind: AnyJobKind): ServedResource[] {
  return [
    { resourceType: kind.contract.resourceType, onEvent: (event) => onJobEvent(kind, event), isComplete: (event) => isJobComplete(kind, event) },
    // A result resource is answered by onEvent at once.
    {
      resourceType: kind.contract.result.resourceType,
      onEvent: (event) => onResultEvent(kind, event),
      isComplete: (event) => isResultComplete(kind, event, (properties) => {
        const result = parseJobResultProperties(properties);
        return { jobId: result.jobId, spec: result.job && readable(kind, result.job) };
      }),
    },
  ];
}

async function onJobEvent<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  const properties = event.ResourceProperties as RawProperties;
  switch (event.RequestType) {
    case 'Create':
      return start(kind, event, properties, kind.parse(properties));
    case 'Update': {
      const spec = kind.parse(properties);
      const current = physicalIdOf(prefixOf(kind), event.PhysicalResourceId);
      if (current?.fingerprint !== fingerprint(properties)) return start(kind, event, properties, spec);
      log('info', 'the properties that define the job are unchanged; no new job', { physicalId: event.PhysicalResourceId });
      // Back to the current job from other properties: a rollback of a request that never answered.
      const abandoned = event.OldResourceProperties as RawProperties | undefined;
      if (abandoned && fingerprint(abandoned) !== current.fingerprint) {
        return { PhysicalResourceId: event.PhysicalResourceId, Wait: await rolledBack(kind, event, spec, abandoned, current.jobId) ?? { mode: 'unchanged' } };
      }
      if (turnsWaitOn(kind, event, spec)) return awaitCurrent(kind, event, properties, spec, current.jobId);
      return { PhysicalResourceId: event.PhysicalResourceId, Wait: await rearm(kind, event, spec, current.jobId, event.PhysicalResourceId) ?? { mode: 'unchanged' } };
    }
    case 'Delete':
      // Properties that cannot be read leave what the job made as it is.
      return remove(kind, event, await followingNewTemplate(event, readable(kind, properties)));
    default:
      throw new Error(`Unknown RequestType ${(event as { RequestType?: string }).RequestType}`);
  }
}

/** Starts the request's job while CloudFormation waits for it; the physical id names the job from the start. */
async function start<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, event: CdkCustomResourceEvent, properties: RawProperties, spec: Spec): Promise<OnEventResponse> {
  const noun = kind.contract.kind;
  const deadline = deadlineAfter(spec.timeoutSeconds);
  refuseReusedHandle(event, spec.longWait, noun);
  const watch = await watchAwaitedRequest(event, noun);
  const started = await kind.start(event, spec);
  const heldBy = started.heldBy ?? [];
  log('info', 'job started', { kind: noun, jobId: started.jobId, made: started.made, ...(heldBy.length ? { queuedBehind: heldBy } : {}) });
  const physicalId = formatPhysicalId({ prefix: prefixOf(kind), jobId: started.jobId, fingerprint: fingerprint(properties), tail: started.made ?? '' });
  if (!spec.longWait) return { PhysicalResourceId: physicalId, Wait: { mode: 'started', deadline, watch, ...(heldBy.length ? { heldBy: [...heldBy] } : {}) } };

  await startPollerOrCleanUp(kind, event, spec, started, physicalId);
  // No waiter comes back to this request: CloudFormation is asked once more, now that the job and its
  // poller run. Had it stopped waiting meanwhile (a cancel, a sibling's failure), they are cleaned up
  // here; if it stops later, its rollback finds the job (it exists by then) and cleans up.
  const awaited = await stillAwaited({ ...event, ResourceProperties: properties }, watch, prefixOf(kind));
  if (awaited.state === 'moved-on') {
    const stoppable = canStop(kind, spec);
    await cleanUpWithinBudget(async () => {
      await stopPoller(spec.longWait!, started.jobId);
      if (stoppable) await cleanUpJob(kind, spec, { jobId: started.jobId, made: started.made }, true);
    });
    const what = stoppable ? `${noun} job ${started.jobId} and its poller were cleaned up` : `the poller of ${noun} job ${started.jobId} was stopped (AWS Backup cannot stop the ${noun})`;
    throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); ${what}`);
  }
  // Answered at once: the job's WaitCondition gates what depends on it.
  return { PhysicalResourceId: physicalId, Data: attributesOf(kind, started.known), Wait: { mode: 'handed-off' } };
}

/**
 * Starts the job's poller; when it cannot, the job is cleaned up where AWS
 * Backup can stop it (nothing would wait for it) and the request fails.
 */
async function startPollerOrCleanUp<Spec extends WaitSpec, Job>(
  kind: JobKind<Spec, Job, any>, event: CdkCustomResourceEvent, spec: Spec, started: StartedJob, physicalId: string,
): Promise<void> {
  const noun = kind.contract.kind;
  try {
    await startPoller(kind, spec, event, { jobId: started.jobId, physicalId, attempts: kind.attempts?.pollerState(event, spec, started.jobId, started.heldBy ?? []) });
  } catch (error) {
    const stoppable = canStop(kind, spec);
    if (stoppable) await cleanUpWithinBudget(async () => { await cleanUpJob(kind, spec, { jobId: started.jobId, made: started.made }); });
    throw new Error(`Could not start the long-wait poller for ${noun} job ${started.jobId}: ${describeError(error)}; ${stoppable ? 'the job was cleaned up' : `AWS Backup cannot stop the ${noun}, which goes on`}`);
  }
}

/** Whether an Update turns waitForCompletion on for a job the custom resource waits for itself (the short path). */
function turnsWaitOn<Spec extends WaitSpec>(kind: JobKind<Spec, any, any>, event: CdkCustomResourceEvent & { RequestType: 'Update' }, spec: Spec): boolean {
  const old = readable(kind, event.OldResourceProperties as RawProperties);
  return spec.waitForCompletion && !spec.longWait && old !== undefined && !old.waitForCompletion;
}

/**
 * An Update that turns waitForCompletion on for the job a request that did
 * not wait started (same properties otherwise): what depends on the job goes
 * on only once it completed. A job that still runs is waited for (adopted: the
 * wait never stops it, nor deletes what it made, as it predates the request);
 * one that completed is kept; one that ended otherwise, or that AWS Backup no
 * longer knows, is replaced by a new job (but never in a rollback, which goes
 * back to what was deployed).
 */
async function awaitCurrent<Spec extends WaitSpec, Job>(
  kind: JobKind<Spec, Job, any>, event: CdkCustomResourceEvent & { RequestType: 'Update' }, properties: RawProperties, spec: Spec, jobId: string,
): Promise<OnEventResponse> {
  const noun = kind.contract.kind;
  const unchanged: OnEventResponse = { PhysicalResourceId: event.PhysicalResourceId, Wait: { mode: 'unchanged' } };
  let job: Job | undefined;
  try {
    job = await currentJobOf(kind, jobId);
  } catch (error) {
    if (!isNotFound(error)) throw new Error(`${describeAction(kind)} of ${jobId} failed: ${describeError(error)}`);
  }
  const outcome = job === undefined ? 'gone' : kind.reader.outcomeOf(job);
  log('info', 'waitForCompletion turned on: the current job', { kind: noun, jobId, outcome });
  if (job !== undefined && endedAsAccepted(kind, job, spec.allowPartial)) return unchanged;
  if (outcome === 'running' || outcome === 'unknown') {
    const watch = await watchAwaitedRequest(event, noun);
    return { PhysicalResourceId: event.PhysicalResourceId, Wait: { mode: 'started', deadline: deadlineAfter(spec.timeoutSeconds), watch, adopted: true } };
  }
  if (isRollingBack(await stackStatusOf(event.StackId))) {
    log('warn', 'the stack rolls back: no new job, whatever became of the current one', { kind: noun, jobId, outcome });
    return unchanged;
  }
  log('info', `the current job ${outcome === 'gone' ? 'is no longer known to AWS Backup' : `ended ${kind.reader.stateOf(job!)}`}: a new one is started`, { kind: noun, jobId });
  return start(kind, event, properties, spec);
}

/**
 * An Update that takes no new job but comes with a new WaitConditionHandle (a
 * new timeout, or the switch to the long-wait path): the current job's poller
 * is started for it, and signals at its first poll when the job ended. The
 * current job is kept whatever happens.
 */
async function rearm<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, event: CdkCustomResourceEvent, spec: Spec, jobId: string, physicalId: string): Promise<WaitState | undefined> {
  if (!needsRearm(event, spec.longWait)) return undefined;
  // On a busy resource, the poller follows the request's last attempt (the one that completed).
  const current = kind.attempts ? await kind.attempts.current(jobId).then((job) => kind.reader.idOf(job), () => jobId) : jobId;
  try {
    await startPoller(kind, spec, event, { jobId, currentJobId: current, physicalId, attempts: kind.attempts?.pollerState(event, spec, jobId, []) });
  } catch (error) {
    throw new Error(`Could not start the long-wait poller for ${kind.contract.kind} job ${current}: ${describeError(error)}; the job is kept`);
  }
  return { mode: 'unchanged' };
}

/**
 * A rollback's Update back to the current job, from properties whose request
 * CloudFormation gave up on: that request's job is cleaned up (stopped where
 * AWS Backup can; under DESTROY what it made deleted, once it ended for a job
 * AWS Backup cannot stop) while the grants it brought still stand; no Delete
 * will ever name it. The jobs to wait for are waited for (within the timeout).
 */
async function rolledBack<Spec extends WaitSpec, Job>(
  kind: JobKind<Spec, Job, any>, request: OwnerRequest, spec: Spec, abandonedProperties: RawProperties, currentJobId: string,
): Promise<WaitState | undefined> {
  const abandoned = readable(kind, abandonedProperties);
  if (!abandoned || !needsCleanUp(kind, abandoned)) return undefined;
  // A job AWS Backup can stop and that ended is left to the abandoned request's own waiter (it polls on, and
  // finds that CloudFormation moved on): one that just ended may be an earlier request's of the same
  // description. A job it cannot stop is taken when it just ended too: its poller signals its end and stops.
  const left = await cleanUpJobs(kind, abandoned,
    () => jobsOfAbandonedRequest(kind, abandoned, { except: currentJobId, endedToo: !canStop(kind, abandoned), request }),
    async (ref) => { if (abandoned.longWait) await stopPoller(abandoned.longWait, ref.jobId); });
  // The rollback's request has the ServiceTimeout of the properties it goes back to (the abandoned
  // request's own, by other accounts): the wait ends within the shorter of the two.
  const deadline = cleanUpDeadline(Math.min(spec.timeoutSeconds, abandoned.timeoutSeconds));
  return left.length > 0 ? { mode: 'unchanged', deadline, blockingJobIds: left } : undefined;
}

/**
 * The Delete of a job resource. RETAIN keeps what the job made (a job that was
 * waited for and still runs is stopped); DESTROY deletes it, waiting (by
 * isComplete, within the timeout) for a job AWS Backup cannot stop. A physical
 * id this handler never returned (one CloudFormation made up for a Create it
 * stopped waiting for): that Create's job is found by its description. A
 * Delete never fails because of the job.
 */
async function remove<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, event: CdkCustomResourceEvent & { RequestType: 'Delete' }, spec: Spec | undefined): Promise<OnEventResponse> {
  const physicalId = event.PhysicalResourceId;
  const answer = (wait: WaitState): OnEventResponse => ({ PhysicalResourceId: physicalId, Wait: wait });
  if (!spec) return answer({ mode: 'deleted' });
  const id = physicalIdOf(prefixOf(kind), physicalId);
  if (!needsCleanUp(kind, spec)) {
    // Nothing polls for a job CloudFormation no longer waits for.
    if (id && spec.longWait) await stopPoller(spec.longWait, id.jobId);
    log('info', 'removal policy RETAIN: what the job made is kept', { physicalId });
    return answer({ mode: 'deleted' });
  }
  // The job's poller may keep what it made (a lost signal), or clean up at its end (long-wait-delete.ts).
  if (id && spec.longWait && await beforeLongWaitDelete(kind, spec, id.jobId, event.StackId) !== 'clean-up') return answer({ mode: 'deleted' });
  const left = await cleanUpJobs(kind, spec,
    async () => (id ? requestJobs(kind, { jobId: id.jobId, made: id.tail || undefined }, spec) : jobsOfAbandonedRequest(kind, spec, { endedToo: true, request: event })),
    async (ref) => { if (!id && spec.longWait) await stopPoller(spec.longWait, ref.jobId); });
  return answer(left.length === 0 ? { mode: 'deleted' } : { mode: 'deleting', deadline: cleanUpDeadline(spec.timeoutSeconds), blockingJobIds: left });
}

/**
 * A Delete's properties, but RETAIN where an update that replaced the job
 * turned DESTROY off: in the cleanup phase the Delete carries the replaced
 * job's properties, and the new template's choice (keep) is followed, as
 * CloudFormation follows the new template's UpdateReplacePolicy. A long wait's
 * result resource follows its job resource's (`jobLogicalId`).
 */
async function followingNewTemplate<Spec extends WaitSpec>(
  event: CdkCustomResourceEvent & { RequestType: 'Delete' }, spec: Spec | undefined, jobLogicalId = event.LogicalResourceId,
): Promise<Spec | undefined> {
  if (!spec?.destroyOnDelete || !(await keptByNewTemplate(event.StackId, jobLogicalId))) return spec;
  log('info', 'the update that replaced this job keeps what it made (its removal policy is no longer DESTROY)', { physicalId: event.PhysicalResourceId });
  return { ...spec, destroyOnDelete: false };
}

/** The jobs a request took: its first, and the later attempts of a kind that takes its job in attempts. */
function requestJobs<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, first: JobRef<Job>, spec: Spec): Promise<JobRef<Job>[]> | JobRef<Job>[] {
  return kind.attempts ? kind.attempts.all(first, spec) : [first];
}

/**
 * onEvent of a long wait's result resource (made once the job's WaitCondition
 * completed). Create, and an Update for another job, describe the job (a
 * request's last attempt) and answer with its attributes at once, and with a
 * physical id that names the job and what it made; a job that is not
 * COMPLETED (or PARTIAL with allowPartial) fails the request. An Update for the
 * same job (a change of how it is kept) answers as the job stands. Delete
 * cleans up after the job under DESTROY: what it made is deleted even once AWS
 * Backup no longer describes the job, as the physical id names it.
 */
async function onResultEvent<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') {
    // A physical id this handler never returned: the result's Create never succeeded, and named no job.
    const made = resultIdOf(event.PhysicalResourceId);
    const result = made && readableResult(event.ResourceProperties);
    const spec = await followingNewTemplate(event, result && result.job ? readable(kind, result.job) : undefined, result ? result.jobLogicalId : undefined);
    if (made && result && spec?.destroyOnDelete && !(await jobStaysInStack(kind, event, result))) await cleanUpJobs(kind, spec, async () => [made]);
    return { PhysicalResourceId: event.PhysicalResourceId, Wait: { mode: 'deleted' } };
  }
  const result = parseJobResultProperties(event.ResourceProperties as RawProperties);
  const spec = result.job && readable(kind, result.job);
  const noun = kind.contract.kind;
  if (event.RequestType === 'Update' && readableResult(event.OldResourceProperties)?.jobId === result.jobId && spec) {
    const made = resultIdOf(event.PhysicalResourceId);
    return { PhysicalResourceId: event.PhysicalResourceId, Data: await currentAttributes(kind, result.jobId, made?.made ?? '', spec), Wait: { mode: 'handed-off' } };
  }
  const job = await naming(describeAction(kind), () => currentJobOf(kind, result.jobId));
  if (!endedAsAccepted(kind, job, result.allowPartial)) {
    throw new Error(`${noun[0].toUpperCase()}${noun.slice(1)} job ${kind.reader.idOf(job)} is ${kind.reader.stateOf(job)}, not COMPLETED${statusMessageOf(job)}`);
  }
  const physicalId = `${RESULT_PREFIX}/${kind.reader.idOf(job)}/${kind.reader.madeBy(job) ?? ''}`;
  // A kind that judges the completed job (a restore's validation) answers once the judgement passed (isComplete).
  if (kind.judge && spec?.waitForCompletion) return { PhysicalResourceId: physicalId, Wait: judgingWait() };
  return { PhysicalResourceId: physicalId, Data: attributesOf(kind, job), Wait: { mode: 'handed-off' } };
}

/**
 * Whether the job a result resource's Delete names stays in the stack: an
 * update moved the job off the long path (a shorter timeout, the wait turned
 * off), or rolled back one that moved it on, and the job resource still names
 * the job; what the job made is then its. Not in a stack's deletion, nor in a
 * rollback of its creation. When CloudFormation cannot tell now: it stays (the
 * job resource's own Delete cleans up after it, if it comes).
 */
async function jobStaysInStack(kind: AnyJobKind, event: CdkCustomResourceEvent, result: { jobId: string; jobLogicalId?: string }): Promise<boolean> {
  if (!result.jobLogicalId) return false;
  const status = await stackStatusOf(event.StackId);
  if (status === 'DELETE_IN_PROGRESS' || status === 'ROLLBACK_IN_PROGRESS') return false;
  let physicalId: string | undefined;
  try {
    physicalId = (await describeStackResource({ StackId: event.StackId, LogicalResourceId: result.jobLogicalId }))?.PhysicalResourceId;
  } catch (error) {
    // Gone from the stack: it does not stay. No answer now: it stays (the safe answer).
    return isTransientError(error);
  }
  const stays = physicalIdOf(prefixOf(kind), physicalId)?.jobId === result.jobId;
  if (stays) log('info', 'the job resource still names this job: what it made stays', { jobId: result.jobId, jobLogicalId: result.jobLogicalId });
  return stays;
}

/** The physical id prefix of a long wait's result resource. */
const RESULT_PREFIX = 'job-result';

/** The job a result resource's physical id names, and what it made (when it names it). */
function resultIdOf(physicalId: string | undefined): JobRef<never> | undefined {
  const m = physicalId === undefined ? null : new RegExp(`^${RESULT_PREFIX}/([^/]+)/(.+)$`).exec(physicalId);
  return m ? { jobId: m[1], made: m[2] } : undefined;
}

function readableResult(properties: unknown): ReturnType<typeof parseJobResultProperties> | undefined {
  try {
    return parseJobResultProperties(properties as RawProperties);
  } catch {
    return undefined;
  }
}

/** A kind's properties, or undefined (logged) when they cannot be read. */
function readable<Spec extends WaitSpec>(kind: JobKind<Spec, any, any>, properties: RawProperties): Spec | undefined {
  try {
    return kind.parse(properties);
  } catch (error) {
    log('warn', 'cannot read the job\'s properties', { kind: kind.contract.kind, error: describeError(error) });
    return undefined;
  }
}

function statusMessageOf(job: unknown): string {
  const message = (job as { StatusMessage?: string }).StatusMessage;
  return message ? `: ${message}` : '';
}
