import { App, CfnParameter, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as triggers from 'aws-cdk-lib/triggers';
import { BackupJob, BackupJobProps, ProtectedResource } from '../lib';
import { generatedNames } from '../lib/private/names';
import { SynthesizedStack } from '../local/simulation/assembly';

const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Orders';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function job(stack: Stack, props: Partial<BackupJobProps> = {}, id = 'Job'): BackupJob {
  return new BackupJob(stack, id, { resource: ProtectedResource.fromArn(TABLE_ARN), ...props });
}

function statements(template: Template): any[] {
  // The handlers' policy is the one that reads backup jobs.
  const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) =>
    p.Properties.PolicyDocument.Statement.some((st: any) => st.Sid === 'ReadBackupJobs')) as any;
  return policy.Properties.PolicyDocument.Statement;
}

/** The policy that grants what Deletes need: its logical id and resource. */
function deletionPolicy(template: Template): [string, any] | undefined {
  return Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => /DeletionGrants[0-9A-F]{8}$/.test(id));
}

function statement(template: Template, sid: string): any {
  return statements(template).find((s) => s.Sid === sid);
}

describe('defaults', () => {
  const stack = newStack();
  const backupJob = job(stack);
  const template = Template.fromStack(stack);

  test('a custom resource with the required properties and the longest timeout', () => {
    template.resourceCountIs('Custom::BackupJob', 1);
    const [resource] = Object.values(template.findResources('Custom::BackupJob')) as any[];
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/frameworkonEvent/), 'Arn'] },
      ServiceTimeout: '3600',
      ResourceArn: TABLE_ARN,
      ResourceType: 'DynamoDB',
      BackupVaultName: { 'Fn::GetAtt': [expect.stringMatching(/^JobVault/), 'BackupVaultName'] },
      IamRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^JobBackupRole/), 'Arn'] },
      TimeoutSeconds: 3480,
    });
  });

  test('a new vault that is retained', () => {
    template.resourceCountIs('AWS::Backup::BackupVault', 1);
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('a new role for AWS Backup with the backup service policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup']] }],
    });
  });

  test('the custom resource is deleted by CloudFormation, so that the handler sees every Delete', () => {
    template.hasResource('Custom::BackupJob', { DeletionPolicy: 'Delete' });
  });

  test('attributes are the custom resource attributes', () => {
    const resolve = (v: string) => stack.resolve(v)['Fn::GetAtt'][1];
    expect(resolve(backupJob.backupJobId)).toBe('BackupJobId');
    expect(resolve(backupJob.recoveryPointArn)).toBe('RecoveryPointArn');
    expect(resolve(backupJob.backupSizeInBytes)).toBe('BackupSizeInBytes');
    expect(resolve(backupJob.creationDate)).toBe('CreationDate');
    expect(resolve(backupJob.completionDate)).toBe('CompletionDate');
    expect(resolve(backupJob.state)).toBe('State');
    expect(resolve(backupJob.statusMessage)).toBe('StatusMessage');
    expect(resolve(backupJob.backupVaultArn)).toBe('BackupVaultArn');
    expect(backupJob.resource.resourceType).toBe('DynamoDB');
  });

  test('the handlers run on a current Node.js runtime and log to a group with retention', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const ours = Object.values(functions).filter((f: any) => /index\.(onEvent|isComplete)$/.test(f.Properties.Handler)) as any[];
    expect(ours).toHaveLength(2);
    for (const f of ours) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/Logs/) });
    }
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('the waiter polls every 15 seconds for at most an hour', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as any[];
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":15');
    expect(definition).toContain('\\"MaxAttempts\\":240');
  });
});

