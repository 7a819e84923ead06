/**
 * Deleting what a restore created, for the removal policy DESTROY. Supported:
 * DynamoDB tables (the restore-test case).
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { dynamodbClient, tableNameOf } from '../dynamodb';

/** Deletes a restored resource. Throws ResourceNotFoundException when it no longer exists, and on any other failure. */
export async function deleteRestoredResource(resourceType: string, resourceArn: string): Promise<void> {
  if (resourceType !== 'DynamoDB') {
    throw new Error(`deleting a restored ${resourceType} resource is not supported`);
  }
  await dynamodbClient().send(new DeleteTableCommand({ TableName: tableNameOf(resourceArn) }));
}
