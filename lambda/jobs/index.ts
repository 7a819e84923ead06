/**
 * The handler bundle's entry points, for the aws-cdk Provider framework and the
 * long-wait poller. Their names are lib/core/entry-points.ts's: the constructs
 * render `index.<name>` from there, and `ENTRY` must have every one of them.
 * Each kind of job is registered once, in `KINDS`.
 */
import type { CdkCustomResourceEvent, Context } from 'aws-lambda';
import type { EntryPoint } from '../../lib/core/entry-points';
import { log, redactEvent } from '../shared/log';
import { BACKUP_BEFORE_REMOVAL_KIND } from './backup-before-removal';
import { attempt as backupAttempt } from './backup-job-attempt';
import { BACKUP_JOB_KIND } from './backup-job';
import { COPY_JOB_KIND } from './copy-job';
import { withinInvocation } from './invocation';
import { IsCompleteEvent, IsCompleteResponse, JobKind, OnEventResponse } from './requests';
import { RESTORE_JOB_KIND } from './restore-job';
import { signal as signalEnd } from './signal';

/** Every kind of job the provider serves: one line each. */
const KINDS: readonly JobKind[] = [BACKUP_JOB_KIND, RESTORE_JOB_KIND, BACKUP_BEFORE_REMOVAL_KIND, COPY_JOB_KIND];

const SERVED = KINDS.flatMap((k) => [k.resourceType, ...(k.result ? [k.result.resourceType] : [])]).join(', ');

type LambdaContext = Pick<Context, 'getRemainingTimeInMillis'>;

/** The kind a resource type belongs to, and its result resource's part when it is one. */
function kindOf(resourceType: string): { kind: JobKind; result?: NonNullable<JobKind['result']> } {
  for (const kind of KINDS) {
    if (resourceType === kind.resourceType) return { kind };
    if (resourceType === kind.result?.resourceType) return { kind, result: kind.result };
  }
  throw new Error(`This provider serves ${SERVED}, not ${resourceType}`);
}

const ENTRY = {
  onEvent: (event: CdkCustomResourceEvent, context?: LambdaContext): Promise<OnEventResponse<any>> => withinInvocation(context, async () => {
    log('info', 'onEvent', { event: redactEvent(event) });
    const { kind, result } = kindOf(event.ResourceType);
    return result ? result.onEvent(event) : kind.onEvent(event);
  }),
  isComplete: (event: IsCompleteEvent<any>, context?: LambdaContext): Promise<IsCompleteResponse<any>> => withinInvocation(context, async () => {
    const { kind, result } = kindOf(event.ResourceType);
    // A result resource is answered by onEvent at once.
    return result ? { IsComplete: true } : kind.isComplete(event);
  }),
  /** The long-wait path's signal (the poller's last task). */
  signal: (request: Parameters<typeof signalEnd>[0]) => signalEnd(request),
  /** The long-wait path's attempt task: a backup's next attempt on a busy resource. */
  attempt: (state: Parameters<typeof backupAttempt>[0], context?: LambdaContext) => withinInvocation(context, () => backupAttempt(state)),
} satisfies { readonly [E in EntryPoint]: (event: any, context?: LambdaContext) => Promise<unknown> };

export const { onEvent, isComplete, signal, attempt } = ENTRY;
