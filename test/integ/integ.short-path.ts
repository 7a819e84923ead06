/**
 * Integration test (an AWS account): a BackupJob on the short path (a
 * 58-minute timeout) of a DynamoDB table, asserted through the AWS API: the
 * job COMPLETED and its recovery point exists. Everything it makes is
 * removed with the stacks, recovery points included (removal policy DESTROY).
 *
 * Run it as CONTRIBUTING.md says: npm run integ -- short-path
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { expectCompleted, testBackup, testTable, testVault } from './resources';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegShortPath');
const table = testTable(stack);
const vault = testVault(stack);
const job = testBackup(stack, 'Snapshot', table, vault);
expectCompleted(new IntegTest(app, 'ShortPath', { testCases: [stack] }), job, table, vault);
app.synth();
