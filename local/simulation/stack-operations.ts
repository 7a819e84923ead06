/**
 * What the simulated CloudFormation tells of a stack operation: each request
 * it sent a custom resource and what came back, the operation's end, and the
 * options (faults, CloudFormation's behaviours) a test sets.
 */
import type { IamState } from './iam';
import type { ResourceState } from './intrinsics';
import type { LocalAws } from './local-aws';
import type { CfnResponse } from './presigned-urls';
import type { VirtualClock } from './virtual-clock';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** One request CloudFormation sent a custom resource, and what came back. */
export interface CustomResourceOperation {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly requestType: RequestType;
  readonly requestId: string;
  readonly physicalIdSent?: string;
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly sentAt: number;
  readonly serviceTimeoutSeconds: number;
  /** The first response, or undefined when none came within the ServiceTimeout. */
  readonly response?: CfnResponse;
  /** Whether the answer came within the ServiceTimeout (a stack never waits longer). */
  readonly answeredInTime: boolean;
  /** Why it counts as failed: the handler's reason, or CloudFormation's own. */
  readonly failure?: string;
  /** Why the request was sent: the deploy itself, or a rollback or cleanup. */
  readonly phase: 'deploy' | 'rollback' | 'cleanup' | 'destroy';
  /** CloudFormation stopped waiting before an answer came (a sibling failed, the stack was cancelled). */
  readonly cancelled?: boolean;
  /** The service token's function could not be invoked (it is gone): the request failed at once, with this reason. */
  readonly notInvoked?: string;
  /** When CloudFormation stopped waiting for it (answered, cancelled or timed out). */
  readonly endedAt: number;
}

/** Faults CloudFormation and Lambda add to one request. */
export interface RequestFaults {
  /**
   * CloudFormation stops waiting this long (simulated) after sending the
   * request, as when a sibling resource fails: the request fails "cancelled"
   * while its handler may still run.
   */
  readonly cancelAfterMs?: number;
  /** Lambda delivers the same event again (same RequestId) this long after the first delivery. */
  readonly redeliverAfterMs?: number;
}

export interface StackOperationResult {
  readonly status: 'CREATE_COMPLETE' | 'ROLLBACK_COMPLETE' | 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE' | 'DELETE_COMPLETE' | 'ROLLBACK_FAILED' | 'UPDATE_ROLLBACK_FAILED' | 'DELETE_FAILED';
  readonly failedResource?: string;
  readonly reason?: string;
  readonly operations: CustomResourceOperation[];
  readonly outputs: Record<string, string>;
  /**
   * Resources CloudFormation could not delete (a stack's deletion, a cleanup:
   * "Update successful. One or more resources could not be deleted."), and
   * those it left because a resource that depends on them failed to delete
   * (`afterFailedDeletion: 'keep-dependencies'`), with the reason.
   */
  readonly notDeleted?: readonly { readonly logicalId: string; readonly reason: string }[];
  /** The resource whose rollback failed (UPDATE_ROLLBACK_FAILED), and why. */
  readonly rollbackFailure?: { readonly logicalId: string; readonly reason: string };
}

/**
 * What CloudFormation does with the resources a resource depends on when that
 * resource fails to delete (a stack's deletion, an update's cleanup). Users
 * report that it deletes them anyway (aws-cloudformation/cloudformation-coverage-roadmap#852
 * and #1508): `delete-dependencies`, the default here. `keep-dependencies`:
 * it leaves them, as the dependency would suggest.
 */
export type AfterFailedDeletion = 'delete-dependencies' | 'keep-dependencies';

/**
 * Which UpdateReplacePolicy CloudFormation applies to the resource an update
 * replaced when the update changes that policy too: the previous template's,
 * or the new one's. Not documented, and not checkable here: the simulation
 * plays both.
 */
export type ReplacePolicyOf = 'previous-template' | 'new-template';

export interface CloudFormationOptions {
  readonly aws: LocalAws;
  readonly clock: VirtualClock;
  readonly region?: string;
  readonly account?: string;
  /** Called when a vault is created, so that the AWS Backup stand-in knows it. */
  readonly onVaultCreated?: (name: string) => void;
  /**
   * Called when CloudFormation creates a resource the simulation records, or
   * changes its properties, so that the stand-in knows it (a table, a DB
   * instance, with its deletion protection).
   */
  readonly onResourceCreated?: (type: string, physicalId: string, properties: Record<string, unknown>) => void;
  /**
   * Called when CloudFormation deletes a resource the simulation records (a
   * table, a DB instance; a bucket's auto-delete resource empties the bucket);
   * the reason the deletion failed, if it did.
   */
  readonly onResourceDeleted?: (type: string, physicalId: string, properties: Record<string, unknown>) => string | undefined;
  /** What happens to the resources a resource depends on when its deletion fails. @default 'delete-dependencies' */
  readonly afterFailedDeletion?: AfterFailedDeletion;
  /** Which UpdateReplacePolicy applies to a replaced resource when the update changes it. @default 'previous-template' */
  readonly replacePolicyOf?: ReplacePolicyOf;
  /** Called before each custom resource request is sent. */
  readonly onRequest?: (operation: { logicalId: string; requestType: RequestType; phase: CustomResourceOperation['phase'] }) => void;
  /** Called when a custom resource request is answered (or timed out). */
  readonly onOperation?: (operation: CustomResourceOperation) => void;
  /** IAM as the deployment stands: roles and policies are applied to it as CloudFormation creates, updates and deletes them. */
  readonly iam?: IamState;
  /** Faults for a request, decided when it is sent. */
  readonly faultsFor?: (request: { logicalId: string; requestType: RequestType; phase: CustomResourceOperation['phase'] }) => RequestFaults | undefined;
}

/** How an update's rollback ended: what it could not delete, and the resource that failed to roll back (if one did). */
export interface RolledBack {
  readonly notDeleted: { logicalId: string; reason: string }[];
  readonly rollbackFailure?: { logicalId: string; reason: string };
}

/** A resource an update touched, with its state before (none: the update created it). */
export interface Touched {
  readonly logicalId: string;
  readonly before?: ResourceState;
  readonly replaced?: boolean;
}

