import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BackupJob, ProtectedResource, RecoveryPoint, RestoreJob, RestoreJobProps } from '../lib';
import { generatedNames } from '../lib/private/names';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function backupOf(stack: Stack): { table: dynamodb.Table; job: BackupJob } {
  const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  return { table, job: new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table) }) };
}

function restore(stack: Stack, props: Partial<RestoreJobProps> = {}): RestoreJob {
  const { job } = backupOf(stack);
  return new RestoreJob(stack, 'RestoreTest', {
    recoveryPoint: RecoveryPoint.fromBackupJob(job),
    metadata: { targetTableName: 'orders-restore-test' },
    ...props,
  });
}

function handlerStatements(template: Template): any[] {
  const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) =>
    p.Properties.PolicyDocument.Statement.some((st: any) => st.Sid === 'ReadBackupJobs')) as any;
  return policy.Properties.PolicyDocument.Statement;
}

describe('RestoreJob defaults', () => {
  const stack = newStack();
  const restoreJob = restore(stack);
  const template = Template.fromStack(stack);

  test('a custom resource from the backup job\'s recovery point, vault and type, that waits for the backup', () => {
    const [id, resource] = Object.entries(template.findResources('Custom::RestoreJob'))[0] as [string, any];
    expect(id).toMatch(/^RestoreTest/);
    const [backupJobId] = Object.keys(template.findResources('Custom::BackupJob'));
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/frameworkonEvent/), 'Arn'] },
      ServiceTimeout: '3600',
      RecoveryPointArn: { 'Fn::GetAtt': [backupJobId, 'RecoveryPointArn'] },
      BackupVaultName: { 'Fn::GetAtt': [expect.stringMatching(/^SnapshotVault/), 'BackupVaultName'] },
      ResourceType: 'DynamoDB',
      Metadata: { targetTableName: 'orders-restore-test' },
      IamRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^RestoreTestRestoreRole/), 'Arn'] },
      TimeoutSeconds: 3480,
    });
    expect(resource.DependsOn).toContain(backupJobId);
  });

  test('the same provider as the backup job: no extra functions', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(5);
  });

  test('a restore role for AWS Backup with the restore service policy, under the stack\'s role path for restores, passed by a statement of its own', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Path: `${generatedNames(stack).rolePath}restore/`,
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores']] }],
    });
    const pattern = (use: string) => [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role${generatedNames(stack).rolePath}${use}/*`]] }];
    const statements = handlerStatements(template);
    expect(statements.find((s) => s.Sid === 'PassRestoreRoles')).toMatchObject({ Resource: pattern('restore'), Condition: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } } });
    expect(statements.find((s) => s.Sid === 'PassBackupRoles')).toMatchObject({ Resource: pattern('backup') });
  });

  test('the handlers may restore this type\'s recovery points in this account and region, and nothing is deleted under RETAIN', () => {
    const statements = handlerStatements(template);
    // A BackupJob of this stack makes the recovery point: AWS Backup's own recovery points only with the stack's owner tag.
    expect(statements.find((s) => s.Sid === 'RestoreOwnRecoveryPoints')).toEqual({
      Sid: 'RestoreOwnRecoveryPoints',
      Effect: 'Allow',
      Action: ['backup:StartRestoreJob', 'backup:GetRecoveryPointRestoreMetadata'],
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-west-1:123456789012:recovery-point:*']] }],
      Condition: { StringEquals: { 'aws:ResourceTag/cdk-backup-jobs:stack': { Ref: 'AWS::StackName' } } },
    });
    expect(statements.find((s) => s.Sid === 'RestoreRecoveryPoints')).toEqual({
      Sid: 'RestoreRecoveryPoints',
      Effect: 'Allow',
      Action: ['backup:StartRestoreJob', 'backup:GetRecoveryPointRestoreMetadata'],
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:eu-west-1:123456789012:table/*/backup/*']] }],
    });
    expect(statements.find((s) => s.Sid === 'ReadRestoreJobs')).toMatchObject({ Action: 'backup:DescribeRestoreJob', Resource: '*' });
    expect(statements.find((s) => s.Sid === 'DeleteRestoredTables')).toBeUndefined();
  });

  test('attributes are the custom resource attributes', () => {
    const att = (v: string) => stack.resolve(v)['Fn::GetAtt'][1];
    expect([restoreJob.restoreJobId, restoreJob.createdResourceArn, restoreJob.status, restoreJob.statusMessage,
      restoreJob.creationDate, restoreJob.completionDate, restoreJob.backupSizeInBytes].map(att)).toEqual([
      'RestoreJobId', 'CreatedResourceArn', 'Status', 'StatusMessage', 'CreationDate', 'CompletionDate', 'BackupSizeInBytes',
    ]);
  });
});

describe('RestoreJob properties', () => {
  test('every property reaches the custom resource', () => {
    const stack = newStack();
    restore(stack, {
      metadata: { targetTableName: 'orders-copy', encryptionType: 'KMS' },
      useBackedUpMetadata: false,
      copySourceTagsToRestoredResource: true,
      trigger: 'migration-0042',
      waitForCompletion: false,
      timeout: Duration.minutes(10),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::RestoreJob', {
      ServiceTimeout: '720',
      Metadata: { targetTableName: 'orders-copy', encryptionType: 'KMS' },
      UseBackedUpMetadata: false,
      CopySourceTagsToRestoredResource: true,
      Trigger: 'migration-0042',
      WaitForCompletion: false,
      TimeoutSeconds: 600,
      RemovalPolicy: 'destroy',
    });
  });

  test('DESTROY lets the restore\'s Delete delete the restored table, and only that one, from a policy the restore depends on', () => {
    const stack = newStack();
    restore(stack, { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    expect(handlerStatements(template).find((s) => s.Sid === 'DeleteRestoredTables')).toBeUndefined();
    const [policyId, policy] = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => /DeletionGrants[0-9A-F]{8}$/.test(id))!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'ReadTemplateToCleanUp', Effect: 'Allow', Action: 'cloudformation:GetTemplate', Resource: [{ Ref: 'AWS::StackId' }] },
      { Sid: 'ReadRestoreJobsToDelete', Effect: 'Allow', Action: ['backup:DescribeRestoreJob', 'backup:ListRestoreJobs'], Resource: '*' },
      {
        Sid: 'DeleteRestoredTables',
        Effect: 'Allow',
        Action: ['dynamodb:DeleteTable', 'dynamodb:DescribeTable'],
        Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:eu-west-1:123456789012:table/orders-restore-test']] }],
      },
    ]);
    expect(Object.values(template.findResources('Custom::RestoreJob'))[0].DependsOn).toContain(policyId);
  });

  test('a restore role given by the user is passed by its ARN', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/restorer');
    restore(stack, { restoreRole: role });
    const statements = handlerStatements(Template.fromStack(stack));
    const passRole = statements.find((s) => s.Sid === 'PassRestoreRoles');
    expect(passRole.Resource).toContainEqual('arn:aws:iam::123456789012:role/restorer');
    // The backup's role (under the path for backups) is passed by the backups' statement; the restorer only by this one.
    expect(JSON.stringify(statements.find((s) => s.Sid === 'PassBackupRoles'))).not.toContain('restorer');
    expect(JSON.stringify(passRole)).not.toContain('/backup/');
  });

  test('a recovery point made elsewhere', () => {
    const stack = newStack();
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'Vault', 'central');
    new RestoreJob(stack, 'Restore', {
      recoveryPoint: RecoveryPoint.fromArn('arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45', {
        backupVault: vault, resourceType: 'EFS',
      }),
    });
    Template.fromStack(stack).hasResourceProperties('Custom::RestoreJob', {
      RecoveryPointArn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45',
      BackupVaultName: 'central',
      ResourceType: 'EFS',
      Metadata: Match.absent(),
    });
  });

  test('RecoveryPoint.fromArn checks what it can', () => {
    const stack = newStack();
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'Vault', 'central');
    expect(() => RecoveryPoint.fromArn('not-an-arn', { backupVault: vault, resourceType: 'Table' })).toThrow(
      'RecoveryPoint.fromArn: recoveryPointArn ("not-an-arn") is not an ARN; resourceType ("Table") is not a resource type AWS Backup backs up',
    );
  });
});

describe('RestoreJob validation', () => {
  test('a DynamoDB restore without a target table name fails at synth with every problem', () => {
    const stack = newStack();
    expect(() => restore(stack, { metadata: {}, timeout: Duration.hours(13), removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow([
      'RestoreJob Stack/RestoreTest has 3 invalid settings:',
      '  - removalPolicy (snapshot) must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY',
      '  - metadata must contain "targetTableName": DynamoDB restores need it',
      '  - timeout (13 hours) must be at most 12 hours: the longest CloudFormation waits for anything (a WaitCondition, which timeouts past 58 minutes wait through)',
    ].join('\n'));
  });

  test('a restore onto the table the backup was taken of is refused, even when both are the same token', () => {
    const stack = newStack();
    const { table, job } = backupOf(stack);
    expect(() => new RestoreJob(stack, 'Restore', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job),
      metadata: { targetTableName: table.tableName },
    })).toThrow(/metadata.targetTableName \(the same token\) must differ from the name of the DynamoDB resource the backup was taken of/);
  });

  test('a literal source table name is compared too', () => {
    const stack = newStack();
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromArn('arn:aws:dynamodb:eu-west-1:123456789012:table/orders') });
    expect(() => new RestoreJob(stack, 'Restore', { recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { TargetTableName: 'orders' } })).toThrow(
      'metadata.targetTableName ("orders") must differ',
    );
  });

  test('unknown keys are a warning; token values are not judged', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const key = new CfnParameter(stack, 'Key').valueAsString;
    restore(stack, { metadata: { targetTableName: name, encryptionType: key, tableClass: 'STANDARD' } });
    Annotations.fromStack(stack).hasWarning('/Stack/RestoreTest', Match.stringLikeRegexp('"tableClass", which AWS Backup does not document for DynamoDB restores'));
  });

  test('DESTROY of a type the handlers cannot delete is refused', () => {
    const stack = newStack();
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'Vault', 'central');
    expect(() => new RestoreJob(stack, 'Restore', {
      recoveryPoint: RecoveryPoint.fromArn('arn:aws:backup:eu-west-1:123456789012:recovery-point:X', { backupVault: vault, resourceType: 'EBS' }),
      removalPolicy: RemovalPolicy.DESTROY,
    })).toThrow('removalPolicy DESTROY deletes restored DynamoDB resources only; a restored EBS resource would be left behind (use RETAIN)');
  });
});

describe('RestoreJob validation', () => {
  const fn = (stack: Stack) => lambda.Function.fromFunctionArn(stack, 'Check', 'arn:aws:lambda:eu-west-1:123456789012:function:check-restore');

  test('the function reaches the resource; the handlers may invoke it (only it) and report its answer to AWS Backup', () => {
    const stack = newStack();
    restore(stack, { validation: fn(stack) });
    const template = Template.fromStack(stack);
    const [resource] = Object.values(template.findResources('Custom::RestoreJob')) as any[];
    expect(resource.Properties.ValidationFunctionArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:check-restore');
    const statements = handlerStatements(template);
    expect(statements.find((s) => s.Sid === 'InvokeRestoreValidations')).toMatchObject({ Action: 'lambda:InvokeFunction', Resource: ['arn:aws:lambda:eu-west-1:123456789012:function:check-restore'] });
    expect(statements.find((s) => s.Sid === 'ReportRestoreValidations')).toMatchObject({ Action: 'backup:PutRestoreValidationResult', Resource: '*' });
  });

  test('without a validation, neither is granted', () => {
    const stack = newStack();
    restore(stack);
    const sids = handlerStatements(Template.fromStack(stack)).map((s) => s.Sid);
    expect(sids).not.toContain('InvokeRestoreValidations');
    expect(sids).not.toContain('ReportRestoreValidations');
  });

  test('a validation without waiting is refused at synth', () => {
    const stack = newStack();
    expect(() => restore(stack, { validation: fn(stack), waitForCompletion: false })).toThrow('validation needs waitForCompletion: a restore that is not waited for is never validated');
  });

  test('on the long-wait path, the result resource waits for the validation (up to 58 minutes more)', () => {
    const stack = newStack();
    restore(stack, { validation: fn(stack), timeout: Duration.hours(2) });
    const [result] = Object.values(Template.fromStack(stack).findResources('Custom::RestoreJobResult')) as any[];
    expect(result.Properties.ServiceTimeout).toBe('3600');
    const plain = newStack();
    restore(plain, { timeout: Duration.hours(2) });
    expect((Object.values(Template.fromStack(plain).findResources('Custom::RestoreJobResult'))[0] as any).Properties.ServiceTimeout).toBe('180');
  });
});
