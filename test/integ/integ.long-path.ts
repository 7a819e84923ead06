/**
 * Integration test (an AWS account): a BackupJob with a 2-hour timeout, which
 * waits through the long-wait path (the stack's poller and a WaitCondition),
 * asserted through the AWS API: the job COMPLETED and its recovery point
 * exists (the assertions run only once the WaitCondition let the stack
 * finish). Everything it makes is removed with the stacks, recovery points
 * included.
 *
 * Run it as CONTRIBUTING.md says: npm run integ -- long-path
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { expectCompleted, testBackup, testTable, testVault } from './resources';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegLongPath');
const table = testTable(stack);
const vault = testVault(stack);
const job = testBackup(stack, 'Snapshot', table, vault, Duration.hours(2));
expectCompleted(new IntegTest(app, 'LongPath', { testCases: [stack] }), job, table, vault);
app.synth();
