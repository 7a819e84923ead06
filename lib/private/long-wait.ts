/**
 * A job's long wait (timeouts past the short path's 58 minutes, up to 12
 * hours): its WaitConditionHandle and WaitCondition, children of the job's
 * construct so that whatever depends on the job waits for the condition. Their
 * logical ids change with every new wait (a new job, or a new timeout), as
 * CloudFormation asks: a handle is never reused. The job's attributes are read
 * back out of the condition's Data, so that every use of them waits too.
 */
import { createHash } from 'crypto';
import { CfnResource, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import type { Construct, IConstruct } from 'constructs';
import type { LongWaitProperties } from '../core/contract';
import { LIMITS } from '../core/validation';
import { LONG_WAIT_SEPARATOR, longWaitIndex, LongWaitKind } from '../core/long-wait';
import type { BackupJobProvider } from './provider';
import { LongWaitPoller } from './long-wait-poller';

/** What the WaitCondition's Timeout adds to the job's timeout: the poller's TIMED_OUT signal comes first. */
export const CONDITION_MARGIN_SECONDS = LIMITS.responseMarginSeconds;

export class LongWait {
  /**
   * Prepares the long wait of a job in `scope`: the stack's poller, the grants
   * the handlers need, and the handle. `identity` is what makes a new wait (the
   * properties the job's resource renders, but its removal policy).
   */
  public static prepare(scope: Construct, kind: LongWaitKind, provider: BackupJobProvider, identity: () => unknown): LongWait {
    const poller = LongWaitPoller.getOrCreate(scope);
    poller.grantDescribe(kind);
    provider.grantStartPoller(poller);
    return new LongWait(scope, kind, provider, poller, identity);
  }

  /** The custom resource's LongWait property. */
  public readonly properties: LongWaitProperties;
  private readonly handle: cloudformation.CfnWaitConditionHandle;
  private condition?: cloudformation.CfnWaitCondition;

  private constructor(
    private readonly scope: Construct,
    private readonly kind: LongWaitKind,
    private readonly provider: BackupJobProvider,
    private readonly poller: LongWaitPoller,
    identity: () => unknown,
  ) {
    const stack = Stack.of(scope);
    let hash: string | undefined;
    const waitHash = () => (hash ??= createHash('sha256').update(JSON.stringify(stack.resolve(identity()))).digest('hex').slice(0, 8).toUpperCase());
    this.handle = new cloudformation.CfnWaitConditionHandle(scope, 'WaitHandle');
    renameWithHash(this.handle, waitHash);
    this.properties = { StateMachineArn: poller.stateMachine.stateMachineArn, HandleLogicalId: this.handle.logicalId };
    this.waitHash = waitHash;
  }

  private readonly waitHash: () => string;

  /**
   * The WaitCondition: created once the job's resource answered (it started
   * the job and the poller), it completes on the poller's signal, and fails on
   * a failing end or at the timeout.
   */
  public gate(resource: IConstruct, timeoutSeconds: number): void {
    resource.node.addDependency(this.handle);
    // A Delete, a rollback and a failed start stop the job's poller: granted so that the cleanup
    // of an update, or its rollback, still may.
    this.provider.grantStopPoller(resource, this.poller);
    const condition = new cloudformation.CfnWaitCondition(this.scope, 'WaitCondition', {
      handle: this.handle.ref,
      timeout: String(Math.min(LIMITS.waitConditionMaxSeconds, timeoutSeconds + CONDITION_MARGIN_SECONDS)),
      count: 1,
    });
    renameWithHash(condition, this.waitHash);
    condition.node.addDependency(resource);
    this.condition = condition;
  }

  /** An attribute of the job, from the signal's data (so a use of it waits for the condition). */
  public attribute(name: string): string {
    if (!this.condition) throw new Error('LongWait.attribute before gate');
    const data = Token.asString(this.condition.getAtt('Data'));
    return Fn.select(longWaitIndex(this.kind, name), Fn.split(LONG_WAIT_SEPARATOR, data));
  }
}

/** The element's logical id, with the wait's hash appended (at synth, once every property is known). */
function renameWithHash(element: CfnResource, hash: () => string): void {
  const stack = Stack.of(element);
  element.overrideLogicalId(Lazy.string({ produce: () => `${stack.getLogicalId(element)}${hash()}` }));
}
