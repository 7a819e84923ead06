#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';

const app = new App();
new ExampleStack(app, 'BackupJobsExample', {
  migrationVersion: app.node.tryGetContext('migrationVersion'),
  description: 'cdk-backup-jobs example: a DynamoDB table, a pre-migration backup and a migration that waits for it',
});
