/**
 * The long-wait path, as the handlers drive it: onEvent starts the stack's
 * poller for a job once the job started (and answers CloudFormation at once);
 * every clean-up of the job stops its poller.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import type { LongWaitSpec } from '../../lib/core/properties';
import { describeError } from '../shared/backup-jobs';
import { executionArn, pollerExecutionName, pollerInput, PollerInput } from '../../lib/core/long-wait';
import { LongWaitKind } from '../../lib/core/long-wait-kinds';
import { BackupAttempts } from '../../lib/core/backup-job-poller';
import { metadataValue } from '../../lib/core/restore-job-rules';
import { log } from '../shared/log';
import { bounded } from './invocation';
import { physicalIdOf } from './physical-id';
import type { WaitState } from './requests';

let client: SFNClient | undefined;

/** The Step Functions SDK, loaded on first use: the short path's cold start does not pay for it. */
const sdk = () => import('@aws-sdk/client-sfn');

async function stepFunctions(): Promise<SFNClient> {
  client ??= bounded(new (await sdk()).SFNClient({ maxAttempts: 4 }));
  return client;
}

export interface PolledJob {
  readonly kind: LongWaitKind;
  /** The job the request started (it names the poller's execution). */
  readonly jobId: string;
  /** The job to poll first (a later attempt of a backup on a busy resource). @default jobId */
  readonly currentJobId?: string;
  /** A backup's attempts on a busy resource. */
  readonly attempts?: BackupAttempts;
  readonly allowPartial: boolean;
  readonly timeoutSeconds: number;
  /** The request that started the job, and the physical id it answers with. */
  readonly request: CdkCustomResourceEvent;
  readonly physicalId: string;
}

/**
 * The job resource's Delete, for the poller to hand a job to when its handle
 * is gone: this very function (onEvent) runs it as CloudFormation's Delete
 * would (no response is sent). The sensitive maps are left out but what the
 * Delete needs (a restore's target table).
 */
function cleanUpOf(job: PolledJob): PollerInput['CleanUp'] {
  const { RecoveryPointTags, Metadata, ...properties } = job.request.ResourceProperties as Record<string, unknown>;
  void RecoveryPointTags;
  const target = metadataValue((Metadata ?? {}) as Record<string, string>, 'targetTableName');
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!functionName) log('warn', 'no AWS_LAMBDA_FUNCTION_NAME: the poller cannot hand an abandoned job back to this function', { jobId: job.jobId });
  return {
    FunctionName: functionName ?? '',
    Event: {
      RequestType: 'Delete',
      ServiceToken: properties.ServiceToken,
      StackId: job.request.StackId,
      RequestId: `long-wait-clean-up-${job.jobId}`,
      LogicalResourceId: job.request.LogicalResourceId,
      ResourceType: job.request.ResourceType,
      PhysicalResourceId: job.physicalId,
      ResourceProperties: { ...properties, ...(target === undefined ? {} : { Metadata: { targetTableName: target } }) },
    },
  };
}

/**
 * Starts the poller of a job for its WaitConditionHandle. A retried request
 * starts the same execution (same name and input), which Step Functions
 * answers with the running one.
 */
export async function startPoller(longWait: LongWaitSpec, job: PolledJob): Promise<string> {
  const name = pollerExecutionName(job.jobId, longWait.handleLogicalId);
  const input = pollerInput({
    kind: job.kind, jobId: job.currentJobId ?? job.jobId, stackId: job.request.StackId, handleLogicalId: longWait.handleLogicalId,
    allowPartial: job.allowPartial, timeoutSeconds: job.timeoutSeconds, cleanUp: cleanUpOf(job), attempts: job.attempts,
  });
  const { StartExecutionCommand } = await sdk();
  let arn: string | undefined;
  try {
    ({ executionArn: arn } = await (await stepFunctions()).send(new StartExecutionCommand({
      stateMachineArn: longWait.stateMachineArn,
      name,
      input: JSON.stringify(input),
    })));
  } catch (error) {
    // The execution is named by the job and its handle: one of that name is this job's poller, started by
    // another delivery of this request (its input may differ: the jobs that held the resource then).
    if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') throw error;
    arn = executionArn(longWait.stateMachineArn, name);
    log('info', 'the job\'s poller was already started (another delivery of this request)', { kind: job.kind, jobId: job.jobId, executionArn: arn });
    return arn;
  }
  log('info', 'the long-wait poller waits for the job; its WaitCondition gates what depends on it', {
    kind: job.kind, jobId: job.jobId, executionArn: arn, polls: input.Polls, handle: longWait.handleLogicalId,
  });
  return arn!;
}

