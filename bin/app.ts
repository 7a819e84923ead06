#!/usr/bin/env node
import { App, Duration } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';

const app = new App();
// `-c snapshotTimeoutHours=10`: the backup waits through the long-wait path (up to 12 hours).
const hours = app.node.tryGetContext('snapshotTimeoutHours');
new ExampleStack(app, 'BackupJobsExample', {
  migrationVersion: app.node.tryGetContext('migrationVersion'),
  snapshotTimeout: hours === undefined ? undefined : Duration.hours(Number(hours)),
  // `-c guardTable=true`: a BackupBeforeRemoval guards the table; `-c partitionKey=orderId` makes an update replace it.
  guardTable: app.node.tryGetContext('guardTable') === true || app.node.tryGetContext('guardTable') === 'true',
  partitionKey: app.node.tryGetContext('partitionKey'),
  // `-c drVaultArn=arn:aws:backup:us-west-2:111111111111:backup-vault:dr`: the backup is copied there before the migration.
  drVaultArn: app.node.tryGetContext('drVaultArn'),
  // `-c gate=true`: the whole pre-migration gate (a scan of the uploads' backup, a validated restore).
  gate: app.node.tryGetContext('gate') === true || app.node.tryGetContext('gate') === 'true',
  description: 'cdk-backup-jobs example: a DynamoDB table, a pre-migration backup and a migration that waits for it',
});
