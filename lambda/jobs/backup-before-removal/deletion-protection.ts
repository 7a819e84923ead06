/**
 * A resource's own deletion protection, which a removal guard turns on when it
 * could not back the resource up before its deletion: CloudFormation may go on
 * to delete a resource whose dependent failed to delete (users report it), and
 * a protected resource it cannot delete. Supported: DynamoDB tables
 * (DeletionProtectionEnabled), RDS DB instances and Aurora clusters
 * (DeletionProtection), EC2 instances (DisableApiTermination).
 */
import { UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { PROTECTABLE_RESOURCE_TYPES, ProtectableType } from '../../../lib/core/backup-before-removal-contract';
import { dynamodbClient, tableNameOf } from '../dynamodb';
import { bounded } from '../invocation';

/**
 * The RDS and EC2 calls (instance-protection.ts), loaded on first use: built
 * as a bundle of its own beside the handlers', so that their cold start does
 * not pay for two more SDK clients. The computed path is left to Node.js,
 * which finds that bundle (or, run from source, the module) beside this one.
 */
function instances(): typeof import('./instance-protection') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(['.', 'instance-protection'].join('/'));
}

/** How each protectable type turns its protection on, and how a user turns it off again. */
interface Protection {
  protect(resourceArn: string): Promise<unknown>;
  unprotectCommand(resourceArn: string): string;
  /** The errors that say the resource is gone. */
  readonly gone: readonly string[];
}

const PROTECTIONS: Readonly<Record<ProtectableType, Protection>> = {
  DynamoDB: {
    protect: (arn) => dynamodbClient().send(new UpdateTableCommand({ TableName: tableNameOf(arn), DeletionProtectionEnabled: true })),
    unprotectCommand: (arn) => `aws dynamodb update-table --table-name ${tableNameOf(arn)} --no-deletion-protection-enabled`,
    gone: ['ResourceNotFoundException'],
  },
  RDS: {
    protect: (arn) => instances().protectDbInstance(idOf(arn), bounded),
    unprotectCommand: (arn) => `aws rds modify-db-instance --db-instance-identifier ${idOf(arn)} --no-deletion-protection --apply-immediately`,
    gone: ['DBInstanceNotFoundFault', 'DBInstanceNotFound'],
  },
  Aurora: {
    protect: (arn) => instances().protectDbCluster(idOf(arn), bounded),
    unprotectCommand: (arn) => `aws rds modify-db-cluster --db-cluster-identifier ${idOf(arn)} --no-deletion-protection --apply-immediately`,
    gone: ['DBClusterNotFoundFault'],
  },
  EC2: {
    protect: (arn) => instances().protectEc2Instance(idOf(arn), bounded),
    unprotectCommand: (arn) => `aws ec2 modify-instance-attribute --instance-id ${idOf(arn)} --no-disable-api-termination`,
    gone: ['InvalidInstanceID.NotFound'],
  },
};

/** Turns deletion protection on: `protected`, or `gone` when the resource no longer exists. Throws on any other failure. */
export async function protectFromDeletion(resourceType: string, resourceArn: string): Promise<'protected' | 'gone'> {
  const protection = protectionOf(resourceType);
  try {
    await protection.protect(resourceArn);
    return 'protected';
  } catch (error) {
    if (protection.gone.includes((error as { name?: string }).name ?? '')) return 'gone';
    throw error;
  }
}

/** How a user turns it off again (the failure message says so). */
export function unprotectCommand(resourceType: string, resourceArn: string): string {
  return protectionOf(resourceType).unprotectCommand(resourceArn);
}

function protectionOf(resourceType: string): Protection {
  if (!PROTECTABLE_RESOURCE_TYPES.has(resourceType)) throw new Error(`turning on the deletion protection of a ${resourceType} resource is not supported`);
  return PROTECTIONS[resourceType as ProtectableType];
}

/** The identifier an ARN ends with (`db:<id>`, `cluster:<id>`, `instance/<id>`). */
function idOf(arn: string): string {
  return arn.split(/[:/]/).pop()!;
}
