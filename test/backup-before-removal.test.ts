import { App, Aspects, CfnParameter, CfnResource, Duration, IAspect, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { BackupBeforeRemoval, BackupBeforeRemovalProps, ProtectedResource } from '../lib';

function newStack(id = 'Stack', app = new App()): Stack {
  return new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
}

function table(stack: Stack, id = 'Orders', removalPolicy: RemovalPolicy = RemovalPolicy.DESTROY): dynamodb.Table {
  return new dynamodb.Table(stack, id, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, removalPolicy });
}

function guard(stack: Stack, t: dynamodb.Table, props: Partial<BackupBeforeRemovalProps> = {}, id = 'Guard'): BackupBeforeRemoval {
  return new BackupBeforeRemoval(stack, id, { resource: ProtectedResource.fromDynamoDbTable(t), ...props });
}

const logicalIdOf = (stack: Stack, c: IConstruct) => stack.getLogicalId((c.node.defaultChild ?? c) as CfnResource);

/** The guards' own policy: its logical id and resource. */
function guardPolicy(template: Template): [string, any] {
  const found = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => /RemovalGuardGrants[0-9A-F]{8}$/.test(id));
  if (!found) throw new Error('no RemovalGuardGrants policy');
  return found;
}

const statementOf = (policy: any, sid: string) => policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === sid);

