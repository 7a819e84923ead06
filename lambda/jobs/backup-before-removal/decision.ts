/**
 * Whether a request of a removal guard takes a backup, from what CloudFormation
 * is doing (the stack's status, and in an update's cleanup whether the guarded
 * resource is still in the template as the same physical resource). Pure, so
 * that every row of the guard's table is a unit test.
 *
 * The safe answer wins: when CloudFormation cannot tell, a backup is taken.
 */
import type { RemovalReason } from '../../../lib/core/backup-before-removal-contract';
import { isRollingBack } from '../stack-statuses';

export type RemovalDecision =
  | { readonly backup: true; readonly reason: RemovalReason }
  | { readonly backup: false; readonly why: string; readonly rolledBack?: boolean };

/** What CloudFormation showed when a guard's request came. */
export interface StackView {
  /** DescribeStacks' StackStatus; undefined when CloudFormation did not answer. */
  readonly stackStatus?: string;
  /** Whether the template holds the guarded resource's logical id; undefined when unknown. */
  readonly resourceInTemplate?: boolean;
  /** The guarded resource's physical id in the stack now; undefined when unknown or gone. */
  readonly resourcePhysicalId?: string;
}

/** What CloudFormation's own policies keep (from the guard's properties). */
export interface RemovalPolicies {
  readonly backupOnDelete: boolean;
  readonly backupOnReplace: boolean;
}


const KEPT_ON_DELETE = 'CloudFormation keeps the resource (its DeletionPolicy is Retain or Snapshot)';
const KEPT_ON_REPLACE = 'CloudFormation keeps the replaced resource (its UpdateReplacePolicy is Retain or Snapshot)';
const ROLLBACK = 'CloudFormation is rolling back: what it deletes now is what the failed deployment made, and what it restores stays';

/**
 * A guard's Delete: CloudFormation deletes the guard because it deletes the
 * stack (a backup), removes the guard and its resource from the template (a
 * backup), replaced the resource in the same update (a backup of the old one),
 * removes only the guard (none), or rolls back (none).
 */
export function decideOnDelete(view: StackView, resourceArn: string, policies: RemovalPolicies): RemovalDecision {
  const status = view.stackStatus;
  if (isRollingBack(status)) return { backup: false, why: ROLLBACK };
  if (status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' && view.resourceInTemplate === true && view.resourcePhysicalId !== undefined) {
    if (sameResource(resourceArn, view.resourcePhysicalId)) return { backup: false, why: 'only the guard is removed: the resource stays in the stack' };
    return policies.backupOnReplace ? { backup: true, reason: 'replacement' } : { backup: false, why: KEPT_ON_REPLACE };
  }
  const reason: RemovalReason = status === 'DELETE_IN_PROGRESS' ? 'stack-deletion' : 'removal';
  return policies.backupOnDelete ? { backup: true, reason } : { backup: false, why: KEPT_ON_DELETE };
}

/**
 * A guard's Update whose resource ARN changed: in the update phase the
 * resource was replaced (a backup of the old one, before the cleanup deletes
 * it); in a rollback the guard goes back to the resource it had (none).
 */
export function decideOnUpdate(view: StackView, policies: RemovalPolicies): RemovalDecision {
  if (isRollingBack(view.stackStatus)) return { backup: false, why: ROLLBACK, rolledBack: true };
  return policies.backupOnReplace ? { backup: true, reason: 'replacement' } : { backup: false, why: KEPT_ON_REPLACE };
}

/**
 * Whether a resource's ARN names the physical resource CloudFormation shows
 * (its physical id is the ARN, or the ARN's last part: a table's name, a file
 * system's id, a bucket's name).
 */
export function sameResource(arn: string, physicalId: string): boolean {
  return arn === physicalId || arn.endsWith(`/${physicalId}`) || arn.endsWith(`:${physicalId}`);
}
