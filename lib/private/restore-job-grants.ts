/**
 * What the provider's handlers may do for the restore job kind: restore
 * recovery points with a restore role, read restore jobs, and (removal policy
 * DESTROY) delete a restored table.
 */
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { resourceTypeInfo } from '../core/resource-types';
import type { Grant } from './grants';
import type { JobProvider } from './provider';
import { grantOnRecoveryPoint, RecoveryPointSource } from './recovery-point-arns';

/**
 * Lets the handlers restore recovery points of a type (StartRestoreJob and
 * GetRecoveryPointRestoreMetadata) with a restore role: the recovery point
 * itself when its ARN is known at synth, else the type's recovery points in
 * this account and region (a DynamoDB one narrowed to its table when the
 * table's name is known at synth; AWS Backup's own ones, when a BackupJob of
 * this stack makes it, to those with the stack's owner tag).
 */
export function grantStartRestoreJob(provider: JobProvider, resourceType: string, restoreRole: Grant, recoveryPoint: RecoveryPointSource): void {
  const info = resourceTypeInfo(resourceType);
  if (!info) return;
  grantOnRecoveryPoint(provider, { all: 'RestoreRecoveryPoints', own: 'RestoreOwnRecoveryPoints' },
    ['backup:StartRestoreJob', 'backup:GetRecoveryPointRestoreMetadata'], info, recoveryPoint);
  // DescribeRestoreJob does not support resource-level permissions.
  provider.grantOnAnything('ReadRestoreJobs', ['backup:DescribeRestoreJob']);
  provider.grantPassRole(restoreRole, 'restore');
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

/**
 * Lets the handlers invoke a restore's validation function, and report its
 * answer to AWS Backup (PutRestoreValidationResult, granted on `*`: which
 * resource it is authorized against is not documented).
 */
export function grantRestoreValidation(provider: JobProvider, functionArn: string): void {
  provider.grant({ sid: 'InvokeRestoreValidations', actions: ['lambda:InvokeFunction'] }, [functionArn]);
  provider.grantOnAnything('ReportRestoreValidations', ['backup:PutRestoreValidationResult']);
}
