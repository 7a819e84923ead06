/**
 * Which CloudFormation resources removal guards protect, and what
 * CloudFormation's own policies keep of a resource.
 */
import { CfnDeletionPolicy, CfnResource } from 'aws-cdk-lib';

/** The CloudFormation resources a guard already protects (guardAll skips them). */
export const guardsOf = new WeakSet<CfnResource>();

/** Whether CloudFormation keeps the resource when it deletes it, and when it replaces it. */
export function keptBy(resource: CfnResource): { onDelete: boolean; onReplace: boolean } {
  const keeps = (policy: CfnDeletionPolicy | undefined) => policy === CfnDeletionPolicy.RETAIN
    || policy === CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE
    || (policy === CfnDeletionPolicy.SNAPSHOT && SNAPSHOT_TYPES.has(resource.cfnResourceType));
  return { onDelete: keeps(resource.cfnOptions.deletionPolicy), onReplace: keeps(resource.cfnOptions.updateReplacePolicy) };
}

/** The resource types CloudFormation snapshots for DeletionPolicy/UpdateReplacePolicy Snapshot. */
const SNAPSHOT_TYPES = new Set([
  'AWS::EC2::Volume', 'AWS::ElastiCache::CacheCluster', 'AWS::ElastiCache::ReplicationGroup', 'AWS::Neptune::DBCluster',
  'AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::Redshift::Cluster', 'AWS::DocDB::DBCluster',
]);

