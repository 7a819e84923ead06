/**
 * The synthesized IAM, enforced: every call a handler makes is evaluated
 * against its role's policies as they stand at that moment of the deployment
 * (CloudFormation's order: policies change in the update phase, old resources
 * go in the cleanup phase), and a denied call gets AccessDeniedException.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { BackupJob, ProtectedResource } from '../../lib';
import { Simulation, SynthesizedStack } from '../../local/simulation';
import { backupJobStack, backupOps, expectAllAnswered, jobIdOf, synthesize, TABLE_ARN, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const denied = () => simulation.standIn.requests.filter((r) => r.outcome === 'denied');

test('every call of the handlers is decided by IAM, as the handler role\'s policies allow it', async () => {
  const result = await simulation.cloudFormation('E2E').deploy(backupJobStack({ removalPolicy: RemovalPolicy.DESTROY }));
  expect(result.status).toBe('CREATE_COMPLETE');
  const handlers = simulation.iam.decisions.filter((d) => d.action !== 'states:StartExecution');
  expect(new Set(handlers.map((d) => d.action))).toEqual(new Set(['cloudformation:DescribeStackResource', 'backup:StartBackupJob', 'iam:PassRole', 'backup:DescribeBackupJob', 'backup:ListBackupJobs']));
  expect(new Set(handlers.map((d) => d.principal))).toEqual(new Set([expect.stringMatching(/^arn:aws:iam::123456789012:role\/E2E-cdkbackupjobsBackupJobProviderHandlerRole/)]));
  // The Provider framework's onEvent starts its waiter, as its own role allows.
  expect(simulation.iam.decisions.filter((d) => d.action === 'states:StartExecution').map((d) => d.principal))
    .toEqual([expect.stringMatching(/^arn:aws:iam::123456789012:role\/E2E-cdkbackupjobsBackupJobProviderframeworkonEvent/)]);
  expect(simulation.iam.decisions.every((d) => d.decision === 'Allowed')).toBe(true);
  expect(denied()).toEqual([]);
});

test('a call the synthesized policy does not allow is denied with AccessDeniedException, as AWS answers it', async () => {
  const stack = backupJobStack();
  // The same stack with the StartBackupJob grant taken out of the handlers' policy.
  for (const resource of Object.values(stack.template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const document = resource.Properties!.PolicyDocument;
    document.Statement = document.Statement.filter((s: { Sid?: string }) => s.Sid !== 'StartBackupJobs');
  }
  const result = await simulation.cloudFormation('E2E').deploy(stack);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.reason).toMatch(/StartBackupJob failed: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/.*HandlerRole.* is not authorized to perform: backup:StartBackupJob on resource: arn:aws:backup:us-east-1:123456789012:backup-vault:bj-/);
  expect(denied().map((r) => r.operation)).toEqual(['StartBackupJob']);
  expect(simulation.standIn.service.backups.jobIds()).toEqual([]);
});

/** A stack with a kept backup of the orders table, and optionally a DESTROY backup of a second table. */
function twoJobs(withDestroyJob: boolean): SynthesizedStack {
  return synthesize((stack: Stack, table) => {
    new BackupJob(stack, 'Kept', { resource: ProtectedResource.fromDynamoDbTable(table) });
    if (withDestroyJob) {
      const scratch = new dynamodb.Table(stack, 'Scratch', { tableName: 'scratch', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
      new BackupJob(stack, 'Gone', { resource: ProtectedResource.fromDynamoDbTable(scratch), removalPolicy: RemovalPolicy.DESTROY });
    }
  });
}

test('removing the last DESTROY job: its cleanup Delete still may delete its recovery point, and does', async () => {
  const cfn = simulation.cloudFormation('E2E');
  const created = await cfn.deploy(twoJobs(true));
  expect(created.status).toBe('CREATE_COMPLETE');
  const gone = backupOps(created.operations).find((o) => o.logicalId.startsWith('Gone'))!;
  const recoveryPoint = gone.response!.Data!.RecoveryPointArn as string;
  expect(simulation.standIn.service.backups.recoveryPointExists(recoveryPoint)).toBe(true);

  const updated = await cfn.deploy(twoJobs(false));
  expect(updated.status).toBe('UPDATE_COMPLETE');
  expect(backupOps(updated.operations).map((o) => `${o.logicalId.replace(/[0-9A-F]{8}$/, '')}:${o.requestType}:${o.phase}`)).toEqual(['Gone:Delete:cleanup']);
  expect(denied()).toEqual([]);
  expect(simulation.standIn.service.backups.recoveryPointExists(recoveryPoint)).toBe(false);
  // The policy that allowed it was deleted after it, in the cleanup phase.
  expect(simulation.iam.decisions.filter((d) => d.action === 'backup:DeleteRecoveryPoint').map((d) => d.decision)).toEqual(['Allowed']);
  expectAllAnswered(updated.operations);
});

test('an update that adds a DESTROY job and fails: the rollback deletes the new job\'s recovery point with the grants the update brought', async () => {
  const cfn = simulation.cloudFormation('E2E');
  expect((await cfn.deploy(twoJobs(false))).status).toBe('CREATE_COMPLETE');
  // The new job completes; a sibling added with it fails, after it.
  const stack = synthesize((s: Stack, table) => {
    new BackupJob(s, 'Kept', { resource: ProtectedResource.fromDynamoDbTable(table) });
    const scratch = new dynamodb.Table(s, 'Scratch', { tableName: 'scratch', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const gone = new BackupJob(s, 'Gone', { resource: ProtectedResource.fromDynamoDbTable(scratch), removalPolicy: RemovalPolicy.DESTROY });
    const broken = new dynamodb.Table(s, 'Broken', { tableName: 'broken', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const failing = new BackupJob(s, 'Failing', { resource: ProtectedResource.fromDynamoDbTable(broken) });
    failing.node.addDependency(gone);
  });
  simulation.standIn.service.backups.onResource('arn:aws:dynamodb:us-east-1:123456789012:table/broken', { outcome: 'FAILED', statusMessage: 'Access denied to the table.' });
  const result = await cfn.deploy(stack);
  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  const create = backupOps(result.operations).find((o) => o.logicalId.startsWith('Gone') && o.requestType === 'Create')!;
  const rollback = backupOps(result.operations).find((o) => o.logicalId.startsWith('Gone') && o.requestType === 'Delete')!;
  expect(rollback.phase).toBe('rollback');
  expect(simulation.standIn.service.backups.recoveryPointExists(create.response!.Data!.RecoveryPointArn as string)).toBe(false);
  expect(denied()).toEqual([]);
  expect(jobIdOf(create)).toBeDefined();
  expectAllAnswered(result.operations);
});

test('the kept job of the orders table is untouched by all of this', async () => {
  const cfn = simulation.cloudFormation('E2E');
  const created = await cfn.deploy(twoJobs(true));
  const kept = backupOps(created.operations).find((o) => o.logicalId.startsWith('Kept'))!;
  await cfn.deploy(twoJobs(false));
  await cfn.destroy();
  expect(simulation.standIn.service.backups.recoveryPointExists(kept.response!.Data!.RecoveryPointArn as string)).toBe(true);
  expect(simulation.standIn.count('StartBackupJob', (i) => i.ResourceArn === TABLE_ARN)).toBe(1);
});

test('a DynamoDB backup named by its table: DESTROY deletes it under the grant narrowed to that table, and no other table\'s', async () => {
  simulation.standIn.service.backups.dynamoDbNativeRecoveryPoints = true;
  const cfn = simulation.cloudFormation('E2E');
  const created = await cfn.deploy(backupJobStack({ removalPolicy: RemovalPolicy.DESTROY }));
  expect(created.status).toBe('CREATE_COMPLETE');
  const recoveryPoint = backupOps(created.operations)[0].response!.Data!.RecoveryPointArn as string;
  expect(recoveryPoint).toMatch(/^arn:aws:dynamodb:us-east-1:123456789012:table\/orders\/backup\/\d+-[0-9a-f]{8}$/);
  const handlerRole = simulation.iam.decisions[0].principal;
  const may = async (arn: string) => (await simulation.iam.authorize(handlerRole, [{ action: 'backup:DeleteRecoveryPoint', resource: arn }])).allowed;
  expect(await may(recoveryPoint)).toBe(true);
  expect(await may('arn:aws:dynamodb:us-east-1:123456789012:table/customers/backup/01732270800000-abcdef12')).toBe(false);
  expect((await cfn.destroy()).status).toBe('DELETE_COMPLETE');
  expect(simulation.standIn.service.backups.recoveryPointExists(recoveryPoint)).toBe(false);
  expect(denied()).toEqual([]);
});
