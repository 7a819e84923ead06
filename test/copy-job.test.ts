import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BackupJob, CopyJob, CopyJobProps, ProtectedResource, RecoveryPoint, RestoreJob } from '../lib';

const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';
const OTHER_ACCOUNT_VAULT = 'arn:aws:backup:us-west-2:210987654321:backup-vault:dr';

function newStack(region = 'eu-west-1'): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region } });
}

function backupOf(stack: Stack): BackupJob {
  const table = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  return new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table) });
}

function copy(stack: Stack, props: Partial<CopyJobProps> = {}, id = 'DrCopy'): CopyJob {
  const job = (stack.node.tryFindChild('Snapshot') as BackupJob | undefined) ?? backupOf(stack);
  return new CopyJob(stack, id, {
    recoveryPoint: RecoveryPoint.fromBackupJob(job),
    destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, `${id}Vault`, DR_VAULT),
    ...props,
  });
}

function handlerStatements(template: Template): any[] {
  const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) =>
    p.Properties.PolicyDocument.Statement.some((st: any) => st.Sid === 'CopyRecoveryPoints')) as any;
  return policy.Properties.PolicyDocument.Statement;
}

describe('CopyJob defaults', () => {
  const stack = newStack();
  const copyJob = copy(stack);
  const template = Template.fromStack(stack);

  test('a custom resource that copies the backup job\'s recovery point into the destination, after the backup', () => {
    const [id, resource] = Object.entries(template.findResources('Custom::CopyJob'))[0] as [string, any];
    expect(id).toMatch(/^DrCopy/);
    const [backupJobId] = Object.keys(template.findResources('Custom::BackupJob'));
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/frameworkonEvent/), 'Arn'] },
      ServiceTimeout: '3600',
      RecoveryPointArn: { 'Fn::GetAtt': [backupJobId, 'RecoveryPointArn'] },
      SourceBackupVaultName: { 'Fn::GetAtt': [expect.stringMatching(/^SnapshotVault/), 'BackupVaultName'] },
      DestinationBackupVaultArn: DR_VAULT,
      IamRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^DrCopyCopyRole/), 'Arn'] },
      ResourceType: 'DynamoDB',
      TimeoutSeconds: 3480,
    });
    expect(resource.DependsOn).toContain(backupJobId);
  });

  test('a copy role for AWS Backup with the backup service policy, under the stack\'s role path', () => {
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((r: any) => String(r.Properties.Description).includes('copy a recovery point')) as any;
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'backup.amazonaws.com' });
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AWSBackupServiceRolePolicyForBackup');
    expect(role.Properties.Path).toMatch(/^\/cdk-backup-jobs/);
  });

  test('the handlers may start a copy of this type\'s recovery points and pass the role to AWS Backup only; no deletion under RETAIN', () => {
    const statements = handlerStatements(template);
    const start = statements.find((s) => s.Sid === 'CopyRecoveryPoints');
    // Described first: a source in cold storage is refused before the copy starts.
    expect(start.Action).toEqual(['backup:StartCopyJob', 'backup:DescribeRecoveryPoint']);
    expect(JSON.stringify(start.Resource)).not.toContain(':recovery-point:*');
    // A BackupJob of this stack makes the recovery point: AWS Backup's own recovery points only with the stack's owner tag.
    const own = statements.find((s) => s.Sid === 'CopyOwnRecoveryPoints');
    expect(JSON.stringify(own.Resource)).toContain(':recovery-point:*');
    expect(own.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/cdk-backup-jobs:stack': { Ref: 'AWS::StackName' } } });
    expect(statements.find((s) => s.Sid === 'ReadCopyJobs')).toMatchObject({ Action: 'backup:DescribeCopyJob', Resource: '*' });
    expect(statements.find((s) => s.Sid === 'PassCopyRoles').Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } });
    expect(JSON.stringify(template.toJSON())).not.toContain('DeleteCopies');
    // A copy within the account never reads the Organization's settings.
    expect(statements.find((s) => s.Sid === 'ReadBackupSettings')).toBeUndefined();
  });

  test('a copy into another account may read the Organization\'s cross-account backup setting first (no resource-level permissions)', () => {
    const stack = newStack('us-west-2');
    copy(stack, { destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Other', OTHER_ACCOUNT_VAULT) });
    expect(handlerStatements(Template.fromStack(stack)).find((s) => s.Sid === 'ReadBackupSettings')).toMatchObject({ Action: 'backup:DescribeGlobalSettings', Resource: '*' });
  });

  test('attributes are the custom resource\'s; RecoveryPoint.fromCopyJob names the copy in the destination vault', () => {
    expect(stack.resolve(copyJob.copyJobId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DrCopy/), 'CopyJobId'] });
    expect(stack.resolve(copyJob.destinationRecoveryPointArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DrCopy/), 'DestinationRecoveryPointArn'] });
    const point = RecoveryPoint.fromCopyJob(copyJob);
    expect(point.recoveryPointArn).toBe(copyJob.destinationRecoveryPointArn);
    expect(point.backupVault.backupVaultArn).toBe(DR_VAULT);
    expect(point.resourceType).toBe('DynamoDB');
    expect(point.copyJob).toBe(copyJob);
  });
});

