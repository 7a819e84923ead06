/**
 * A long wait's result resource, for a kind that judges a completed job (a
 * restore's validation): once the WaitCondition completed, the result's
 * Create answers at once with the `judging` wait, and its isComplete asks the
 * kind's `judge` at every poll, within the result resource's own timeout, as
 * the short path's wait does (job-wait.ts).
 */
import type { RawProperties, WaitSpec } from '../../lib/core/properties';
import { deadlineAfter, SHORT_PATH_MAX_SECONDS } from '../../lib/core/timing';
import { formatSeconds } from '../../lib/core/messages';
import { log } from '../shared/log';
import { attributesOf, currentJobOf, JobKind } from './job-kind';
import type { IsCompleteEvent, IsCompleteResponse, WaitState } from './requests';

/** The wait a result resource answers with when its kind judges the job: the judgement's deadline, within the resource's timeout. */
export function judgingWait(): WaitState {
  return { mode: 'judging', deadline: deadlineAfter(SHORT_PATH_MAX_SECONDS) };
}

/** isComplete of a long wait's result resource: complete at once, but while its job is being judged. */
export async function isResultComplete<Spec extends WaitSpec, Job>(
  kind: JobKind<Spec, Job, any>, event: IsCompleteEvent, readable: (properties: RawProperties) => { jobId: string; spec?: Spec },
): Promise<IsCompleteResponse> {
  if (event.Wait?.mode !== 'judging' || !kind.judge) return { IsComplete: true };
  const { jobId, spec } = readable(event.ResourceProperties as RawProperties);
  if (!spec) return { IsComplete: true };
  const job = await currentJobOf(kind, jobId);
  const judgement = await kind.judge(job, spec);
  if (judgement.verdict === 'accepted') return { IsComplete: true, Data: attributesOf(kind, job) as Record<string, string> };
  if (judgement.verdict === 'rejected') throw new Error(judgement.reason);
  if (Date.now() >= Date.parse(event.Wait.deadline!)) {
    throw new Error(`Timed out after ${formatSeconds(SHORT_PATH_MAX_SECONDS)}: ${kind.contract.kind} job ${kind.reader.idOf(job)} COMPLETED, but ${judgement.why}`);
  }
  log('info', `the job completed; ${judgement.why}: asking again at the next poll`, { kind: kind.contract.kind, jobId });
  return { IsComplete: false };
}