describe('every property reaches the custom resource', () => {
  test('lifecycle, windows, tags, options, index, air-gapped vault, trigger and behaviour', () => {
    const stack = newStack();
    job(stack, {
      resource: ProtectedResource.fromArn('arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0'),
      lifecycle: { moveToColdStorageAfter: Duration.days(30), deleteAfter: Duration.days(365), optInToArchiveForSupportedResources: true },
      startWindow: Duration.hours(2),
      completeWindow: Duration.hours(6),
      recoveryPointTags: { purpose: 'pre-migration' },
      windowsVss: true,
      backupOptions: { Extra: 'yes' },
      logicallyAirGappedBackupVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:air-gapped',
      trigger: 'migration-0042',
      waitForCompletion: false,
      timeout: Duration.minutes(20),
      allowPartial: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::BackupJob', {
      ServiceTimeout: '1320',
      ResourceType: 'EC2',
      Lifecycle: { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 365, OptInToArchiveForSupportedResources: true },
      StartWindowMinutes: 120,
      CompleteWindowMinutes: 360,
      RecoveryPointTags: { purpose: 'pre-migration' },
      BackupOptions: { Extra: 'yes', WindowsVSS: 'enabled' },
      LogicallyAirGappedBackupVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:air-gapped',
      Trigger: 'migration-0042',
      WaitForCompletion: false,
      TimeoutSeconds: 1200,
      AllowPartial: true,
      RemovalPolicy: 'destroy',
    });
  });

  test.each([[true, 'ENABLED'], [false, 'DISABLED']])('index %p is Index %s', (index, value) => {
    const stack = newStack();
    job(stack, { resource: ProtectedResource.fromArn('arn:aws:s3:::my-bucket'), index });
    Template.fromStack(stack).hasResourceProperties('Custom::BackupJob', { Index: value });
  });

  test('windowsVss false is the disabled backup option', () => {
    const stack = newStack();
    job(stack, { resource: ProtectedResource.fromArn('arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc'), windowsVss: false });
    Template.fromStack(stack).hasResourceProperties('Custom::BackupJob', { BackupOptions: { WindowsVSS: 'disabled' } });
  });

  test('the vault the construct creates takes a name and a Vault Lock', () => {
    const stack = newStack();
    job(stack, {
      backupVaultName: 'pre-migration',
      vaultLock: { minRetention: Duration.days(7), maxRetention: Duration.days(90) },
      lifecycle: { deleteAfter: Duration.days(30) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: 'pre-migration',
      LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 90 },
    });
  });

  test('an S3 bucket gets the S3 backup policy on the default role too', () => {
    const stack = newStack();
    job(stack, { resource: ProtectedResource.fromArn('arn:aws:s3:::my-bucket') });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup'])] }),
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup'])] }),
      ],
    });
  });
});

describe('a vault and a role given by the user', () => {
  const stack = newStack();
  const vault = backup.BackupVault.fromBackupVaultName(stack, 'Vault', 'shared-vault');
  const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/backup-role');
  job(stack, { backupVault: vault, backupRole: role });
  const template = Template.fromStack(stack);

  test('are used, and nothing else is created for them', () => {
    template.resourceCountIs('AWS::Backup::BackupVault', 0);
    template.resourceCountIs('AWS::IAM::Role', 5); // the handlers' role, three framework functions' and the waiter's
    template.hasResourceProperties('Custom::BackupJob', {
      BackupVaultName: 'shared-vault',
      IamRoleArn: 'arn:aws:iam::123456789012:role/backup-role',
    });
  });

  test('the handlers may start jobs in that vault and pass that role', () => {
    expect(statement(template, 'StartBackupJobs').Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-west-1:123456789012:backup-vault:shared-vault']] },
    ]);
    expect(statement(template, 'PassBackupRoles').Resource).toEqual(['arn:aws:iam::123456789012:role/backup-role']);
  });
});

