/**
 * Which CloudFormation resources removal guards protect, and what
 * CloudFormation's own policies keep of a resource.
 */
import { CfnDeletionPolicy, CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';

/** The CloudFormation resources a guard already protects (guardAll skips them). */
export const guardsOf = new WeakSet<CfnResource>();

/** Whether CloudFormation keeps the resource when it deletes it, and when it replaces it. */
export function keptBy(resource: CfnResource): { onDelete: boolean; onReplace: boolean } {
  const keeps = (policy: CfnDeletionPolicy | undefined) => policy === CfnDeletionPolicy.RETAIN
    || policy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE
    || (policy === CfnDeletionPolicy.SNAPSHOT && SNAPSHOT_TYPES.has(resource.cfnResourceType));
  return { onDelete: keeps(resource.cfnOptions.deletionPolicy ?? defaultDeletionPolicy(resource)), onReplace: keeps(resource.cfnOptions.updateReplacePolicy) };
}

/**
 * CloudFormation's DeletionPolicy for a resource that gives none: Delete, but
 * Snapshot for an RDS DB cluster and for a DB instance that is not a cluster's
 * member (CloudFormation's DeletionPolicy documentation).
 */
function defaultDeletionPolicy(resource: CfnResource): CfnDeletionPolicy | undefined {
  if (resource.cfnResourceType === 'AWS::RDS::DBCluster') return CfnDeletionPolicy.SNAPSHOT;
  if (resource.cfnResourceType === 'AWS::RDS::DBInstance' && !isClusterMember(resource)) return CfnDeletionPolicy.SNAPSHOT;
  return undefined;
}

/** Whether a resource is a DB instance of a cluster (AWS Backup backs up the cluster, never its members). */
export function isClusterMember(resource: CfnResource): boolean {
  return resource instanceof rds.CfnDBInstance && resource.dbClusterIdentifier !== undefined;
}

/** The resource types CloudFormation snapshots for DeletionPolicy/UpdateReplacePolicy Snapshot. */
const SNAPSHOT_TYPES = new Set([
  'AWS::EC2::Volume', 'AWS::ElastiCache::CacheCluster', 'AWS::ElastiCache::ReplicationGroup', 'AWS::Neptune::DBCluster',
  'AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::Redshift::Cluster', 'AWS::DocDB::DBCluster',
]);

