/**
 * What the provider's handlers may do for the restore job kind: restore
 * recovery points with a restore role, read restore jobs, and (removal policy
 * DESTROY) delete a restored table.
 */
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { resourceTypeInfo } from '../core/resource-types';
import type { Grant } from './grants';
import type { JobProvider } from './provider';
import { recoveryPointArns } from './recovery-point-arns';

/**
 * Lets the handlers restore recovery points of a type (StartRestoreJob and
 * GetRecoveryPointRestoreMetadata) with a restore role: the recovery point
 * itself when its ARN is known at synth, else the type's recovery points in
 * this account and region (a DynamoDB one narrowed to its table when the
 * table's name is known at synth).
 */
export function grantStartRestoreJob(provider: JobProvider, resourceType: string, restoreRole: Grant, recoveryPoint: { arn: string; sourceResourceName?: string }): void {
  const info = resourceTypeInfo(resourceType);
  if (!info) return;
  const exact = !Token.isUnresolved(recoveryPoint.arn);
  const sourceName = recoveryPoint.sourceResourceName !== undefined && !Token.isUnresolved(recoveryPoint.sourceResourceName) ? recoveryPoint.sourceResourceName : undefined;
  provider.grant({ sid: 'RestoreRecoveryPoints', actions: ['backup:StartRestoreJob', 'backup:GetRecoveryPointRestoreMetadata'] }, exact
    ? [recoveryPoint.arn]
    : recoveryPointArns(provider.handlerRole, info, sourceName, 'A recovery point that a backup of this deploy makes has no ARN at synth (naming it would make the provider depend on the backup)'));
  // DescribeRestoreJob does not support resource-level permissions.
  provider.grantOnAnything('ReadRestoreJobs', ['backup:DescribeRestoreJob']);
  provider.grantPassRole(restoreRole);
}

/**
 * Lets the handlers delete a table that a restore created (removal policy
 * DESTROY), and read the restore's status first: what the restore's Delete
 * needs (in the deletion policy).
 */
export function grantDeleteRestoredTable(provider: JobProvider, dependent: IConstruct, tableName: string): void {
  provider.grantForDeletion(dependent, 'ReadRestoreJobsToDelete', ['backup:DescribeRestoreJob', 'backup:ListRestoreJobs'], ['*']);
  // Described first: a table of that name made after the restore ended is not the restore's to delete.
  provider.grantForDeletion(dependent, 'DeleteRestoredTables', ['dynamodb:DeleteTable', 'dynamodb:DescribeTable'],
    [Stack.of(provider).formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName })]);
}
