/**
 * The IAM resources of a type's recovery points in a stack's account and
 * region, each wildcard acknowledged for cdk-nag with what exactly it grants.
 */
import { Aws, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { OWNER_TAGS } from '../core/properties';
import { fillArnPattern, ResourceTypeInfo } from '../core/resource-types';
import { acknowledgeOnce, nagResource } from './acknowledge';
import type { JobProvider } from './provider';

/** The recovery point a restore or copy starts from, as its grant sees it. */
export interface RecoveryPointSource {
  readonly arn: string;
  readonly sourceResourceName?: string;
  /** Whether a BackupJob of this stack makes it (its recovery point then carries the stack's owner tag). */
  readonly madeInStack?: boolean;
}

/**
 * A type's recovery-point ARN patterns split by what narrows them: AWS
 * Backup's own (`recovery-point:*`, which names no resource), granted only
 * with the stack's owner tag (`condition`: every job of this library tags its
 * recovery point so), and the others, narrowed by their ARN where it names a
 * resource (a DynamoDB table's backups, an EBS snapshot).
 */
export function byOwnerTag(arns: readonly string[]): { own: string[]; others: string[]; condition: Record<string, Record<string, string>> } {
  return {
    own: arns.filter((arn) => arn.includes(':recovery-point:')),
    others: arns.filter((arn) => !arn.includes(':recovery-point:')),
    condition: { StringEquals: { [`aws:ResourceTag/${OWNER_TAGS.stack}`]: Aws.STACK_NAME } },
  };
}

/**
 * Lets the handlers do `actions` on a recovery point: itself when its ARN is
 * known at synth, else its type's recovery points in this account and region.
 * One a BackupJob of this stack makes carries the stack's owner tag: AWS
 * Backup's own recovery points (`recovery-point:*`, which name no resource)
 * are then granted with that tag only (statement `ownSid`).
 */
export function grantOnRecoveryPoint(provider: JobProvider, sids: { all: string; own: string }, actions: string[], info: ResourceTypeInfo, recoveryPoint: RecoveryPointSource): void {
  if (!Token.isUnresolved(recoveryPoint.arn)) {
    provider.grant({ sid: sids.all, actions }, [recoveryPoint.arn]);
    return;
  }
  const sourceName = recoveryPoint.sourceResourceName !== undefined && !Token.isUnresolved(recoveryPoint.sourceResourceName) ? recoveryPoint.sourceResourceName : undefined;
  const arns = recoveryPointArns(provider.handlerRole, info, sourceName,
    'A recovery point that a backup of this deploy makes has no ARN at synth (naming it would make the provider depend on the backup)');
  // Only one this stack's BackupJob makes carries the owner tag; any other keeps the type's patterns.
  const { own, others, condition } = recoveryPoint.madeInStack ? byOwnerTag(arns) : { own: [], others: arns, condition: undefined };
  if (own.length > 0) provider.grant({ sid: sids.own, actions, conditions: condition }, own);
  if (others.length > 0) provider.grant({ sid: sids.all, actions }, others);
}

/**
 * A type's recovery-point ARN patterns in the stack's account and region. A
 * DynamoDB backup's ARN names its table: with the table's name, that pattern is
 * narrowed to the table (AWS Backup's own `recovery-point:*` ARNs name no
 * resource and stay account-wide). `why` opens each acknowledgement on `scope`.
 */
export function recoveryPointArns(scope: IConstruct, info: ResourceTypeInfo, resourceName: string | undefined, why: string): string[] {
  const stack = Stack.of(scope);
  const arns = info.recoveryPointArnPatterns.map((pattern) => {
    const narrowed = resourceName !== undefined && pattern.includes(':table/*/backup/*') ? pattern.replace(':table/*/', `:table/${resourceName}/`) : pattern;
    return { pattern: narrowed, arn: fillArnPattern(narrowed, stack.partition, stack.region, stack.account) };
  });
  acknowledgeOnce(scope, arns.map(({ pattern, arn }) => ({
    id: `AwsSolutions-IAM5[Resource::${nagResource(scope, arn)}]`,
    reason: `${why}. This pattern grants ${describePattern(pattern)} in this account and region`,
  })));
  return arns.map((a) => a.arn);
}

/** What a recovery-point ARN pattern covers, in words (for cdk-nag acknowledgements). */
function describePattern(pattern: string): string {
  if (pattern.includes(':recovery-point:*')) return 'every AWS Backup recovery point (recovery-point:*) of any type';
  const table = /:table\/([^/]+)\/backup\/\*$/.exec(pattern)?.[1];
  if (table !== undefined) return table === '*' ? 'every DynamoDB table backup' : 'the DynamoDB backups of this one table';
  if (pattern.includes(':snapshot/*')) return 'every EBS snapshot';
  if (pattern.includes(':image/*')) return 'every AMI';
  if (pattern.includes(':cluster-snapshot:awsbackup:*')) return 'every RDS cluster snapshot that AWS Backup made';
  if (pattern.includes(':snapshot:awsbackup:*')) return 'every RDS snapshot that AWS Backup made';
  if (pattern.includes(':fsx:')) return 'every FSx backup';
  if (pattern.includes(':redshift:')) return 'every Redshift snapshot that AWS Backup made';
  return `every resource matching ${pattern}`;
}
