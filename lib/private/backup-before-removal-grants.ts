/**
 * What the provider's handlers may do for a removal guard, in the guards' own
 * policy (so that a guard deleted in an update's cleanup, or with the stack,
 * still has them): start a backup into the guard's vault with its role, stop
 * it, read its earlier backups' tags (and retag a rolled-back replacement's),
 * read the stack's status and template, and turn on the guarded resource's
 * deletion protection when the backup failed.
 */
import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DELETION_PROTECTION, PROTECTABLE_RESOURCE_TYPES, ProtectableType, REMOVAL_TAGS } from '../core/backup-before-removal-contract';
import { resourceTypeInfo } from '../core/resource-types';
import { acknowledgeOnce, nagResource } from './acknowledge';
import type { Grant } from './grants';
import { generatedNames, rolePatternFor } from './names';
import type { JobProvider } from './provider';

export interface GuardGrants {
  readonly vault: Grant;
  readonly role: Grant;
  readonly resourceType: string;
  readonly resourceArn: string;
  readonly logicallyAirGappedVaultArn?: string;
  readonly protectOnFailure: boolean;
}

export function grantGuard(provider: JobProvider, guard: IConstruct, grants: GuardGrants): void {
  const stack = Stack.of(provider);
  const { vaultNamePrefix } = generatedNames(provider);
  const pattern = (arn: string, reason: string) => {
    acknowledgeOnce(provider.guardPolicy, [{ id: `AwsSolutions-IAM5[Resource::${nagResource(provider, arn)}]`, reason }]);
    return arn;
  };
  const vaultArn = grants.vault.kind === 'arn' ? grants.vault.arn : pattern(
    stack.formatArn({ service: 'backup', resource: 'backup-vault', resourceName: `${vaultNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    'The vaults that this stack\'s constructs create, by their name prefix; naming each would make the policy grow with every guard');
  provider.grantForGuard(guard, { sid: 'StartBackupsBeforeRemoval', actions: ['backup:StartBackupJob'] },
    [vaultArn, ...(grants.logicallyAirGappedVaultArn ? [grants.logicallyAirGappedVaultArn] : [])]);
  const roleArn = grants.role.kind === 'arn' ? grants.role.arn : pattern(rolePatternFor(provider, grants.role.use ?? 'backup'),
    'The roles this stack\'s constructs create for AWS Backup\'s backups, by their path, passed only to backup.amazonaws.com');
  provider.grantForGuard(guard, {
    sid: 'PassRolesBeforeRemoval',
    actions: ['iam:PassRole'],
    conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
  }, [roleArn]);
  if (resourceTypeInfo(grants.resourceType)?.stoppable !== false) {
    // StopBackupJob does not support resource-level permissions (a timed-out backup is stopped).
    provider.grantForGuard(guard, { sid: 'StopBackupsBeforeRemoval', actions: ['backup:StopBackupJob'] }, ['*']);
  }
  // The guard's earlier backups, proven its own by their recovery point's tags (a deletion tried again takes over the
  // backup a timed-out one left running); a rolled-back replacement's backup is retagged (its reason tag only).
  const recoveryPoints = pattern(stack.formatArn({ service: 'backup', resource: 'recovery-point', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    'The guards read the tags of AWS Backup recovery points to find their own earlier backups, and change only their reason tag; the recovery points\' ids are not known before');
  provider.grantForGuard(guard, { sid: 'ReadGuardBackupTags', actions: ['backup:ListTags'] }, [recoveryPoints]);
  provider.grantForGuard(guard, {
    sid: 'RetagRolledBackBackups',
    actions: ['backup:TagResource'],
    conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [REMOVAL_TAGS.reason] } },
  }, [recoveryPoints]);
  // What CloudFormation is doing when the guard's request comes: deleting the stack, cleaning up, rolling back.
  provider.grantForGuard(guard, { sid: 'ReadStackBeforeRemoval', actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'] }, [Aws.STACK_ID]);
  // In a nested stack, its root stack's status too: the root's rollback deletes what the failed deployment made.
  const root = rootOf(stack);
  if (root !== stack) {
    provider.grantForGuard(guard, { sid: 'ReadRootStackBeforeRemoval', actions: ['cloudformation:DescribeStacks'] },
      [pattern(root.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${root.stackName}/*` }), 'The root stack\'s id is known only once it was created: its name, and any id')]);
  }
  if (grants.protectOnFailure && PROTECTABLE_RESOURCE_TYPES.has(grants.resourceType)) {
    const { action } = DELETION_PROTECTION[grants.resourceType as ProtectableType];
    provider.grantForGuard(guard, { sid: `ProtectGuarded${grants.resourceType}`, actions: [action] }, [grants.resourceArn]);
  }
}

/** The stack a stack is nested in at the top (itself when it is not nested). */
function rootOf(stack: Stack): Stack {
  let current = stack;
  while (current.nestedStackParent) current = current.nestedStackParent;
  return current;
}