/** Starts the poller of a job AWS Backup cannot stop (a restore, a copy); a failure says that the job goes on. */
export async function startPollerOfUnstoppable(longWait: LongWaitSpec, job: PolledJob): Promise<void> {
  try {
    await startPoller(longWait, job);
  } catch (error) {
    throw new Error(`Could not start the long-wait poller for ${job.kind} job ${job.jobId}: ${describeError(error)}; AWS Backup cannot stop the ${job.kind}, which goes on`);
  }
}

/**
 * An Update that takes no new job but comes with a new WaitConditionHandle
 * (of a kind whose physical id prefix is `prefix`): the current job's poller
 * is started for it, and signals at its first poll.
 */
export async function rearmPoller(event: CdkCustomResourceEvent, longWait: LongWaitSpec | undefined, prefix: string, start: (jobId: string, physicalId: string) => Promise<void>): Promise<WaitState | undefined> {
  if (event.RequestType !== 'Update' || !needsRearm(event, longWait)) return undefined;
  const current = physicalIdOf(prefix, event.PhysicalResourceId);
  if (!current) throw new Error(`onEvent: physical resource id ${event.PhysicalResourceId} names no ${prefix}`);
  await start(current.jobId, event.PhysicalResourceId);
  return { mode: 'unchanged' };
}

/** Stops the poller of a job (one that already ended is left as it is). Logs, never throws. */
export async function stopPoller(longWait: LongWaitSpec, jobId: string): Promise<void> {
  const arn = executionArn(longWait.stateMachineArn, pollerExecutionName(jobId, longWait.handleLogicalId));
  try {
    const { StopExecutionCommand } = await sdk();
    await (await stepFunctions()).send(new StopExecutionCommand({ executionArn: arn, cause: 'cdk-backup-jobs: CloudFormation no longer waits for this job' }));
    log('info', 'stopped the job\'s long-wait poller', { jobId, executionArn: arn });
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ExecutionDoesNotExist') log('info', 'the job has no long-wait poller to stop', { jobId, executionArn: arn });
    else log('warn', 'could not stop the job\'s long-wait poller; it ends at the job\'s end or its timeout', { jobId, executionArn: arn, error: describeError(error) });
  }
}

/** The previous LongWait of an Update, as CloudFormation sent it. */
function oldHandleOf(event: CdkCustomResourceEvent): unknown {
  return event.RequestType === 'Update' ? (event.OldResourceProperties as { LongWait?: { HandleLogicalId?: unknown } }).LongWait?.HandleLogicalId : undefined;
}

/**
 * An Update that needs a new job must come with a new WaitConditionHandle: the
 * construct names the handle after what it renders, but a property that is a
 * token may change at deploy time alone (a replaced resource's ARN), and an old
 * handle's WaitCondition would not wait for the new job. Throws before anything starts.
 */
export function refuseReusedHandle(event: CdkCustomResourceEvent, longWait: LongWaitSpec | undefined, noun: string): void {
  if (longWait && oldHandleOf(event) === longWait.handleLogicalId) {
    throw new Error(`A new ${noun} job is needed (a property changed at deploy time, e.g. a resource was replaced), but its WaitCondition ${longWait.handleLogicalId} already waited for the previous job and would not wait again; change the construct's trigger to start the new job with a new wait. No job was started`);
  }
}

/**
 * Whether an Update that takes no new job comes with a new WaitConditionHandle
 * (a new timeout, or the switch to the long-wait path): the current job's
 * poller is then started for it, and signals at its first poll.
 */
export function needsRearm(event: CdkCustomResourceEvent, longWait: LongWaitSpec | undefined): longWait is LongWaitSpec {
  return event.RequestType === 'Update' && longWait !== undefined && oldHandleOf(event) !== longWait.handleLogicalId;
}
