/**
 * A request CloudFormation sends a custom resource, simulated: the event goes
 * to the ServiceToken's function (the real Provider framework, run locally),
 * and CloudFormation waits for the first answer at its ResponseURL, for at
 * most the resource's ServiceTimeout, or until it gives up on the request (a
 * sibling failed, the stack was cancelled: a fault); Lambda may deliver the
 * event twice (a fault). Whatever still runs for the request goes on in the
 * background.
 */
import { randomUUID } from 'crypto';
import type { CfnResource } from './assembly';
import type { StackEnvironment } from './intrinsics';
import type { CfnResponse } from './presigned-urls';
import type { CloudFormationOptions, CustomResourceOperation, RequestType } from './stack-operations';
import { yieldToIo } from './virtual-clock';

const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;
const NO_RESPONSE = 'CloudFormation did not receive a response from your Custom Resource within its ServiceTimeout';
/** CloudFormation's reason for a request it gave up on. */
export const CANCELLED: Record<RequestType, string> = { Create: 'Resource creation cancelled', Update: 'Resource update cancelled', Delete: 'Resource deletion cancelled' };

/** What a request needs of the stack that sends it. */
export interface RequestingStack {
  readonly options: CloudFormationOptions;
  readonly env: StackEnvironment;
  /** Records a resource's status, as CloudFormation's API shows it. */
  setStatus(logicalId: string, type: string, status: string, physicalId?: string): void;
  /** Every request of the stack's life. */
  readonly history: CustomResourceOperation[];
}

/** One request: what is sent, and why. */
export interface CustomResourceRequest {
  readonly logicalId: string;
  readonly resource: CfnResource;
  readonly requestType: RequestType;
  readonly properties: Record<string, unknown>;
  readonly phase: CustomResourceOperation['phase'];
  readonly oldProperties?: Record<string, unknown>;
  readonly physicalId?: string;
  /** The RequestId (a resent request keeps its own). @default - a new one */
  readonly requestId?: string;
}

/** Sends a custom resource a request and waits for its answer as CloudFormation does. */
export async function sendRequest(stack: RequestingStack, request: CustomResourceRequest): Promise<CustomResourceOperation> {
  const { options } = stack;
  const { logicalId, resource, requestType, properties, phase, oldProperties, physicalId } = request;
  const requestId = request.requestId ?? randomUUID();
  const { aws, clock } = options;
  options.onRequest?.({ logicalId, requestType, phase });
  const verb = requestType.toUpperCase();
  stack.setStatus(logicalId, resource.Type, `${verb}_IN_PROGRESS`, physicalId);
  const serviceTimeoutSeconds = Number(properties.ServiceTimeout ?? DEFAULT_SERVICE_TIMEOUT_SECONDS);
  const event = {
    RequestType: requestType,
    ServiceToken: properties.ServiceToken,
    ResponseURL: aws.responseUrl(requestId),
    StackId: stack.env.stackId,
    RequestId: requestId,
    LogicalResourceId: logicalId,
    ResourceType: resource.Type,
    ResourceProperties: properties,
    ...(oldProperties ? { OldResourceProperties: oldProperties } : {}),
    ...(physicalId !== undefined ? { PhysicalResourceId: physicalId } : {}),
  };
  const sentAt = clock.now();
  const deadline = sentAt + serviceTimeoutSeconds * 1000;
  const faults = options.faultsFor?.({ logicalId, requestType, phase });
  const cancelAt = faults?.cancelAfterMs === undefined ? undefined : sentAt + faults.cancelAfterMs;
  const redeliverAt = faults?.redeliverAfterMs === undefined ? undefined : sentAt + faults.redeliverAfterMs;
  const payload = JSON.stringify(event);
  let notInvoked: string | undefined;
  try {
    await aws.invoke(String(properties.ServiceToken), payload, 'Event');
  } catch (error) {
    // The service token's function is gone (CloudFormation deleted it after an earlier failure): the request fails at once.
    notInvoked = (error as Error).message;
  }
  let response: CfnResponse | undefined;
  let cancelled = false;
  let redelivered = false;
  // CloudFormation waits for the first answer, until the ServiceTimeout, or until it gives up on the
  // request (cancelled); whatever still runs for the request then goes on in the background.
  for (;;) {
    if (notInvoked) break;
    response = aws.responses.find((r) => r.RequestId === requestId && r.receivedAt >= sentAt);
    if (response) break;
    const now = clock.now();
    if (cancelAt !== undefined && now >= cancelAt) { cancelled = true; break; }
    if (now > deadline) break;
    if (redeliverAt !== undefined && !redelivered && now >= redeliverAt) {
      redelivered = true;
      await aws.invoke(String(properties.ServiceToken), payload, 'Event');
      continue;
    }
    if (!aws.isBusy(requestId)) {
      response = aws.responses.find((r) => r.RequestId === requestId && r.receivedAt >= sentAt);
      if (!response) {
        // Nothing will answer: CloudFormation waits out the ServiceTimeout.
        await clock.sleep(Math.max(0, deadline + 1 - clock.now()));
      }
      break;
    }
    await yieldToIo(1);
  }
  // The framework finishes its part of the request (unless another delivery of it still runs).
  if (response && !redelivered) await aws.idle(requestId);
  const answeredInTime = !cancelled && !!response && response.receivedAt <= deadline;
  const failure = notInvoked ?? (cancelled ? CANCELLED[requestType] : !answeredInTime ? NO_RESPONSE : response!.Status === 'FAILED' ? response!.Reason ?? 'FAILED' : undefined);
  stack.setStatus(logicalId, resource.Type, `${verb}_${failure ? 'FAILED' : 'COMPLETE'}`, answeredInTime ? response!.PhysicalResourceId : physicalId);
  const operation: CustomResourceOperation = {
    logicalId,
    resourceType: resource.Type,
    requestType,
    requestId,
    physicalIdSent: physicalId,
    properties,
    oldProperties,
    sentAt,
    serviceTimeoutSeconds,
    response: answeredInTime ? response : undefined,
    answeredInTime,
    failure,
    phase,
    cancelled,
    ...(notInvoked ? { notInvoked } : {}),
    endedAt: clock.now(),
  };
  stack.history.push(operation);
  options.onOperation?.(operation);
  return operation;
}
