/**
 * The long-wait path, as the handlers drive it: onEvent starts the stack's
 * poller for a job once the job started (and answers CloudFormation at once);
 * every clean-up of the job stops its poller.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { AttemptsState, executionArn, pollerExecutionName, pollerInput, PollerInput } from '../../lib/core/long-wait';
import type { LongWaitSpec, RawProperties, WaitSpec } from '../../lib/core/properties';
import { describeError } from '../shared/errors';
import { log, SENSITIVE_MAPS } from '../shared/log';
import { bounded } from './invocation';
import { AnyJobKind, canStop } from './job-kind';

let client: SFNClient | undefined;

/** The Step Functions SDK, loaded on first use: the short path's cold start does not pay for it. */
const sdk = () => import('@aws-sdk/client-sfn');

async function stepFunctions(): Promise<SFNClient> {
  client ??= bounded(new (await sdk()).SFNClient({ maxAttempts: 4 }));
  return client;
}

/** The job a poller waits for. */
export interface PollerJob {
  /** The job the request started (it names the poller's execution). */
  readonly jobId: string;
  /** The job to poll first (a later attempt of a backup on a busy resource). @default jobId */
  readonly currentJobId?: string;
  /** The physical id the request answers with (the poller hands an abandoned job to its Delete). */
  readonly physicalId: string;
  /** A kind that takes its job in attempts: what its attempt function needs. */
  readonly attempts?: AttemptsState;
}

/**
 * The job resource's Delete, for the poller to hand a job to when its handle
 * is gone: this very function (onEvent) runs it as CloudFormation's Delete
 * would (no response is sent). The sensitive maps are left out but what the
 * kind's Delete needs of them.
 */
function cleanUpOf(kind: AnyJobKind, request: CdkCustomResourceEvent, job: PollerJob): PollerInput['CleanUp'] {
  const raw = request.ResourceProperties as RawProperties;
  const properties = Object.fromEntries(Object.entries(raw).filter(([key]) => !SENSITIVE_MAPS.includes(key)));
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!functionName) log('warn', 'no AWS_LAMBDA_FUNCTION_NAME: the poller cannot hand an abandoned job back to this function', { jobId: job.jobId });
  return {
    FunctionName: functionName ?? '',
    Event: {
      RequestType: 'Delete',
      ServiceToken: properties.ServiceToken,
      StackId: request.StackId,
      RequestId: `long-wait-clean-up-${job.jobId}`,
      LogicalResourceId: request.LogicalResourceId,
      ResourceType: request.ResourceType,
      PhysicalResourceId: job.physicalId,
      ResourceProperties: { ...properties, ...kind.neededByDelete?.(raw) },
    },
  };
}

/**
 * Starts the poller of a job for its WaitConditionHandle. A retried request
 * starts the same execution (same name and input), which Step Functions
 * answers with the running one.
 */
export async function startPoller(kind: AnyJobKind, spec: WaitSpec, request: CdkCustomResourceEvent, job: PollerJob): Promise<string> {
  const longWait = spec.longWait!;
  const name = pollerExecutionName(job.jobId, longWait.handleLogicalId);
  const input = pollerInput({
    kind: kind.contract.kind, jobId: job.currentJobId ?? job.jobId, stackId: request.StackId, handleLogicalId: longWait.handleLogicalId,
    allowPartial: spec.allowPartial, timeoutSeconds: spec.timeoutSeconds, cleanUp: cleanUpOf(kind, request, job), attempts: job.attempts,
    // DESTROY of a job AWS Backup cannot stop: once nothing waits for it, the poller watches it to its end and hands it to its Delete.
    waitsForEnd: spec.destroyOnDelete && !canStop(kind, spec),
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
    log('info', 'the job\'s poller was already started (another delivery of this request)', { kind: kind.contract.kind, jobId: job.jobId, executionArn: arn });
    return arn;
  }
  log('info', 'the long-wait poller waits for the job; its WaitCondition gates what depends on it', {
    kind: kind.contract.kind, jobId: job.jobId, executionArn: arn, polls: input.Polls, handle: longWait.handleLogicalId,
  });
  return arn!;
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

/** A job's poller as Step Functions describes it: its status, and whether it watches the job to its end (WaitsForEnd). */
export interface PollerStatus {
  readonly status: string;
  /** When it ended (undefined while it runs). */
  readonly stoppedAt?: Date;
  readonly waitsForEnd: boolean;
}

/** The poller of a job, or undefined when it has none (or Step Functions cannot tell now: logged). */
export async function pollerStatus(longWait: LongWaitSpec, jobId: string): Promise<PollerStatus | undefined> {
  const arn = executionArn(longWait.stateMachineArn, pollerExecutionName(jobId, longWait.handleLogicalId));
  try {
    const { DescribeExecutionCommand } = await sdk();
    const execution = await (await stepFunctions()).send(new DescribeExecutionCommand({ executionArn: arn }));
    const input = JSON.parse(execution.input ?? '{}') as Partial<PollerInput>;
    return { status: execution.status ?? 'UNKNOWN', stoppedAt: execution.stopDate, waitsForEnd: input.WaitsForEnd === true };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ExecutionDoesNotExist') log('warn', 'could not describe the job\'s long-wait poller', { jobId, executionArn: arn, error: describeError(error) });
    return undefined;
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
export function refuseReusedHandle(event: CdkCustomResourceEvent, longWait: LongWaitSpec | undefined, kind: string): void {
  if (longWait && oldHandleOf(event) === longWait.handleLogicalId) {
    throw new Error(`A new ${kind} job is needed (a property changed at deploy time, e.g. a resource was replaced), but its WaitCondition ${longWait.handleLogicalId} already waited for the previous job and would not wait again; change the construct's trigger to start the new job with a new wait. No job was started`);
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
