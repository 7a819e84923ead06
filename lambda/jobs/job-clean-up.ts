/**
 * A job's clean-up, for every kind: a job that was waited for and still runs
 * is stopped (where AWS Backup can stop it), and under the removal policy
 * DESTROY what it made is deleted, once it ended for a job AWS Backup cannot
 * stop. Only this resource's own jobs are ever touched (the kind's `owns`). A
 * clean-up logs, and never fails the request it serves.
 */
import type { WaitSpec } from '../../lib/core/properties';
import { cancelledCreateWindow } from '../../lib/core/timing';
import { describeError, isNotFound, isTransientError } from '../shared/errors';
import { log } from '../shared/log';
import { backupClient, cleanUpWithinBudget } from './invocation';
import { canStop, JobKind, JobRef, OwnerRequest } from './job-kind';

/** Whether the clean-up is done with a job, or must wait for it to end (DESTROY of a job AWS Backup cannot stop). */
export type CleanedUp = 'done' | 'still running';

/**
 * Cleans up after one job of the resource. `stopRunning`: stop it if it still
 * runs (by default, when it was waited for or its removal policy is DESTROY:
 * a fire-and-forget job under RETAIN is left to finish).
 */
export async function cleanUpJob<Spec extends WaitSpec, Job>(
  kind: JobKind<Spec, Job, any>, spec: Spec, ref: JobRef<Job>, stopRunning = spec.waitForCompletion || spec.destroyOnDelete,
): Promise<CleanedUp> {
  const reader = kind.reader;
  const fields = { kind: kind.contract.kind, jobId: ref.jobId };
  let job = ref.job;
  if (!job) {
    try {
      job = await reader.describe(backupClient(), ref.jobId);
    } catch (error) {
      if (!isNotFound(error)) {
        // Without its description nothing proves what the job is now: nothing is stopped or deleted. Under
        // DESTROY a transient failure is tried again (the Delete waits, within its timeout).
        const again = spec.destroyOnDelete && isTransientError(error);
        log('warn', `could not describe the job; nothing is stopped or deleted without its description${again ? ' (tried again)' : ''}`, { ...fields, error: describeError(error) });
        return again ? 'still running' : 'done';
      }
      // Gone from AWS Backup's history (kept for a limited time): what the physical id names is what it made.
      log('info', 'AWS Backup no longer knows the job; what its physical id names is cleaned up', fields);
    }
  }
  if (job !== undefined && !kind.owns(job, spec)) {
    log('warn', 'the job is not this resource\'s (by its description); leaving it alone', fields);
    return 'done';
  }
  const outcome = job === undefined ? undefined : reader.outcomeOf(job);
  const running = outcome === 'running' || outcome === 'unknown';
  if (!stopRunning && !spec.destroyOnDelete) return 'done';
  if (ref.provenFor && kind.proven) {
    // Found by its description alone: nothing is done to it without the proof its start left on it.
    const proof = job === undefined ? 'cannot tell' : await kind.proven(job, ref.provenFor);
    if (proof === 'not yet' && running) {
      log('info', 'a job of this resource\'s description that cannot be proven this resource\'s yet (queued: its start\'s tags are not readable before it runs); waited for', fields);
      return 'still running';
    }
    if (proof !== 'ours') {
      log('warn', proof === 'not yet'
        ? 'the job ended without anything to prove it this resource\'s; nothing to stop or delete'
        : `not proven this resource's (${proof === 'not ours' ? 'its start did not tag it with this resource' : 'AWS Backup cannot read what its start put on it'}); left alone`, fields);
      return 'done';
    }
  }
  const stoppable = canStop(kind, spec);
  if (running && stopRunning && stoppable) await stopQuietly(kind, job!);
  if (!spec.destroyOnDelete) return 'done';
  if (running && !stoppable) {
    // What it makes is deleted once it ended (the Delete waits, within the timeout).
    log('info', `AWS Backup cannot stop this job (${kind.unstoppable(spec)}); its end is waited for`, fields);
    return 'still running';
  }
  const made = job === undefined ? ref.made : reader.madeBy(job) ?? (outcome === 'failed' ? undefined : ref.made);
  await destroyMade(kind, spec, ref.jobId, made, job);
  return 'done';
}

