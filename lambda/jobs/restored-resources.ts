/**
 * Deleting what a restore created, for the removal policy DESTROY. Supported:
 * DynamoDB tables (the restore-test case).
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bounded } from './invocation';

let dynamodb: DynamoDBClient | undefined;

/** Deletes a restored resource: `deleted`, or `gone` when it no longer exists. Throws on any other failure. */
export async function deleteRestoredResource(resourceType: string, resourceArn: string): Promise<'deleted' | 'gone'> {
  if (resourceType !== 'DynamoDB') {
    throw new Error(`deleting a restored ${resourceType} resource is not supported`);
  }
  const table = /:table\/([^/]+)$/.exec(resourceArn)?.[1];
  if (!table) throw new Error(`${resourceArn} is not a DynamoDB table ARN`);
  dynamodb ??= bounded(new DynamoDBClient({ maxAttempts: 5, requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 } }));
  try {
    await dynamodb.send(new DeleteTableCommand({ TableName: table }));
    return 'deleted';
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return 'gone';
    throw error;
  }
}