describe('CopyJob properties', () => {
  test('lifecycle, trigger, allowPartial, waitForCompletion and a user role reach the resource', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Given', 'arn:aws:iam::123456789012:role/copier');
    copy(stack, { lifecycle: { moveToColdStorageAfter: Duration.days(30), deleteAfter: Duration.days(365) }, trigger: 'm-0042', allowPartial: true, waitForCompletion: false, copyRole: role });
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::CopyJob'))[0] as any;
    expect(resource.Properties).toMatchObject({
      Lifecycle: { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 365 },
      Trigger: 'm-0042',
      AllowPartial: true,
      WaitForCompletion: false,
      IamRoleArn: 'arn:aws:iam::123456789012:role/copier',
    });
    expect(JSON.stringify(handlerStatements(Template.fromStack(stack)))).toContain('arn:aws:iam::123456789012:role/copier');
  });

  test('a timeout past 58 minutes waits through a WaitCondition, and the attributes come from the result resource', () => {
    const stack = newStack();
    const copyJob = copy(stack, { timeout: Duration.hours(6) });
    const template = Template.fromStack(stack);
    const condition = Object.values(template.findResources('AWS::CloudFormation::WaitCondition'))
      .find((c: any) => JSON.stringify(c.Properties.Handle).includes('DrCopyWaitHandle')) as any;
    expect(condition.Properties.Timeout).toBe(String(6 * 3600 + 120));
    template.resourceCountIs('Custom::CopyJobResult', 1);
    expect(stack.resolve(copyJob.destinationRecoveryPointArn)).toEqual({ 'Fn::GetAtt': [Object.keys(template.findResources('Custom::CopyJobResult'))[0], 'DestinationRecoveryPointArn'] });
    const machine = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine).toContain('aws-sdk:backup:describeCopyJob');
    expect(machine).toContain('Copy job: read the description');
  });

  test('DESTROY lets the copy\'s Delete read copy jobs and delete recovery points in the destination\'s Region only, from the deletion policy', () => {
    const stack = newStack();
    copy(stack, { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) =>
      p.Properties.PolicyDocument.Statement.some((st: any) => st.Sid === 'DeleteCopies')) as any;
    const statement = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'DeleteCopies');
    expect(statement.Action).toBe('backup:DeleteRecoveryPoint');
    expect(JSON.stringify(statement.Resource)).toContain(':us-west-2:123456789012:');
    expect(JSON.stringify(statement.Resource)).not.toContain('eu-west-1');
    const resource = Object.values(template.findResources('Custom::CopyJob'))[0] as any;
    expect(resource.Properties.RemovalPolicy).toBe('destroy');
  });

  test('a copy of a copy depends on the first copy; a restore of a same-Region copy depends on the copy', () => {
    const stack = newStack('us-west-2');
    const first = copy(stack);
    const second = new CopyJob(stack, 'Again', {
      recoveryPoint: RecoveryPoint.fromCopyJob(first),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Third', 'arn:aws:backup:eu-central-1:123456789012:backup-vault:third'),
    });
    new RestoreJob(stack, 'Restore', { recoveryPoint: RecoveryPoint.fromCopyJob(first), metadata: { targetTableName: 'orders-dr' } });
    const template = Template.fromStack(stack);
    const [firstId] = Object.keys(template.findResources('Custom::CopyJob', { Properties: { DestinationBackupVaultArn: DR_VAULT } }));
    const again = Object.values(template.findResources('Custom::CopyJob', { Properties: { SourceBackupVaultName: 'dr' } }))[0] as any;
    expect(again.DependsOn).toContain(firstId);
    expect((Object.values(template.findResources('Custom::RestoreJob'))[0] as any).DependsOn).toContain(firstId);
    expect(second.recoveryPoint.copyJob).toBe(first);
  });

  test('CopyJob.allowCopiesFrom lets the source accounts copy into a vault of this app', () => {
    const stack = newStack('us-west-2');
    const vault = new backup.BackupVault(stack, 'Dr', { backupVaultName: 'dr' });
    CopyJob.allowCopiesFrom(vault, ['210987654321']);
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupVault', {
      AccessPolicy: {
        Statement: [Match.objectLike({
          Effect: 'Allow',
          Action: 'backup:CopyIntoBackupVault',
          Principal: { AWS: { 'Fn::Join': ['', Match.arrayWith([':iam::210987654321:root'])] } },
          Resource: '*',
        })],
      },
    });
    expect(() => CopyJob.allowCopiesFrom(vault, ['12345'])).toThrow(/sourceAccounts must be one or more 12-digit account ids \(not "12345"\)/);
    expect(() => CopyJob.allowCopiesFrom(vault, [])).toThrow(/sourceAccounts must be one or more/);
  });
});