describe('IAM of the handlers', () => {
  test('least privilege: scoped starts and passes, wildcards only where AWS has no resource-level permissions', () => {
    const stack = newStack();
    job(stack);
    const template = Template.fromStack(stack);
    const all = statements(template);
    expect(all.map((s) => s.Sid ?? s.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      'ReadBackupJobs',
      'ReadOwnStack',
      'StartBackupJobs',
      'PassBackupRoles',
      'StopBackupJobs',
      'ReadOwnerTags',
    ]);
    // Tags only, of AWS Backup's own recovery points: the proof that a job found by its description is this stack's.
    expect(statement(template, 'ReadOwnerTags')).toMatchObject({ Action: 'backup:ListTags' });
    expect(statement(template, 'ReadBackupJobs')).toMatchObject({ Action: ['backup:ListBackupJobs', 'backup:DescribeBackupJob'], Resource: '*' });
    // Its own stack only: to tell whether CloudFormation still waits for a request.
    expect(statement(template, 'ReadOwnStack')).toMatchObject({ Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks'], Resource: { Ref: 'AWS::StackId' } });
    // The job's own vault and role are granted by the stack's name patterns, which they follow.
    const { vaultNamePrefix, rolePath } = generatedNames(stack);
    expect(statement(template, 'StartBackupJobs')).toMatchObject({
      Action: 'backup:StartBackupJob',
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:backup:eu-west-1:123456789012:backup-vault:${vaultNamePrefix}*`]] }],
    });
    expect(statement(template, 'PassBackupRoles')).toMatchObject({
      Action: 'iam:PassRole',
      // The roles created for backups only: their path is their use's.
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role${rolePath}backup/*`]] }],
      Condition: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
    });
    template.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: Match.stringLikeRegexp(`^${vaultNamePrefix}`) });
    template.hasResourceProperties('AWS::IAM::Role', { Path: `${rolePath}backup/`, AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })] }) });
    expect(statement(template, 'StopBackupJobs')).toMatchObject({ Action: 'backup:StopBackupJob', Resource: '*' });
    expect(statement(template, 'DeleteRecoveryPoints')).toBeUndefined();
  });

  test('DESTROY: what the Delete needs is a policy of its own that the job depends on, DeleteRecoveryPoint narrowed to the table\'s own backups', () => {
    const stack = newStack();
    job(stack, { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    expect(statement(template, 'DeleteRecoveryPoints')).toBeUndefined();
    const [policyId, policy] = deletionPolicy(template)!;
    const handlerRole = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.includes('HandlerRole'));
    expect(policy.Properties.Roles).toEqual([{ Ref: handlerRole }]);
    expect(policy.Properties.PolicyName).toBe(`cdk-backup-jobs-deletion-${policyId.slice(-8)}`);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'ReadTemplateToCleanUp', Effect: 'Allow', Action: 'cloudformation:GetTemplate', Resource: [{ Ref: 'AWS::StackId' }] },
      { Sid: 'StopBackupJobsToDelete', Effect: 'Allow', Action: 'backup:StopBackupJob', Resource: '*' },
      {
        // AWS Backup's own recovery points: only those this stack's jobs tagged.
        Sid: 'DeleteOwnRecoveryPoints',
        Effect: 'Allow',
        Action: 'backup:DeleteRecoveryPoint',
        Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-west-1:123456789012:recovery-point:*']] }],
        Condition: { StringEquals: { 'aws:ResourceTag/cdk-backup-jobs:stack': { Ref: 'AWS::StackName' } } },
      },
      {
        Sid: 'DeleteRecoveryPoints',
        Effect: 'Allow',
        Action: 'backup:DeleteRecoveryPoint',
        Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:eu-west-1:123456789012:table/Orders/backup/*']] }],
      },
    ]);
    const [, jobResource] = Object.entries(template.findResources('Custom::BackupJob'))[0];
    expect(jobResource.DependsOn).toContain(policyId);
  });

  test('the deletion policy is new whenever its grants change, and absent without DESTROY', () => {
    const ids = (configure: (stack: Stack) => void) => {
      const stack = newStack();
      configure(stack);
      return deletionPolicy(Template.fromStack(stack))?.[0];
    };
    const one = ids((s) => job(s, { removalPolicy: RemovalPolicy.DESTROY }));
    expect(ids((s) => job(s, { removalPolicy: RemovalPolicy.DESTROY }))).toBe(one);
    const other = ids((s) => job(s, { removalPolicy: RemovalPolicy.DESTROY, resource: ProtectedResource.fromArn('arn:aws:dynamodb:eu-west-1:123456789012:table/Customers') }));
    expect(other).toMatch(/DeletionGrants[0-9A-F]{8}$/);
    expect(other).not.toBe(one);
    expect(ids((s) => job(s))).toBeUndefined();
    // A RETAIN job does not depend on it.
    const stack = newStack();
    job(stack, { removalPolicy: RemovalPolicy.DESTROY }, 'Destroyed');
    job(stack, {}, 'Kept');
    const template = Template.fromStack(stack);
    const kept = Object.entries(template.findResources('Custom::BackupJob')).find(([id]) => id.startsWith('Kept'))![1];
    expect(kept.DependsOn ?? []).not.toContain(deletionPolicy(template)![0]);
  });

  test('no StopBackupJob when every job is of a type AWS Backup cannot stop', () => {
    const stack = newStack();
    job(stack, { resource: ProtectedResource.fromArn('arn:aws:rds:eu-west-1:123456789012:db:orders') });
    expect(statement(Template.fromStack(stack), 'StopBackupJobs')).toBeUndefined();
  });

  test('the air-gapped vault is a StartBackupJob resource too', () => {
    const stack = newStack();
    job(stack, { logicallyAirGappedBackupVaultArn: 'arn:aws:backup:eu-west-1:123456789012:backup-vault:lag' });
    expect(statement(Template.fromStack(stack), 'StartBackupJobs').Resource).toContain('arn:aws:backup:eu-west-1:123456789012:backup-vault:lag');
  });
});

describe('every wait is bounded', () => {
  test('the response margin covers one poll interval and one whole handler run', () => {
    const stack = newStack();
    job(stack, { timeout: Duration.minutes(58) });
    job(stack, { timeout: Duration.minutes(5) }, 'Short');
    const template = Template.fromStack(stack);
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as any;
    const definition = (machine.Properties.DefinitionString['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'x')).join('');
    const interval = JSON.parse(definition).States['framework-isComplete-task'].Retry[0].IntervalSeconds;
    const handlerTimeouts = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f: any) => ['index.onEvent', 'index.isComplete'].includes(f.Properties.Handler))
      .map((f: any) => f.Properties.Timeout);
    expect(handlerTimeouts).toEqual([60, 60]);
    for (const resource of Object.values(template.findResources('Custom::BackupJob')) as any[]) {
      const margin = Number(resource.Properties.ServiceTimeout) - resource.Properties.TimeoutSeconds;
      expect(margin).toBeGreaterThanOrEqual(interval + Math.max(...handlerTimeouts));
      expect(Number(resource.Properties.ServiceTimeout)).toBeLessThanOrEqual(3600);
    }
  });
});

describe('one provider per stack', () => {
  function lambdaCount(jobs: number, share: boolean): { functions: number; providers: number; stack: Stack } {
    const stack = newStack();
    const first = job(stack, {}, 'Job0');
    for (let i = 1; i < jobs; i++) {
      job(stack, share ? { backupVault: first.backupVault, backupRole: first.backupRole } : {}, `Job${i}`);
    }
    const template = Template.fromStack(stack);
    return {
      functions: Object.keys(template.findResources('AWS::Lambda::Function')).length,
      providers: Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).length,
      stack,
    };
  }

  test('1 job and 20 jobs have the same five functions and one waiter', () => {
    const one = lambdaCount(1, false);
    const twenty = lambdaCount(20, false);
    expect(one.functions).toBe(5);
    expect(twenty.functions).toBe(5);
    expect(one.providers).toBe(1);
    expect(twenty.providers).toBe(1);
    Template.fromStack(twenty.stack).resourceCountIs('Custom::BackupJob', 20);
  });

  test('20 jobs sharing a vault and a role add one custom resource each and keep one statement per action', () => {
    const one = Object.keys(Template.fromStack(lambdaCount(1, true).stack).toJSON().Resources).length;
    const { stack } = lambdaCount(20, true);
    const template = Template.fromStack(stack);
    expect(Object.keys(template.toJSON().Resources).length).toBe(one + 19);
    expect(statement(template, 'StartBackupJobs').Resource).toHaveLength(1);
    expect(statement(template, 'PassBackupRoles').Resource).toHaveLength(1);
  });

  test('20 jobs with their own vaults and roles keep one pattern each: the policy does not grow', () => {
    const template = Template.fromStack(lambdaCount(20, false).stack);
    expect(statement(template, 'StartBackupJobs').Resource).toHaveLength(1);
    expect(statement(template, 'PassBackupRoles').Resource).toHaveLength(1);
    template.resourceCountIs('AWS::Backup::BackupVault', 20);
  });

  test('vaults the user names are granted by their ARN, given vaults and roles by theirs', () => {
    const stack = newStack();
    job(stack, { backupVaultName: 'named-vault' }, 'Named');
    const shared = new backup.BackupVault(stack, 'Shared');
    const role = new iam.Role(stack, 'UserRole', { assumedBy: new iam.ServicePrincipal('backup.amazonaws.com') });
    job(stack, { backupVault: shared, backupRole: role }, 'Given');
    const template = Template.fromStack(stack);
    expect(statement(template, 'StartBackupJobs').Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-west-1:123456789012:backup-vault:named-vault']] },
      { 'Fn::GetAtt': [expect.stringMatching(/^Shared/), 'BackupVaultArn'] },
    ]);
    expect(statement(template, 'PassBackupRoles').Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role${generatedNames(stack).rolePath}backup/*`]] },
      { 'Fn::GetAtt': [expect.stringMatching(/^UserRole/), 'Arn'] },
    ]);
  });

  test('the name patterns differ between stacks, and stay the same between synths', () => {
    const a = generatedNames(new Stack(new App(), 'StackA'));
    const b = generatedNames(new Stack(new App(), 'StackB'));
    expect(a.vaultNamePrefix).not.toBe(b.vaultNamePrefix);
    expect(generatedNames(new Stack(new App(), 'StackA'))).toEqual(a);
    expect(a.vaultNamePrefix).toMatch(/^bj-[0-9a-f]{8}-$/);
  });

  test('two stacks have a provider each', () => {
    const app = new App();
    const a = new Stack(app, 'A');
    const b = new Stack(app, 'B');
    job(a);
    job(b);
    Template.fromStack(a).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    Template.fromStack(b).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });
});

describe('composition', () => {
  test('a job that waits for another job leaves the template free of dependency cycles', () => {
    const app = new App({ outdir: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'cycle-')) });
    const stack = new Stack(app, 'Cycles');
    const first = job(stack, {}, 'First');
    const second = job(stack, { resource: ProtectedResource.fromArn('arn:aws:dynamodb:eu-west-1:123456789012:table/Customers') }, 'Second');
    second.node.addDependency(first);
    app.synth();
    const order = SynthesizedStack.fromAssembly(app.outdir, 'Cycles').creationOrder();
    const [firstResource, secondResource] = ['First', 'Second'].map((id) => order.findIndex((l) => l.startsWith(id) && !/Vault|Role/.test(l)));
    expect(firstResource).toBeLessThan(secondResource);
  });

  test('trigger.executeAfter(job) runs the migration after the backup', () => {
    const stack = newStack();
    const backupJob = job(stack);
    const migration = new triggers.TriggerFunction(stack, 'Migration', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    migration.executeAfter(backupJob);
    const template = Template.fromStack(stack);
    const [trigger] = Object.values(template.findResources('Custom::Trigger')) as any[];
    const [customResourceId] = Object.keys(template.findResources('Custom::BackupJob'));
    expect(trigger.DependsOn).toContain(customResourceId);
  });

  test('node.addDependency(job) makes any construct wait for the backup', () => {
    const stack = newStack();
    const backupJob = job(stack);
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    other.node.addDependency(backupJob);
    const template = Template.fromStack(stack);
    const [customResourceId] = Object.keys(template.findResources('Custom::BackupJob'));
    template.hasResource('AWS::IAM::Role', { DependsOn: Match.arrayWith([customResourceId]) });
  });

  test('a user role is a dependency of the job, so its policies exist before the backup', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'BackupRole', { assumedBy: new iam.ServicePrincipal('backup.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [TABLE_ARN] }));
    job(stack, { backupRole: role });
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::BackupJob')) as any[];
    expect(resource.DependsOn).toContainEqual(expect.stringMatching(/^BackupRoleDefaultPolicy/));
  });
});

describe('synth-time validation', () => {
  test('every problem in one error that names the construct, the property, the value and the rule', () => {
    const stack = newStack();
    expect(() => job(stack, {
      lifecycle: { moveToColdStorageAfter: Duration.days(30), deleteAfter: Duration.days(60) },
      startWindow: Duration.minutes(30),
      timeout: Duration.hours(13),
      removalPolicy: RemovalPolicy.SNAPSHOT,
    })).toThrow([
      'BackupJob Stack/Job has 4 invalid settings:',
      '  - removalPolicy (snapshot) must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY',
      '  - lifecycle.deleteAfter (60 days) must be at least lifecycle.moveToColdStorageAfter + 90 days (120 days): a recovery point stays in cold storage for at least 90 days',
      '  - startWindow (30 minutes) must be a whole number of minutes from 60 to 52,560,000 (100 years)',
      '  - timeout (13 hours) must be at most 12 hours: the longest CloudFormation waits for anything (a WaitCondition, which timeouts past 58 minutes wait through)',
    ].join('\n'));
  });

  test('nothing is created when validation fails', () => {
    const stack = newStack();
    expect(() => job(stack, { startWindow: Duration.minutes(1) })).toThrow(/startWindow/);
    expect(stack.node.tryFindChild('Job')?.node.children ?? []).toHaveLength(0);
    expect(stack.node.tryFindChild('cdk-backup-jobs.BackupJobProvider')).toBeUndefined();
  });

  test('type-specific options are checked against the resource type', () => {
    expect(() => job(newStack(), { index: true, windowsVss: true })).toThrow(
      /windowsVss applies only to EC2 instances.*\n.*index applies only to EBS and S3 backups/s,
    );
  });

  test('vault settings cannot be combined with a given vault', () => {
    const stack = newStack();
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'V', 'shared');
    expect(() => job(stack, { backupVault: vault, backupVaultName: 'other', vaultLock: { minRetention: Duration.days(1) } })).toThrow(
      /backupVaultName names the vault this construct creates.*\n.*vaultLock configures the vault this construct creates/s,
    );
  });

  test('the name of a given vault is checked when it is known', () => {
    const stack = newStack();
    const vault = backup.BackupVault.fromBackupVaultName(stack, 'V', 'bad name');
    expect(() => job(stack, { backupVault: vault })).toThrow('backupVaultName ("bad name") must be 2 to 50 characters');
  });

  test('the vault lock is checked against deleteAfter', () => {
    expect(() => job(newStack(), {
      vaultLock: { minRetention: Duration.days(30) },
      lifecycle: { deleteAfter: Duration.days(7) },
    })).toThrow("lifecycle.deleteAfter (7 days) must be at least the vault lock's minRetention (30 days)");
  });

  test('warnings are annotations, not errors', () => {
    const stack = newStack();
    job(stack, {
      resource: ProtectedResource.fromArn('arn:aws:rds:eu-west-1:123456789012:db:orders'),
      lifecycle: { moveToColdStorageAfter: Duration.days(10), deleteAfter: Duration.days(100) },
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Job', Match.stringLikeRegexp('AWS Backup does not move RDS backups to cold storage'));
  });

  test('tokens are never validated as values', () => {
    const stack = newStack();
    const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
    const minutes = new CfnParameter(stack, 'Minutes', { type: 'Number' }).valueAsNumber;
    const name = new CfnParameter(stack, 'VaultName').valueAsString;
    const tag = new CfnParameter(stack, 'Tag').valueAsString;
    const arn = new CfnParameter(stack, 'Arn').valueAsString;
    expect(() => job(stack, {
      resource: ProtectedResource.fromArn(arn, 'DynamoDB'),
      backupVaultName: name,
      lifecycle: { moveToColdStorageAfter: Duration.days(days), deleteAfter: Duration.days(days) },
      startWindow: Duration.minutes(minutes),
      completeWindow: Duration.minutes(minutes),
      recoveryPointTags: { migration: tag },
      logicallyAirGappedBackupVaultArn: arn,
      timeout: Duration.seconds(minutes),
    })).not.toThrow();
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::BackupJob')) as any[];
    expect(resource.Properties.Lifecycle.DeleteAfterDays).toEqual({ Ref: 'Days' });
    expect(resource.Properties.StartWindowMinutes).toEqual({ Ref: 'Minutes' });
    expect(resource.Properties.TimeoutSeconds).toEqual({ Ref: 'Minutes' });
    // A token timeout still bounds CloudFormation's wait: at its maximum (the handler checks the value at deploy time).
    expect(resource.Properties.ServiceTimeout).toBe('3600');
    expect(Token.isUnresolved(name)).toBe(true);
  });

  test('a token duration in another unit is reported clearly', () => {
    const stack = newStack();
    const hours = new CfnParameter(stack, 'Hours', { type: 'Number' }).valueAsNumber;
    expect(() => job(stack, { startWindow: Duration.hours(hours) })).toThrow(
      'startWindow is a token that cannot be converted to whole minutes; build it with Duration.minutes(...)',
    );
  });
});
