/**
 * What the provider's handlers may do for the copy job kind: copy recovery
 * points with a copy role, read copy jobs, and (removal policy DESTROY) delete
 * a copy in its destination Region.
 */
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fillArnPattern, resourceTypeInfo } from '../core/resource-types';
import { acknowledgeOnce, nagResource } from './acknowledge';
import type { Grant } from './grants';
import type { JobProvider } from './provider';
import { grantOnRecoveryPoint, RecoveryPointSource } from './recovery-point-arns';

/**
 * Lets the handlers copy recovery points of a type (StartCopyJob) with a copy
 * role: the recovery point itself when its ARN is known at synth, else the
 * type's recovery points in this account and region (AWS Backup's own ones,
 * when a BackupJob of this stack makes it, those with the stack's owner tag);
 * DescribeRecoveryPoint on the same, and DescribeGlobalSettings for a copy
 * into another account (`crossAccount`): the checks before the copy starts. StartCopyJob is
 * authorized on the source recovery point only; the destination vault's
 * access policy and the copy role decide where the copy may go.
 */
export function grantStartCopyJob(provider: JobProvider, resourceType: string, copyRole: Grant, recoveryPoint: RecoveryPointSource, crossAccount: boolean): void {
  const info = resourceTypeInfo(resourceType);
  if (!info) return;
  // Described first: a source in cold storage is refused before the copy starts.
  grantOnRecoveryPoint(provider, { all: 'CopyRecoveryPoints', own: 'CopyOwnRecoveryPoints' }, ['backup:StartCopyJob', 'backup:DescribeRecoveryPoint'], info, recoveryPoint);
  // A copy into another account (or one not known at synth) first reads the Organization's cross-account backup setting,
  // which has no resource-level permissions.
  if (crossAccount) provider.grantOnAnything('ReadBackupSettings', ['backup:DescribeGlobalSettings']);
  // DescribeCopyJob does not support resource-level permissions.
  provider.grantOnAnything('ReadCopyJobs', ['backup:DescribeCopyJob']);
  provider.grantPassRole(copyRole, 'copy');
}

/**
 * Lets the Delete of a DESTROY copy find its copy and delete it: the type's
 * recovery points in the destination's Region of this account (only a copy
 * into this account can be deleted from it), in the deletion policy.
 */
export function grantDeleteCopies(provider: JobProvider, dependent: IConstruct, resourceType: string, destinationRegion: string): void {
  const info = resourceTypeInfo(resourceType);
  if (!info) return;
  provider.grantForDeletion(dependent, 'ReadCopyJobsToDelete', ['backup:DescribeCopyJob', 'backup:ListCopyJobs'], ['*']);
  const stack = Stack.of(provider);
  const region = Token.isUnresolved(destinationRegion) ? '*' : destinationRegion;
  const arns = info.recoveryPointArnPatterns.map((pattern) => fillArnPattern(pattern, stack.partition, region, stack.account));
  acknowledgeOnce(provider.deletionPolicy, arns.map((arn) => ({
    id: `AwsSolutions-IAM5[Resource::${nagResource(provider.deletionPolicy, arn)}]`,
    reason: `Deletes only the copy a CopyJob of this stack with removal policy DESTROY made, named by the copy job's own description; a copy's ARN is known only once it exists (in the destination's Region ${region === '*' ? 'given at deploy time' : region})`,
  })));
  provider.grantForDeletion(dependent, 'DeleteCopies', ['backup:DeleteRecoveryPoint'], arns);
}