describe('a guard of a DynamoDB table', () => {
  const stack = newStack();
  const orders = table(stack);
  const g = guard(stack, orders);
  const template = Template.fromStack(stack);
  const [guardId, resource] = Object.entries(template.findResources('Custom::BackupBeforeRemoval'))[0] as [string, any];

  test('renders the backup\'s request, the resource\'s logical id, the timeout, and deletion protection on failure', () => {
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/frameworkonEvent/), 'Arn'] },
      ServiceTimeout: '3600',
      ResourceArn: { 'Fn::GetAtt': [logicalIdOf(stack, orders), 'Arn'] },
      ResourceType: 'DynamoDB',
      ResourceLogicalId: logicalIdOf(stack, orders),
      BackupVaultName: { 'Fn::GetAtt': [expect.stringMatching(/^GuardVault/), 'BackupVaultName'] },
      IamRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^GuardBackupRole/), 'Arn'] },
      TimeoutSeconds: 3480,
      ProtectOnFailure: true,
    });
    expect(g.guardedResource).toBe(orders.node.defaultChild);
  });

  test('depends on the table (deleted before it, updated after its replacement) and on its own grants', () => {
    const [policyId] = guardPolicy(template);
    expect(resource.DependsOn).toEqual(expect.arrayContaining([logicalIdOf(stack, orders), policyId]));
  });

  test('keeps its vault when the stack goes', () => {
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('grants, in the guards\' own policy: StartBackupJob into the vault, PassRole to AWS Backup only, StopBackupJob, the stack\'s status and template, and deletion protection of this table only', () => {
    const [, policy] = guardPolicy(template);
    expect(statementOf(policy, 'StartBackupsBeforeRemoval').Action).toBe('backup:StartBackupJob');
    // The vaults this stack's constructs make, by their name prefix: the policy does not grow with the guards.
    expect(JSON.stringify(statementOf(policy, 'StartBackupsBeforeRemoval').Resource)).toMatch(/:backup-vault:bj-[0-9a-f]{8}-\*"\]\]\}\]$/);
    expect(statementOf(policy, 'PassRolesBeforeRemoval')).toMatchObject({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } } });
    expect(statementOf(policy, 'StopBackupsBeforeRemoval')).toMatchObject({ Action: 'backup:StopBackupJob', Resource: '*' });
    expect(statementOf(policy, 'ReadStackBeforeRemoval')).toMatchObject({ Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'], Resource: [{ Ref: 'AWS::StackId' }] });
    expect(statementOf(policy, 'ProtectGuardedDynamoDB')).toMatchObject({ Action: 'dynamodb:UpdateTable', Resource: [{ 'Fn::GetAtt': [logicalIdOf(stack, orders), 'Arn'] }] });
  });

  test('the custom resource is the guard\'s id', () => {
    expect(guardId).toMatch(/^Guard/);
  });
});

describe('what CloudFormation keeps', () => {
  test('a RETAIN table: no backup on either path, and synth says so', () => {
    const stack = newStack();
    guard(stack, table(stack, 'Orders', RemovalPolicy.RETAIN));
    Template.fromStack(stack).hasResourceProperties('Custom::BackupBeforeRemoval', { BackupOnDelete: false, BackupOnReplace: false });
    Annotations.fromStack(stack).hasWarning('/Stack/Guard', Match.stringLikeRegexp('No backup is ever taken: CloudFormation keeps Stack/Orders/Resource when it deletes or replaces it'));
  });

  test('a removal policy applied after the guard was made (here by an aspect) is what counts', () => {
    const stack = newStack();
    const t = table(stack);
    guard(stack, t);
    Aspects.of(stack).add({ visit: (node: IConstruct) => { if (node === t.node.defaultChild) (node as CfnResource).applyRemovalPolicy(RemovalPolicy.RETAIN); } } as IAspect);
    Template.fromStack(stack).hasResourceProperties('Custom::BackupBeforeRemoval', { BackupOnDelete: false, BackupOnReplace: false });
  });

  test('kept on deletion only: backed up before a replacement, and synth says so', () => {
    const stack = newStack();
    const t = table(stack);
    (t.node.defaultChild as CfnResource).cfnOptions.deletionPolicy = 'Retain' as any;
    guard(stack, t);
    const props = (Object.values(Template.fromStack(stack).findResources('Custom::BackupBeforeRemoval'))[0] as any).Properties;
    expect(props.BackupOnDelete).toBe(false);
    expect(props.BackupOnReplace).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/Stack/Guard', Match.stringLikeRegexp('No backup before a deletion'));
  });
});

describe('synth errors, all in one message', () => {
  test('a timeout past 58 minutes, a vault name with a given vault, and a bad lifecycle', () => {
    const stack = newStack();
    const t = table(stack);
    const vault = new backup.BackupVault(stack, 'Vault');
    expect(() => guard(stack, t, { timeout: Duration.hours(2), backupVault: vault, backupVaultName: 'named', lifecycle: { moveToColdStorageAfter: Duration.days(10), deleteAfter: Duration.days(20) } }))
      .toThrow(/BackupBeforeRemoval Stack\/Guard[\s\S]*backupVaultName names the vault this construct creates[\s\S]*timeout \(2 hours\) must be at most 58 minutes: a backup before a removal waits in its custom resource alone[\s\S]*lifecycle\.deleteAfter/);
  });

  test('a timeout that is a token, or under a minute', () => {
    const stack = newStack();
    const t = table(stack);
    const minutes = new CfnParameter(stack, 'Minutes', { type: 'Number' });
    expect(() => guard(stack, t, { timeout: Duration.seconds(minutes.valueAsNumber) })).toThrow(/timeout must be known at synth \(a backup before a removal waits at most 58 minutes\)/);
    expect(() => guard(stack, t, { timeout: Duration.minutes(minutes.valueAsNumber) }, 'InMinutes')).toThrow(/timeout is a token that cannot be converted to whole seconds; build it with Duration\.seconds/);
    expect(() => guard(stack, t, { timeout: Duration.seconds(30) }, 'Short')).toThrow(/timeout \(30 seconds\) must be a whole number of seconds, at least 1 minute/);
  });

  test('a literal ARN without resourceConstruct names the rule; with it, the guard depends on that resource', () => {
    const stack = newStack();
    const t = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const resource = ProtectedResource.fromArn('arn:aws:dynamodb:eu-west-1:123456789012:table/orders');
    expect(() => new BackupBeforeRemoval(stack, 'Guard', { resource }))
      .toThrow(/resource \(arn:aws:dynamodb:eu-west-1:123456789012:table\/orders\) refers to no resource of this app: pass resourceConstruct/);
    new BackupBeforeRemoval(stack, 'Guard2', { resource, resourceConstruct: t });
    const [res] = Object.values(Template.fromStack(stack).findResources('Custom::BackupBeforeRemoval')) as any[];
    expect(res.DependsOn).toContain(logicalIdOf(stack, t));
    expect(res.Properties.ResourceLogicalId).toBe(logicalIdOf(stack, t));
  });

  test('a resource of another stack', () => {
    const app = new App();
    const other = newStack('Data', app);
    const t = table(other);
    const stack = newStack('Guards', app);
    expect(() => guard(stack, t)).toThrow(/resource Data\/Orders\/Resource is in stack Data, not in this guard's stack Guards/);
  });

  test('a vault that the same stack deletes would take the backups with it', () => {
    const stack = newStack();
    const vault = new backup.BackupVault(stack, 'Vault', { removalPolicy: RemovalPolicy.DESTROY });
    expect(() => guard(stack, table(stack), { backupVault: vault })).toThrow(/backupVault \(Stack\/Vault\) is deleted with this stack \(DeletionPolicy Delete\)/);
  });
});

test('protectOnFailure: false renders no deletion protection and grants no UpdateTable', () => {
  const stack = newStack();
  guard(stack, table(stack), { protectOnFailure: false });
  const template = Template.fromStack(stack);
  expect((Object.values(template.findResources('Custom::BackupBeforeRemoval'))[0] as any).Properties.ProtectOnFailure).toBeUndefined();
  expect(statementOf(guardPolicy(template)[1], 'ProtectGuardedDynamoDB')).toBeUndefined();
});

test.each([
  ['an RDS DB instance', 'RDS', 'rds:ModifyDBInstance', 'db'],
  ['an Aurora cluster', 'Aurora', 'rds:ModifyDBCluster', 'cluster'],
  ['an EC2 instance', 'EC2', 'ec2:ModifyInstanceAttribute', 'instance'],
])('%s: deletion protection turned on by %s\'s own action, on this resource only', (_, type, action, kind) => {
  const stack = newStack();
  const resource = kind === 'instance' ? new ec2.CfnInstance(stack, 'Server', {}) : kind === 'db' ? new rds.CfnDBInstance(stack, 'Db', {}) : new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql' });
  resource.applyRemovalPolicy(RemovalPolicy.DESTROY);
  const arn = kind === 'instance' ? `arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0` : `arn:aws:rds:us-east-1:123456789012:${kind}:orders`;
  new BackupBeforeRemoval(stack, 'Guard', { resource: ProtectedResource.fromArn(arn, type), resourceConstruct: resource });
  const template = Template.fromStack(stack);
  expect((Object.values(template.findResources('Custom::BackupBeforeRemoval'))[0] as any).Properties.ProtectOnFailure).toBe(true);
  expect(statementOf(guardPolicy(template)[1], `ProtectGuarded${type}`)).toMatchObject({ Action: action, Resource: [arn] });
});

test('an EFS file system: no deletion protection to turn on', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
  const fs = new efs.FileSystem(stack, 'Files', { vpc, removalPolicy: RemovalPolicy.DESTROY });
  new BackupBeforeRemoval(stack, 'Guard', { resource: ProtectedResource.fromEfsFileSystem(fs) });
  const props = (Object.values(Template.fromStack(stack).findResources('Custom::BackupBeforeRemoval'))[0] as any).Properties;
  expect(props).toMatchObject({ ResourceType: 'EFS', ResourceLogicalId: logicalIdOf(stack, fs) });
  expect(props.ProtectOnFailure).toBeUndefined();
});

describe('BackupBeforeRemoval.guardAll', () => {
  const stack = newStack();
  const guarded = table(stack, 'Guarded');
  table(stack, 'Kept', RemovalPolicy.RETAIN);
  const explicit = table(stack, 'Explicit');
  guard(stack, explicit, {}, 'ExplicitGuard');
  new s3.Bucket(stack, 'Plain', { removalPolicy: RemovalPolicy.DESTROY });
  const versioned = new s3.Bucket(stack, 'Versioned', { versioned: true, removalPolicy: RemovalPolicy.DESTROY });
  BackupBeforeRemoval.guardAll(stack, { lifecycle: { deleteAfter: Duration.days(30) } });
  const template = Template.fromStack(stack);
  const guards = Object.values(template.findResources('Custom::BackupBeforeRemoval')) as any[];
  const guardedIds = guards.map((r) => r.Properties.ResourceLogicalId).sort();

  test('guards what CloudFormation would delete, once each: not the RETAIN table, not the bucket without versioning', () => {
    expect(guardedIds).toEqual([logicalIdOf(stack, explicit), logicalIdOf(stack, guarded), logicalIdOf(stack, versioned)].sort());
    Annotations.fromStack(stack).hasWarning('/Stack/Plain/Resource', Match.stringLikeRegexp('AWS Backup backs up only buckets with versioning enabled'));
    Annotations.fromStack(stack).hasInfo('/Stack/Kept/Resource', Match.stringLikeRegexp('not guarded: CloudFormation keeps it'));
  });

  test('the guards it adds share one vault and one role (with S3\'s policy for the bucket), and take the options', () => {
    const added = guards.filter((r) => r.Properties.ResourceLogicalId !== logicalIdOf(stack, explicit));
    expect(new Set(added.map((r) => JSON.stringify(r.Properties.BackupVaultName))).size).toBe(1);
    expect(new Set(added.map((r) => JSON.stringify(r.Properties.IamRoleArn))).size).toBe(1);
    expect(added.every((r) => r.Properties.Lifecycle?.DeleteAfterDays === 30)).toBe(true);
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('cdkbackupjobsBackupBeforeRemoval'));
    expect(roles).toHaveLength(1);
    expect(JSON.stringify(roles[0][1])).toMatch(/AWSBackupServiceRolePolicyForS3Backup/);
  });

  test('passes cdk-nag AwsSolutionsChecks for what the library owns', () => {
    const app = new App();
    const s = newStack('Nag', app);
    const t = new dynamodb.Table(s, 'Orders', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      removalPolicy: RemovalPolicy.DESTROY,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    guard(s, t);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('BackupBeforeRemoval.guardAll and RDS', () => {
  test('an Aurora cluster is guarded, its member instances are not (AWS Backup backs up the cluster); an L1 instance or cluster without a DeletionPolicy is backed up only before a replacement (CloudFormation snapshots it when it deletes it)', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new rds.DatabaseCluster(stack, 'Aurora', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.provisioned('Writer'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new rds.CfnDBInstance(stack, 'L1Instance', { dbInstanceClass: 'db.t3.micro', engine: 'postgres', allocatedStorage: '20' });
    new rds.CfnDBCluster(stack, 'L1Cluster', { engine: 'aurora-postgresql' });
    BackupBeforeRemoval.guardAll(stack);
    const guards = Object.values(Template.fromStack(stack).findResources('Custom::BackupBeforeRemoval')) as any[];
    const byResource = Object.fromEntries(guards.map((g) => [g.Properties.ResourceLogicalId, g.Properties]));
    expect(Object.keys(byResource).sort()).toEqual([logicalIdOf(stack, cluster.node.defaultChild as any), 'L1Cluster', 'L1Instance'].sort());
    Annotations.fromStack(stack).hasInfo('/Stack/Aurora/Writer/Resource', Match.stringLikeRegexp('a DB instance of a cluster'));
    // CloudFormation's DeletionPolicy for them is Snapshot: no backup before a deletion; before a replacement, one.
    for (const l1 of ['L1Cluster', 'L1Instance']) expect(byResource[l1]).toMatchObject({ BackupOnDelete: false });
    for (const l1 of ['L1Cluster', 'L1Instance']) expect(byResource[l1].BackupOnReplace).toBeUndefined();
  });
});

describe('what empties a guarded resource when CloudFormation deletes it', () => {
  test.each([
    ['BackupBeforeRemoval', (stack: Stack, bucket: s3.Bucket) => new BackupBeforeRemoval(stack, 'Guard', { resource: ProtectedResource.fromS3Bucket(bucket), resourceConstruct: bucket })],
    ['guardAll', (stack: Stack) => BackupBeforeRemoval.guardAll(stack)],
  ])('a versioned bucket with autoDeleteObjects (%s): the guard depends on the auto-delete resource, so CloudFormation deletes the guard (the backup) first', (_, guardIt) => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Files', { versioned: true, removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    guardIt(stack, bucket);
    const template = Template.fromStack(stack);
    const [guardId] = Object.keys(template.findResources('Custom::BackupBeforeRemoval'));
    const [autoDeleteId] = Object.keys(template.findResources('Custom::S3AutoDeleteObjects'));
    expect(template.toJSON().Resources[guardId].DependsOn).toContain(autoDeleteId);
  });
});
