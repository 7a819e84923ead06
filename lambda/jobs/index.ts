/**
 * The handler bundle's entry points, for the aws-cdk Provider framework and the
 * long-wait poller. Their names are lib/core/entry-points.ts's: the constructs
 * render `index.<name>` from there, and `ENTRY` must have every one of them.
 * Each kind of job is registered once, in `SERVED`; the lifecycle engine
 * (job-lifecycle.ts) serves its job resource and its long wait's result resource.
 */
import type { CdkCustomResourceEvent, Context } from 'aws-lambda';
import type { EntryPoint } from '../../lib/core/entry-points';
import { log, redactEvent } from '../shared/log';
import { BACKUP_BEFORE_REMOVAL_RESOURCE } from './backup-before-removal';
import { BACKUP_JOB_KIND } from './backup-job';
import { attempt as backupAttempt } from './backup-job/attempts';
import { COPY_JOB_KIND } from './copy-job';
import { withinInvocation } from './invocation';
import { served } from './job-lifecycle';
import type { IsCompleteEvent, IsCompleteResponse, OnEventResponse, ServedResource } from './requests';
import { RESTORE_JOB_KIND } from './restore-job';
import { SCAN_JOB_KIND } from './scan-job';
import { signal as signalEnd } from './signal';

/** Every resource type the provider serves: one line each. */
const SERVED: readonly ServedResource[] = [
  ...served(BACKUP_JOB_KIND),
  ...served(RESTORE_JOB_KIND),
  BACKUP_BEFORE_REMOVAL_RESOURCE,
  ...served(COPY_JOB_KIND),
  ...served(SCAN_JOB_KIND),
];

type LambdaContext = Pick<Context, 'getRemainingTimeInMillis'>;

/** The served resource of a resource type. */
function servedAs(resourceType: string): ServedResource {
  const resource = SERVED.find((r) => r.resourceType === resourceType);
  if (!resource) throw new Error(`This provider serves ${SERVED.map((r) => r.resourceType).join(', ')}, not ${resourceType}`);
  return resource;
}

const ENTRY = {
  onEvent: (event: CdkCustomResourceEvent, context?: LambdaContext): Promise<OnEventResponse<any>> => withinInvocation(context, async () => {
    log('info', 'onEvent', { event: redactEvent(event) });
    return servedAs(event.ResourceType).onEvent(event);
  }),
  isComplete: (event: IsCompleteEvent<any>, context?: LambdaContext): Promise<IsCompleteResponse<any>> => withinInvocation(context, async () => servedAs(event.ResourceType).isComplete(event)),
  /** The long-wait path's signal (the poller's last task). */
  signal: (request: Parameters<typeof signalEnd>[0]) => signalEnd(request),
  /** The long-wait path's attempt task: a backup's next attempt on a busy resource. */
  attempt: (state: Parameters<typeof backupAttempt>[0], context?: LambdaContext) => withinInvocation(context, () => backupAttempt(state)),
} satisfies { readonly [E in EntryPoint]: (event: any, context?: LambdaContext) => Promise<unknown> };

export const { onEvent, isComplete, signal, attempt } = ENTRY;
