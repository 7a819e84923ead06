/** The DynamoDB calls of the handlers: one client per container, its calls bounded by the invocation. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tableNameOfArn } from '../../lib/core/arns';
import { bounded } from './invocation';

let client: DynamoDBClient | undefined;

export function dynamodbClient(): DynamoDBClient {
  client ??= bounded(new DynamoDBClient({ maxAttempts: 5, requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 } }));
  return client;
}

/** The table's name in its ARN; throws on an ARN that names no table. */
export function tableNameOf(arn: string): string {
  const table = tableNameOfArn(arn);
  if (!table) throw new Error(`${arn} is not a DynamoDB table ARN`);
  return table;
}
