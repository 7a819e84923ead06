/**
 * A resource's own deletion protection, which a removal guard turns on when it
 * could not back the resource up before its deletion: CloudFormation may go on
 * to delete a resource whose dependent failed to delete (users report it), and
 * a protected resource it cannot delete. Supported: DynamoDB tables.
 */
import { UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { PROTECTABLE_RESOURCE_TYPES } from '../../../lib/core/backup-before-removal-contract';
import { isNotFound } from '../../shared/errors';
import { dynamodbClient, tableNameOf } from '../dynamodb';

/** Turns deletion protection on: `protected`, or `gone` when the resource no longer exists. Throws on any other failure. */
export async function protectFromDeletion(resourceType: string, resourceArn: string): Promise<'protected' | 'gone'> {
  if (!PROTECTABLE_RESOURCE_TYPES.has(resourceType)) throw new Error(`turning on the deletion protection of a ${resourceType} resource is not supported`);
  try {
    await dynamodbClient().send(new UpdateTableCommand({ TableName: tableNameOf(resourceArn), DeletionProtectionEnabled: true }));
    return 'protected';
  } catch (error) {
    if (isNotFound(error)) return 'gone';
    throw error;
  }
}

/** How a user turns it off again (the failure message says so). */
export function unprotectCommand(resourceType: string, resourceArn: string): string {
  return resourceType === 'DynamoDB' ? `aws dynamodb update-table --table-name ${tableNameOf(resourceArn)} --no-deletion-protection-enabled` : '';
}
