/**
 * A job's long wait (timeouts past the short path's 58 minutes, up to 12
 * hours): its WaitConditionHandle and WaitCondition, children of the job's
 * construct so that whatever depends on the job waits for the condition. Their
 * logical ids change with every new wait (a new job, or a new timeout), as
 * CloudFormation asks: a handle is never reused. The job's attributes come
 * from a result resource made after the condition (it describes the job), so
 * that every use of them waits too.
 */
import { createHash } from 'crypto';
import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import type { Construct, IConstruct } from 'constructs';
import { pollerKind } from '../core/long-wait-kinds';
import type { PollerKind } from '../core/long-wait';
import type { JobContract, JobResultProperties, LongWaitProperties, WaitProperties } from '../core/properties';
import { RESULT_TIMEOUT_SECONDS, waitConditionTimeoutSeconds } from '../core/timing';
import { LongWaitPoller } from './long-wait-poller';
import type { JobProvider, JobResource } from './provider';

export class LongWait<A extends object> {
  /**
   * Prepares the long wait of a job in `scope`: the stack's poller, the grants
   * the handlers need, the handle and the condition. `identity` is what makes a
   * new wait (the properties the job's resource renders, but its removal policy).
   */
  public static prepare<A extends object>(scope: Construct, contract: JobContract<WaitProperties, A>, provider: JobProvider, timeoutSeconds: number, identity: () => unknown): LongWait<A> {
    const kind = pollerKind(contract.kind);
    if (!kind) throw new Error(`no long-wait poller waits for ${contract.kind} jobs`);
    const poller = LongWaitPoller.getOrCreate(scope, provider);
    poller.grantDescribe(kind);
    poller.grantCleanUp(provider.onEventFunction);
    provider.grantStartPoller();
    return new LongWait(scope, contract, kind, provider, poller, timeoutSeconds, identity);
  }

  /** The custom resource's LongWait property. */
  public readonly properties: LongWaitProperties;
  private readonly handle: cloudformation.CfnWaitConditionHandle;
  private readonly condition: cloudformation.CfnWaitCondition;
  private result?: JobResource<A>;

  private constructor(
    private readonly scope: Construct,
    private readonly contract: JobContract<WaitProperties, A>,
    kind: PollerKind,
    private readonly provider: JobProvider,
    poller: LongWaitPoller,
    timeoutSeconds: number,
    identity: () => unknown,
  ) {
    const stack = Stack.of(scope);
    let hash: string | undefined;
    const waitHash = () => (hash ??= createHash('sha256').update(JSON.stringify(stack.resolve(identity()))).digest('hex').slice(0, 8).toUpperCase());
    this.handle = new cloudformation.CfnWaitConditionHandle(scope, 'WaitHandle');
    renameWithHash(this.handle, waitHash);
    this.condition = new cloudformation.CfnWaitCondition(scope, 'WaitCondition', {
      handle: this.handle.ref,
      timeout: String(waitConditionTimeoutSeconds(timeoutSeconds)),
      count: 1,
    });
    renameWithHash(this.condition, waitHash);
    this.properties = {
      StateMachineArn: poller.stateMachine.stateMachineArn,
      HandleLogicalId: this.handle.logicalId,
      // A kind with attempts starts one only while CloudFormation waits for the condition.
      ...(kind.mayGiveWay ? { ConditionLogicalId: this.condition.logicalId } : {}),
      StateMachineLogicalId: (poller.stateMachine.node.defaultChild as CfnResource).logicalId,
    };
  }

  /**
   * Orders the wait after the job's resource (it started the job and the
   * poller): the WaitCondition completes on the poller's signal, and fails on a
   * failing end or at the timeout. Then the result resource, for the
   * attributes: `result.JobId` is the job resource's id attribute (a result
   * whose job is judged, a restore's validation, waits up to
   * `resultTimeoutSeconds` for the judgement).
   */
  public gate(resource: IConstruct, result: JobResultProperties, resultTimeoutSeconds = RESULT_TIMEOUT_SECONDS): void {
    resource.node.addDependency(this.handle);
    // A Delete, a rollback and a failed start stop the job's poller: granted so that the cleanup
    // of an update, or its rollback, still may.
    this.provider.grantStopPoller(resource);
    this.condition.node.addDependency(resource);
    this.result = this.provider.jobResource(this.scope, this.contract.result, resultTimeoutSeconds, result, 'Result');
    this.result.node.addDependency(this.condition);
  }

  /** An attribute of the job, from its result resource (so a use of it waits for the condition). */
  public attribute(name: keyof A & string): string {
    if (!this.result) throw new Error('LongWait.attribute before gate');
    return this.result.attribute(name);
  }
}

/** The element's logical id, with the wait's hash appended (at synth, once every property is known). */
function renameWithHash(element: CfnResource, hash: () => string): void {
  const stack = Stack.of(element);
  element.overrideLogicalId(Lazy.string({ produce: () => `${stack.getLogicalId(element)}${hash()}` }));
}
