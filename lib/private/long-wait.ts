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
import { BACKUP_JOB_RESULT, BackupJobAttributes, JobResultProperties, LongWaitProperties, RESTORE_JOB_RESULT, RestoreJobAttributes } from '../core/contract';
import { LIMITS } from '../core/validation';
import type { LongWaitKind } from '../core/long-wait';
import type { BackupJobProvider, JobResource } from './provider';
import { LongWaitPoller } from './long-wait-poller';

/** What the WaitCondition's Timeout adds to the job's timeout: the poller's TIMED_OUT signal comes first. */
export const CONDITION_MARGIN_SECONDS = LIMITS.responseMarginSeconds;

export class LongWait {
  /**
   * Prepares the long wait of a job in `scope`: the stack's poller, the grants
   * the handlers need, and the handle. `identity` is what makes a new wait (the
   * properties the job's resource renders, but its removal policy).
   */
  public static prepare(scope: Construct, kind: LongWaitKind, provider: BackupJobProvider, timeoutSeconds: number, identity: () => unknown): LongWait {
    const poller = LongWaitPoller.getOrCreate(scope, provider);
    poller.grantDescribe(kind);
    poller.grantCleanUp(provider.onEventFunction);
    provider.grantStartPoller();
    return new LongWait(scope, kind, provider, poller, timeoutSeconds, identity);
  }

  /** The custom resource's LongWait property. */
  public readonly properties: LongWaitProperties;
  private readonly handle: cloudformation.CfnWaitConditionHandle;
  private readonly condition: cloudformation.CfnWaitCondition;
  private result?: JobResource<object>;

  private constructor(
    private readonly scope: Construct,
    private readonly kind: LongWaitKind,
    private readonly provider: BackupJobProvider,
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
      timeout: String(Math.min(LIMITS.waitConditionMaxSeconds, timeoutSeconds + CONDITION_MARGIN_SECONDS)),
      count: 1,
    });
    renameWithHash(this.condition, waitHash);
    this.properties = {
      StateMachineArn: poller.stateMachine.stateMachineArn,
      HandleLogicalId: this.handle.logicalId,
      ...(kind === 'backup' ? { ConditionLogicalId: this.condition.logicalId } : {}),
    };
  }

  /**
   * The WaitCondition: created once the job's resource answered (it started
   * the job and the poller), it completes on the poller's signal, and fails on
   * a failing end or at the timeout. Then the result resource, for the
   * attributes: `jobId` is the job resource's id attribute.
   */
  public gate(resource: IConstruct, result: JobResultProperties): void {
    resource.node.addDependency(this.handle);
    // A Delete, a rollback and a failed start stop the job's poller: granted so that the cleanup
    // of an update, or its rollback, still may.
    this.provider.grantStopPoller(resource);
    this.condition.node.addDependency(resource);
    const contract = this.kind === 'backup' ? BACKUP_JOB_RESULT : RESTORE_JOB_RESULT;
    this.result = this.provider.jobResource<JobResultProperties, object>(this.scope, contract, RESULT_TIMEOUT_SECONDS, result, 'Result');
    this.result.node.addDependency(this.condition);
  }

  /** An attribute of the job, from its result resource (so a use of it waits for the condition). */
  public attribute(name: keyof BackupJobAttributes | keyof RestoreJobAttributes): string {
    if (!this.result) throw new Error('LongWait.attribute before gate');
    return this.result.getAttString(name);
  }
}

/** The result resource answers at once (one DescribeBackupJob or DescribeRestoreJob). */
const RESULT_TIMEOUT_SECONDS = 60;

/** The element's logical id, with the wait's hash appended (at synth, once every property is known). */
function renameWithHash(element: CfnResource, hash: () => string): void {
  const stack = Stack.of(element);
  element.overrideLogicalId(Lazy.string({ produce: () => `${stack.getLogicalId(element)}${hash()}` }));
}
