/**
 * What the integration tests back up and where: a DynamoDB table and backup
 * vaults that go with the stack (removal policy DESTROY), so that a test
 * leaves nothing behind.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

export function testTable(stack: Stack): dynamodb.Table {
  return new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

export function testVault(stack: Stack, id = 'Vault'): backup.BackupVault {
  return new backup.BackupVault(stack, id, { removalPolicy: RemovalPolicy.DESTROY });
}
