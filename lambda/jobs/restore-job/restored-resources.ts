/**
 * Deleting what a restore created, for the removal policy DESTROY. Supported:
 * DynamoDB tables (the restore-test case). Only the table the restore made: a
 * table of that name created after the restore ended is another's (the old
 * table was deleted by hand, and a later restore made the name again).
 */
import { DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { log } from '../../shared/log';
import { dynamodbClient, tableNameOf } from '../dynamodb';

/** How long after a restore ended its table may show as created (DynamoDB's clock and AWS Backup's). */
const CREATED_AFTER_END_MARGIN_MS = 60_000;

/**
 * Deletes a restored resource (`restoreEnded`: when the restore ended, where
 * AWS Backup still tells). Throws ResourceNotFoundException when it no longer
 * exists, and on any other failure.
 */
export async function deleteRestoredResource(resourceType: string, resourceArn: string, restoreEnded?: Date): Promise<void> {
  if (resourceType !== 'DynamoDB') {
    throw new Error(`deleting a restored ${resourceType} resource is not supported`);
  }
  const client = dynamodbClient();
  const name = tableNameOf(resourceArn);
  if (restoreEnded !== undefined) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    const created = Table?.CreationDateTime;
    if (created !== undefined && created.getTime() > restoreEnded.getTime() + CREATED_AFTER_END_MARGIN_MS) {
      log('warn', 'the table was created after this restore ended: another restore (or someone) made it; leaving it alone', {
        table: name, createdAt: created.toISOString(), restoreEndedAt: restoreEnded.toISOString(),
      });
      return;
    }
  }
  await client.send(new DeleteTableCommand({ TableName: name }));
}
