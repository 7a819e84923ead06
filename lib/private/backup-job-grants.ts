/**
 * What the provider's handlers may do for the backup job kind: start jobs in
 * the jobs' vaults with their roles, stop jobs, and (removal policy DESTROY)
 * delete what a job made.
 */
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import { Construct, IConstruct } from 'constructs';
import { fillArnPattern, resourceTypeInfo } from '../core/resource-types';
import { acknowledgeOnce, nagResource } from './acknowledge';
import { byArn, Grant, STACK_PATTERN } from './grants';
import { generatedNames } from './names';
import type { JobProvider } from './provider';
import { byOwnerTag, recoveryPointArns } from './recovery-point-arns';

/**
 * Lets the handlers start jobs in a vault with a backup role (and copy into an
 * air-gapped vault). A vault or role the job created itself is granted through
 * the stack's generated-name pattern; one given by the user by its ARN.
 */
export function grantStartBackupJob(provider: JobProvider, vault: Grant, backupRole: Grant, logicallyAirGappedVaultArn?: string): void {
  const statement = { sid: 'StartBackupJobs', actions: ['backup:StartBackupJob'] };
  if (vault.kind === 'stack-pattern') {
    provider.grantPattern(statement, Stack.of(provider).formatArn({
      service: 'backup', resource: 'backup-vault', resourceName: `${generatedNames(provider).vaultNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }), 'The vaults that this stack\'s BackupJobs create, by their name prefix; naming each would make the policy grow with every job and depend on every job');
  } else {
    provider.grant(statement, [vault.arn]);
  }
  if (logicallyAirGappedVaultArn) provider.grant(statement, [logicallyAirGappedVaultArn]);
  provider.grantPassRole(backupRole, 'backup');
}

/** Lets the handlers stop a running job of this type (when AWS Backup can stop it). */
export function grantStopBackupJob(provider: JobProvider, resourceType: string): void {
  if (resourceTypeInfo(resourceType)?.stoppable === false) return;
  // StopBackupJob does not support resource-level permissions.
  provider.grantOnAnything('StopBackupJobs', ['backup:StopBackupJob']);
}

/**
 * Lets the handlers read the tags of AWS Backup's own recovery points: a job
 * found by its description alone (a request CloudFormation gave up on started
 * it) is taken for this resource's only when its recovery point carries the
 * resource's owner tags.
 */
export function grantReadOwnerTags(provider: JobProvider): void {
  const stack = Stack.of(provider);
  const arn = fillArnPattern('arn:{p}:backup:{r}:{a}:recovery-point:*', stack.partition, stack.region, stack.account);
  provider.grant({ sid: 'ReadOwnerTags', actions: ['backup:ListTags'] }, [arn]);
  acknowledgeOnce(provider.handlerRole, [{
    id: `AwsSolutions-IAM5[Resource::${nagResource(provider.handlerRole, arn)}]`,
    reason: 'Reads tags only (ListTags), to prove a job found by its description this stack\'s before anything is stopped or deleted; a recovery point\'s ARN names no resource',
  }]);
}

/**
 * Lets the Delete of a DESTROY job delete its recovery points (and stop the
 * job when AWS Backup can): that type's recovery points in this account and
 * region, a DynamoDB table's own backups named by the table.
 */
export function grantDeleteRecoveryPoints(provider: JobProvider, dependent: IConstruct, resourceType: string, resourceName?: string): void {
  const info = resourceTypeInfo(resourceType);
  if (!info) return;
  if (info.stoppable) provider.grantForDeletion(dependent, 'StopBackupJobsToDelete', ['backup:StopBackupJob'], ['*']);
  const arns = recoveryPointArns(provider.deletionPolicy, info, resourceName, 'Deletes only the recovery point of a job of this stack with removal policy DESTROY, named by the job\'s own description');
  // AWS Backup's own recovery points name no resource: only those this stack's jobs tagged.
  const { own, others, condition } = byOwnerTag(arns);
  if (own.length > 0) provider.grantForDeletion(dependent, 'DeleteOwnRecoveryPoints', ['backup:DeleteRecoveryPoint'], own, condition);
  if (others.length > 0) provider.grantForDeletion(dependent, 'DeleteRecoveryPoints', ['backup:DeleteRecoveryPoint'], others);
}

/** The grant for a vault a job creates: the stack's generated-name pattern, or the ARN of the name given. */
export function ownVaultGrant(scope: Construct, name: string | undefined, vault: backup.IBackupVault): Grant {
  if (name === undefined) return STACK_PATTERN;
  if (Token.isUnresolved(name)) return byArn(vault.backupVaultArn);
  return byArn(Stack.of(scope).formatArn({ service: 'backup', resource: 'backup-vault', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
}
