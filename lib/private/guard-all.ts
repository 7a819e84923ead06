/**
 * BackupBeforeRemoval.guardAll: an aspect that adds a guard beside every
 * resource of a scope that AWS Backup backs up and CloudFormation would not
 * keep anyway, sharing one vault and one role per stack.
 */
import { Annotations, ArnFormat, Aspects, CfnResource, IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import type { BackupSettings } from '../backup-settings';
import { ProtectedResource } from '../protected-resource';
import { guardsOf, isClusterMember, keptBy } from './guarded';
import { ownVaultGrant } from './backup-job-grants';
import { recordGrant } from './grants';
import { generatedVaultName } from './names';
import { newBackupRole } from './service-roles';
import { stackSingleton } from './stack-singleton';

/** How a CloudFormation resource type is backed up: its AWS Backup type and its ARN. */
interface Guardable {
  readonly resourceType: string;
  arnOf(resource: CfnResource): string;
}

const byAttribute = (resourceType: string): Guardable => ({ resourceType, arnOf: (r) => r.getAtt('Arn').toString() });
const byFormat = (resourceType: string, service: string, resource: string, sep: ':' | '/'): Guardable => ({
  resourceType,
  arnOf: (r) => Stack.of(r).formatArn({ service, resource, resourceName: r.ref, arnFormat: sep === ':' ? ArnFormat.COLON_RESOURCE_NAME : ArnFormat.SLASH_RESOURCE_NAME }),
});

/** The CloudFormation resource types guardAll guards, as AWS Backup names them. */
const GUARDABLE: Readonly<Record<string, Guardable>> = {
  'AWS::DynamoDB::Table': byAttribute('DynamoDB'),
  'AWS::EFS::FileSystem': byAttribute('EFS'),
  'AWS::S3::Bucket': byAttribute('S3'),
  'AWS::EC2::Volume': byFormat('EBS', 'ec2', 'volume', '/'),
  'AWS::EC2::Instance': byFormat('EC2', 'ec2', 'instance', '/'),
  'AWS::RDS::DBInstance': byFormat('RDS', 'rds', 'db', ':'),
  'AWS::RDS::DBCluster': byFormat('Aurora', 'rds', 'cluster', ':'),
  'AWS::DocDB::DBCluster': byFormat('DocumentDB', 'rds', 'cluster', ':'),
  'AWS::Neptune::DBCluster': byFormat('Neptune', 'rds', 'cluster', ':'),
  'AWS::FSx::FileSystem': byFormat('FSx', 'fsx', 'file-system', '/'),
};

/** The vault and role the guards of a stack share, made with its first guard (unless the options give them). */
class SharedGuardResources extends Construct {
  public static of(scope: IConstruct): SharedGuardResources {
    return stackSingleton(scope as Construct, 'cdk-backup-jobs.BackupBeforeRemoval', (stack, id) => new SharedGuardResources(stack, id));
  }

  private vault?: backup.IBackupVault;
  private role?: iam.Role;
  private s3Policy = false;

  /** The stack's guards' vault: named and locked as the options say, kept when the stack goes. */
  public vaultFor(options: BackupSettings): backup.IBackupVault {
    if (!this.vault) {
      this.vault = new backup.BackupVault(this, 'Vault', {
        backupVaultName: options.backupVaultName ?? generatedVaultName(this),
        lockConfiguration: options.vaultLock,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      recordGrant(this.vault, ownVaultGrant(this, options.backupVaultName, this.vault));
    }
    return this.vault;
  }

  /** The role, with S3's own policy once a bucket is guarded. */
  public roleFor(resourceType: string): iam.IRole {
    if (!this.role) {
      this.role = newBackupRole(this, resourceType) as iam.Role;
      this.s3Policy = resourceType === 'S3';
    } else if (resourceType === 'S3' && !this.s3Policy) {
      this.s3Policy = true;
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AWSBackupServiceRolePolicyForS3Backup'));
    }
    return this.role;
  }
}

/** Adds the guard of one resource (BackupBeforeRemoval's constructor): what guardAll calls for each resource it guards. */
export type AddGuard<Options> = (scope: Construct, id: string, props: Options & { readonly resource: ProtectedResource; readonly resourceConstruct: CfnResource }) => void;

class GuardAll<Options extends BackupSettings> implements IAspect {
  constructor(private readonly options: Options, private readonly addGuard: AddGuard<Options>) {}

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || guardsOf.has(node)) return;
    const guardable = GUARDABLE[node.cfnResourceType];
    if (!guardable) return;
    if (isClusterMember(node)) {
      Annotations.of(node).addInfo('cdk-backup-jobs: not guarded: a DB instance of a cluster (AWS Backup backs up the cluster, not its members)');
      return;
    }
    const kept = keptBy(node);
    if (kept.onDelete && kept.onReplace) {
      Annotations.of(node).addInfo(`cdk-backup-jobs: not guarded: CloudFormation keeps it when it deletes or replaces it (DeletionPolicy ${node.cfnOptions.deletionPolicy})`);
      return;
    }
    if (guardable.resourceType === 'S3' && !versioned(node)) {
      Annotations.of(node).addWarningV2('cdk-backup-jobs:guard-unversioned-bucket', 'Not guarded: AWS Backup backs up only buckets with versioning enabled');
      return;
    }
    const shared = SharedGuardResources.of(node);
    const parent = node.node.scope as Construct;
    const id = parent.node.tryFindChild('BackupBeforeRemoval') ? `BackupBeforeRemoval${node.node.id}` : 'BackupBeforeRemoval';
    this.addGuard(parent, id, {
      ...this.options,
      // One vault for the stack's guards (given, or made with the name and lock the options give).
      backupVault: this.options.backupVault ?? shared.vaultFor(this.options),
      backupVaultName: undefined,
      vaultLock: undefined,
      backupRole: this.options.backupRole ?? shared.roleFor(guardable.resourceType),
      resource: ProtectedResource.fromArn(guardable.arnOf(node), guardable.resourceType),
      resourceConstruct: node,
    });
  }
}

function versioned(bucket: CfnResource): boolean {
  const config = (bucket as s3.CfnBucket).versioningConfiguration;
  return !!config && !('resolve' in (config as object)) && (config as s3.CfnBucket.VersioningConfigurationProperty).status === 'Enabled';
}

/** Guards every resource of `scope` that AWS Backup backs up and CloudFormation would delete or replace without keeping it. */
export function guardAllAspect<Options extends BackupSettings>(scope: IConstruct, options: Options, addGuard: AddGuard<Options>): void {
  Aspects.of(scope).add(new GuardAll(options, addGuard));
}