/** Stops a running job; one already being stopped is left as it is. Logs, never throws. */
async function stopQuietly<Job>(kind: JobKind<any, Job, any>, job: Job): Promise<void> {
  const fields = { kind: kind.contract.kind, jobId: kind.reader.idOf(job) };
  if (kind.reader.stateOf(job) === 'ABORTING') {
    log('info', 'the job is already being stopped', fields);
    return;
  }
  await kind.stop!(kind.reader.idOf(job)).then(
    () => log('info', 'stopped the running job', fields),
    (error) => log('warn', 'could not stop the job', { ...fields, error: describeError(error) }),
  );
}

/** Deletes what a job made (removal policy DESTROY). Logs, never throws. */
async function destroyMade<Spec extends WaitSpec, Job>(kind: JobKind<Spec, Job, any>, spec: Spec, jobId: string, made: string | undefined, job: Job | undefined): Promise<void> {
  const fields = { kind: kind.contract.kind, jobId, made };
  if (!made) {
    log('info', 'the job made nothing to delete', fields);
    return;
  }
  try {
    await kind.destroy(spec, made, job);
    log('info', 'deleted what the job made (removal policy DESTROY)', fields);
  } catch (error) {
    if (isNotFound(error)) log('info', 'what the job made is already gone', fields);
    else log('warn', 'could not delete what the job made; delete it by hand', { ...fields, error: describeError(error) });
  }
}

/**
 * The jobs of a request CloudFormation gave up on (a Create's Delete with a
 * physical id CloudFormation made up, or a rollback's Update back to the
 * current job): this resource's own by their description, created within the
 * request's timeout, and still running or (`endedToo`) just ended. A job that
 * ended earlier is another request's. Each is to be proven the resource's
 * before anything is done to it (`provenFor`).
 */
export async function jobsOfAbandonedRequest<Spec extends WaitSpec, Job>(
  kind: JobKind<Spec, Job, any>, spec: Spec, options: { except?: string; endedToo: boolean; request: OwnerRequest },
): Promise<JobRef<Job>[]> {
  const window = cancelledCreateWindow(spec.timeoutSeconds);
  const reader = kind.reader;
  const jobs = (await kind.listSince(spec, window.createdAfter)).filter((job) => {
    const running = ['running', 'unknown'].includes(reader.outcomeOf(job));
    return kind.owns(job, spec) && reader.idOf(job) !== options.except && (options.endedToo ? window.mayBeIt(running, reader.completedAt(job)) : running);
  });
  if (jobs.length === 0) log('info', 'no job of this resource was started by a request CloudFormation gave up on; nothing to clean up', { kind: kind.contract.kind });
  // Each is cleaned up only once proven this request's resource's (cleanUpJob).
  return jobs.map((job) => ({ jobId: reader.idOf(job), made: reader.madeBy(job), job, provenFor: options.request }));
}

/** Cleans up after each of these jobs, within the invocation's clean-up budget; the ids of those still to wait for. */
export async function cleanUpJobs<Spec extends WaitSpec, Job>(
  kind: JobKind<Spec, Job, any>, spec: Spec, jobs: () => Promise<readonly JobRef<Job>[]>, before?: (ref: JobRef<Job>) => Promise<void>,
): Promise<string[]> {
  const left: string[] = [];
  await cleanUpWithinBudget(async () => {
    for (const ref of await jobs()) {
      await before?.(ref);
      if (await cleanUpJob(kind, spec, ref) === 'still running') left.push(ref.jobId);
    }
  });
  return left;
}

/**
 * Whether a wait for jobs to end before they are cleaned up after is over:
 * each cleaned up after, or the deadline passed (what is left is logged).
 */
export async function cleanedUpAfter<Spec extends WaitSpec>(kind: JobKind<Spec, any, any>, spec: Spec, jobs: readonly JobRef<unknown>[], deadline: string): Promise<boolean> {
  const left = await cleanUpJobs(kind, spec, async () => jobs);
  if (left.length === 0) return true;
  if (Date.now() < Date.parse(deadline)) return false;
  for (const jobId of left) {
    const job = await kind.reader.describe(backupClient(), jobId).catch(() => undefined);
    log('warn', `the job still runs at the end of the timeout; ${kind.made} is left in place: delete it once the job ended`, {
      // Where AWS Backup names it already (a backup's recovery point).
      kind: kind.contract.kind, jobId, made: job === undefined ? undefined : kind.reader.madeBy(job),
    });
  }
  return true;
}
