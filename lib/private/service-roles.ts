import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledge';
import { Grant, grantOf, recordGrant, RoleUse } from './grants';
import { rolePathFor } from './names';

/**
 * A role that AWS Backup assumes, with the AWS managed policies AWS Backup
 * documents for the purpose, under the stack's role path (so that the provider
 * may pass it without naming it).
 */
export function newAwsBackupServiceRole(
  scope: Construct, id: string, use: RoleUse, managedPolicyNames: readonly string[], description: string, service = 'backup.amazonaws.com',
): iam.IRole {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal(service),
    path: rolePathFor(scope, use),
    managedPolicies: managedPolicyNames.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    description,
  });
  acknowledgeFindings(role, managedPolicyNames.map((name) => ({
    id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
    reason: `${name.replace('service-role/', '')} is the policy AWS Backup documents for the role it assumes for this work`,
  })));
  // Under the stack's role path for its use: the provider passes it by that pattern.
  recordGrant(role, { kind: 'stack-pattern', use });
  return role;
}

/** How the provider is granted to pass a role: by the stack's role path for one this library created, else by its ARN. */
export function passRoleGrant(role: iam.IRole): Grant {
  return grantOf(role, role.roleArn);
}

/** The role AWS Backup assumes to take a backup of a type (with S3's own policy for buckets). */
export function newBackupRole(scope: Construct, resourceType: string): iam.IRole {
  const policyNames = ['service-role/AWSBackupServiceRolePolicyForBackup'];
  if (resourceType === 'S3') policyNames.push('AWSBackupServiceRolePolicyForS3Backup');
  return newAwsBackupServiceRole(scope, 'BackupRole', 'backup', policyNames, 'Assumed by AWS Backup to take an on-demand backup (cdk-backup-jobs)');
}

/** The role AWS Backup assumes to restore a recovery point of a type (with S3's own policy for buckets). */
export function newRestoreRole(scope: Construct, resourceType: string): iam.IRole {
  const policyNames = ['service-role/AWSBackupServiceRolePolicyForRestores'];
  if (resourceType === 'S3') policyNames.push('AWSBackupServiceRolePolicyForS3Restore');
  return newAwsBackupServiceRole(scope, 'RestoreRole', 'restore', policyNames, 'Assumed by AWS Backup to restore a recovery point (cdk-backup-jobs)');
}

/** The role AWS Backup assumes to have GuardDuty scan a recovery point (it passes the scanner role on to GuardDuty). */
export function newScanRole(scope: Construct): iam.IRole {
  return newAwsBackupServiceRole(scope, 'ScanRole', 'scan', ['AWSBackupServiceRolePolicyForScans'], 'Assumed by AWS Backup to have GuardDuty scan a recovery point (cdk-backup-jobs)');
}

/** The role GuardDuty Malware Protection assumes to read a recovery point it scans. */
export function newScannerRole(scope: Construct): iam.IRole {
  return newAwsBackupServiceRole(scope, 'ScannerRole', 'scanner', ['AWSBackupGuardDutyRolePolicyForScans'],
    'Assumed by GuardDuty Malware Protection to read a recovery point it scans (cdk-backup-jobs)', 'malware-protection.guardduty.amazonaws.com');
}
