/**
 * Integration test (an AWS account): a busy resource. Two BackupJobs of one
 * table start side by side (nothing orders them), so AWS Backup finds the
 * table busy for one of them and queues it or ends it at once, whichever it
 * does in that account and region; both deploy, each with a COMPLETED backup
 * of its own. Asserted through the AWS API. Everything is removed with the
 * stacks, recovery points included.
 *
 * Run it as CONTRIBUTING.md says: npm run integ -- busy-resource
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { expectCompleted, testBackup, testTable, testVault } from './resources';

const app = new App();
const stack = new Stack(app, 'BackupJobsIntegBusyResource');
const table = testTable(stack);
const jobs = ['First', 'Second'].map((id) => testBackup(stack, id, table, testVault(stack, `${id}Vault`)));

const integ = new IntegTest(app, 'BusyResource', { testCases: [stack] });
for (const job of jobs) expectCompleted(integ, job, table);
app.synth();
