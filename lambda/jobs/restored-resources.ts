/**
 * Deleting what a restore created, for the removal policy DESTROY. Supported:
 * DynamoDB tables (the restore-test case).
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { dynamodbClient, isNotFoundError, tableNameOf } from './dynamodb';

/** Deletes a restored resource: `deleted`, or `gone` when it no longer exists. Throws on any other failure. */
export async function deleteRestoredResource(resourceType: string, resourceArn: string): Promise<'deleted' | 'gone'> {
  if (resourceType !== 'DynamoDB') {
    throw new Error(`deleting a restored ${resourceType} resource is not supported`);
  }
  try {
    await dynamodbClient().send(new DeleteTableCommand({ TableName: tableNameOf(resourceArn) }));
    return 'deleted';
  } catch (error) {
    if (isNotFoundError(error)) return 'gone';
    throw error;
  }
}