describe('CopyJob validation', () => {
  test('every problem in one message: the destination\'s ARN, the lifecycle, the timeout', () => {
    const stack = newStack();
    const job = backupOf(stack);
    expect(() => new CopyJob(stack, 'Bad', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Wrong', 'arn:aws:backup:us-west-2:123456789012:vault:dr'),
      lifecycle: { moveToColdStorageAfter: Duration.days(10), deleteAfter: Duration.days(20) },
      timeout: Duration.hours(13),
    })).toThrow(/CopyJob Stack\/Bad has 3 invalid settings:[\s\S]*destinationBackupVault \("arn:aws:backup:us-west-2:123456789012:vault:dr"\) must be a backup vault ARN[\s\S]*lifecycle\.deleteAfter \(20 days\) must be at least lifecycle\.moveToColdStorageAfter \+ 90 days[\s\S]*timeout \(13 hours\) must be at most 12 hours/);
  });

  test('a copy of a copy of an RDS or Aurora backup (AWS Backup copies those one hop), and a continuous backup: refused at synth, naming the rule and the page', () => {
    const stack = newStack('us-west-2');
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'Source', 'pre-migration');
    const rds = RecoveryPoint.fromArn('arn:aws:rds:us-west-2:123456789012:snapshot:awsbackup:job-1', { backupVault: vault, resourceType: 'RDS' });
    const first = new CopyJob(stack, 'First', { recoveryPoint: rds, destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Dr', 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr') });
    expect(() => new CopyJob(stack, 'Second', {
      recoveryPoint: RecoveryPoint.fromCopyJob(first),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Third', 'arn:aws:backup:eu-central-1:123456789012:backup-vault:third'),
    })).toThrow('recoveryPoint is a copy of a RDS backup, and AWS Backup copies RDS and Aurora snapshots one hop only (copy the original backup to each destination); see https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html');
    const continuous = RecoveryPoint.fromArn('arn:aws:backup:us-west-2:123456789012:recovery-point:continuous:db-ABCDEFGHIJ-1a2b3c4d', { backupVault: vault, resourceType: 'RDS' });
    expect(() => new CopyJob(stack, 'Continuous', {
      recoveryPoint: continuous, destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Dr2', 'arn:aws:backup:eu-central-1:123456789012:backup-vault:dr'),
    })).toThrow(/recoveryPoint: the recovery point .*continuous.* is a continuous \(point-in-time\) backup, and AWS Backup does not copy continuous backups on demand/);
  });

  test('a destination equal to the source vault is refused, literal or the same token', () => {
    const stack = newStack();
    const vault = new backup.BackupVault(stack, 'Same');
    const point = RecoveryPoint.fromArn('arn:aws:backup:eu-west-1:123456789012:recovery-point:ABC', { backupVault: vault, resourceType: 'EFS' });
    expect(() => new CopyJob(stack, 'Loop', { recoveryPoint: point, destinationBackupVault: vault }))
      .toThrow(/destinationBackupVault must differ from the vault the recovery point is in/);
    const literal = backup.BackupVault.fromBackupVaultArn(stack, 'Lit', 'arn:aws:backup:eu-west-1:123456789012:backup-vault:main');
    const fromLiteral = RecoveryPoint.fromArn('arn:aws:backup:eu-west-1:123456789012:recovery-point:ABC', { backupVault: literal, resourceType: 'EFS' });
    expect(() => new CopyJob(stack, 'Loop2', { recoveryPoint: fromLiteral, destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Lit2', 'arn:aws:backup:eu-west-1:123456789012:backup-vault:main') }))
      .toThrow(/destinationBackupVault \("arn:aws:backup:eu-west-1:123456789012:backup-vault:main"\) must differ from the vault the recovery point is in/);
  });

  test('DESTROY of a copy into another account is refused: only that account can delete it', () => {
    const stack = newStack();
    expect(() => copy(stack, { removalPolicy: RemovalPolicy.DESTROY, destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Other', OTHER_ACCOUNT_VAULT) }))
      .toThrow(/removalPolicy DESTROY deletes the copy from this account \(123456789012\); the destination vault is in account 210987654321/);
    expect(() => copy(stack, { removalPolicy: RemovalPolicy.SNAPSHOT }, 'Snap')).toThrow(/removalPolicy \(snapshot\) must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY/);
  });

  test('tokens are not judged: a destination ARN and a timeout from parameters', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'DrVaultArn').valueAsString;
    const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber;
    copy(stack, { destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'FromParameter', arn), timeout: Duration.seconds(seconds) }, 'Param');
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::CopyJob'))[0] as any;
    expect(resource.Properties.DestinationBackupVaultArn).toEqual({ Ref: 'DrVaultArn' });
    expect(resource.Properties.ServiceTimeout).toBe('3600');
  });

  test('a lifecycle warning names the setting (cold storage of a type AWS Backup does not move)', () => {
    const stack = newStack();
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromArn('arn:aws:rds:eu-west-1:123456789012:db:main') });
    new CopyJob(stack, 'Cold', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Dr', DR_VAULT),
      lifecycle: { moveToColdStorageAfter: Duration.days(30), deleteAfter: Duration.days(200) },
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Cold', Match.stringLikeRegexp('lifecycle.moveToColdStorageAfter \\(30 days\\) has no effect'));
  });

  test('a restore of a copy in another Region is refused in this Region', () => {
    const stack = newStack();
    const first = copy(stack);
    expect(() => new RestoreJob(stack, 'Restore', { recoveryPoint: RecoveryPoint.fromCopyJob(first), metadata: { targetTableName: 'orders-dr' } }))
      .toThrow(/recoveryPoint is in us-west-2 \(its vault's Region\) and this stack in eu-west-1: a restore runs in the recovery point's Region/);
  });
});
