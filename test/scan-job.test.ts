import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BackupJob, ProtectedResource, RecoveryPoint, ScanJob, ScanJobProps } from '../lib';
import { generatedNames } from '../lib/private/names';

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function bucketBackup(stack: Stack, id = 'Snapshot'): BackupJob {
  const bucket = stack.node.tryFindChild('Uploads') as s3.Bucket ?? new s3.Bucket(stack, 'Uploads', {
    enforceSSL: true, serverAccessLogsPrefix: 'logs/', removalPolicy: RemovalPolicy.DESTROY, versioned: true,
  });
  return new BackupJob(stack, id, { resource: ProtectedResource.fromS3Bucket(bucket) });
}

function scan(stack: Stack, props: Partial<ScanJobProps> = {}): ScanJob {
  return new ScanJob(stack, 'Scan', { recoveryPoint: RecoveryPoint.fromBackupJob(bucketBackup(stack)), ...props });
}

function handlerStatements(template: Template): any[] {
  const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) =>
    p.Properties.PolicyDocument.Statement.some((st: any) => st.Sid === 'ReadBackupJobs')) as any;
  return policy.Properties.PolicyDocument.Statement;
}

const pattern = (stack: Stack, use: string) => [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role${generatedNames(stack).rolePath}${use}/*`]] }];

describe('ScanJob defaults', () => {
  const stack = newStack();
  const scanJob = scan(stack);
  const template = Template.fromStack(stack);

  test('a custom resource: a full GuardDuty scan of the backup\'s recovery point in its vault, that waits for the backup', () => {
    const [id, resource] = Object.entries(template.findResources('Custom::ScanJob'))[0] as [string, any];
    expect(id).toMatch(/^Scan/);
    expect(resource.Properties).toMatchObject({ MalwareScanner: 'GUARDDUTY', ScanMode: 'FULL_SCAN', ResourceType: 'S3', TimeoutSeconds: 3480 });
    expect(resource.Properties.ScanBaseRecoveryPointArn).toBeUndefined();
    expect(resource.Properties.RemovalPolicy).toBeUndefined();
    const [backupId] = Object.keys(template.findResources('Custom::BackupJob'));
    expect(resource.DependsOn).toContain(backupId);
    expect(stack.resolve(scanJob.scanResultStatus)).toEqual({ 'Fn::GetAtt': [id, 'ScanResultStatus'] });
  });

  test('a scan role for AWS Backup and a scanner role for GuardDuty, each under its use\'s path with the policy AWS documents, each passed by its own statement', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as any[];
    const scanRole = roles.find((r) => r.Properties.Path === `${generatedNames(stack).rolePath}scan/`);
    const scannerRole = roles.find((r) => r.Properties.Path === `${generatedNames(stack).rolePath}scanner/`);
    expect(scanRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'backup.amazonaws.com' });
    expect(JSON.stringify(scanRole.Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/AWSBackupServiceRolePolicyForScans');
    expect(scannerRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'malware-protection.guardduty.amazonaws.com' });
    expect(JSON.stringify(scannerRole.Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/AWSBackupGuardDutyRolePolicyForScans');
    const statements = handlerStatements(template);
    expect(statements.find((s) => s.Sid === 'PassScanRoles')).toMatchObject({ Resource: pattern(stack, 'scan'), Condition: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } } });
    expect(statements.find((s) => s.Sid === 'PassScannerRoles')).toMatchObject({
      Resource: pattern(stack, 'scanner'), Condition: { StringEquals: { 'iam:PassedToService': ['backup.amazonaws.com', 'malware-protection.guardduty.amazonaws.com'] } },
    });
  });

  test('StartScanJob on AWS Backup\'s own recovery points only with the stack\'s owner tag (a BackupJob of this stack makes it); DescribeScanJob and ListScanJobs on *', () => {
    const statements = handlerStatements(template);
    expect(statements.find((s) => s.Sid === 'ScanOwnRecoveryPoints')).toMatchObject({
      Action: 'backup:StartScanJob',
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-west-1:123456789012:recovery-point:*']] }],
      Condition: { StringEquals: { 'aws:ResourceTag/cdk-backup-jobs:stack': { Ref: 'AWS::StackName' } } },
    });
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ScanRecoveryPoints') ?? {})).not.toContain('recovery-point:*');
    expect(statements.find((s) => s.Sid === 'ReadScanJobs')).toMatchObject({ Action: ['backup:DescribeScanJob', 'backup:ListScanJobs'], Resource: '*' });
  });
});

describe('ScanJob properties', () => {
  test('an incremental scan from an earlier recovery point of the same resource', () => {
    const stack = newStack();
    const earlier = bucketBackup(stack, 'Earlier');
    new ScanJob(stack, 'Scan', { recoveryPoint: RecoveryPoint.fromBackupJob(bucketBackup(stack)), incrementalFrom: RecoveryPoint.fromBackupJob(earlier) });
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::ScanJob')) as any[];
    expect(resource.Properties).toMatchObject({ ScanMode: 'INCREMENTAL_SCAN', ScanBaseRecoveryPointArn: { 'Fn::GetAtt': [expect.stringMatching(/^Earlier/), 'RecoveryPointArn'] } });
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Earlier/), expect.stringMatching(/^Snapshot/)]));
  });

  test('roles given are passed by their ARNs, in their use\'s statements', () => {
    const stack = newStack();
    scan(stack, {
      scanRole: iam.Role.fromRoleArn(stack, 'ScanRoleGiven', 'arn:aws:iam::123456789012:role/scans'),
      scannerRole: iam.Role.fromRoleArn(stack, 'ScannerGiven', 'arn:aws:iam::123456789012:role/guardduty-scanner'),
    });
    const statements = handlerStatements(Template.fromStack(stack));
    expect(statements.find((s) => s.Sid === 'PassScanRoles').Resource).toEqual(['arn:aws:iam::123456789012:role/scans']);
    expect(statements.find((s) => s.Sid === 'PassScannerRoles').Resource).toEqual(['arn:aws:iam::123456789012:role/guardduty-scanner']);
  });

  test('a recovery point given by its ARN is scanned under the type\'s patterns, itself when its ARN is known', () => {
    const stack = newStack();
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'Vault', 'pre-migration');
    const arn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:ABC';
    new ScanJob(stack, 'Scan', { recoveryPoint: RecoveryPoint.fromArn(arn, { backupVault: vault, resourceType: 'EBS' }) });
    expect(handlerStatements(Template.fromStack(stack)).find((s) => s.Sid === 'ScanRecoveryPoints')).toMatchObject({ Action: 'backup:StartScanJob', Resource: [arn] });
  });
});

describe('ScanJob validation at synth', () => {
  test('a type AWS Backup does not scan, the scanned recovery point as its own base and a timeout out of range: all in one message, naming each property', () => {
    const stack = newStack();
    const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const point = RecoveryPoint.fromBackupJob(new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table) }));
    expect(() => new ScanJob(stack, 'Scan', { recoveryPoint: point, incrementalFrom: point, timeout: Duration.seconds(10) })).toThrow(
      /ScanJob Stack\/Scan has 3 invalid settings:[\s\S]*recoveryPoint\.resourceType \("DynamoDB"\) cannot be scanned for malware: AWS Backup scans EBS, EC2, S3 recovery points[\s\S]*timeout \(10 seconds\) must be[\s\S]*incrementalFrom must be an earlier recovery point of the same resource, not the one scanned/,
    );
  });

  test('the scanned recovery point as its own base, by a known ARN: one problem, naming it', () => {
    const stack = newStack();
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'Vault', 'pre-migration');
    const point = RecoveryPoint.fromArn('arn:aws:backup:eu-west-1:123456789012:recovery-point:ABC', { backupVault: vault, resourceType: 'EBS' });
    expect(() => new ScanJob(stack, 'Scan', { recoveryPoint: point, incrementalFrom: point })).toThrow(
      'ScanJob Stack/Scan has 1 invalid setting:\n  - incrementalFrom ("arn:aws:backup:eu-west-1:123456789012:recovery-point:ABC") must be an earlier recovery point of the same resource, not the one scanned',
    );
  });

  test('a base of another type', () => {
    const stack = newStack();
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'Vault', 'pre-migration');
    const ebs = RecoveryPoint.fromArn('arn:aws:ec2:eu-west-1::snapshot/snap-1', { backupVault: vault, resourceType: 'EBS' });
    expect(() => scan(stack, { incrementalFrom: ebs })).toThrow('incrementalFrom is a EBS recovery point and the one scanned S3');
  });
});

test('passes cdk-nag AwsSolutionsChecks for what the library owns', () => {
  const app = new App();
  const stack = newStack(app);
  scan(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expect(() => app.synth()).not.toThrow();
});
