import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ExampleStack, ExampleStackProps } from '../bin/example-stack';
import { toolAvailable } from './fixtures/tools';

/** The example as `npm run demo` synthesizes it, with a 10-hour snapshot timeout (the long-wait path, `npm run demo -- --long`), or with its table guarded. */
const VARIANTS = [
  ['the short path', {}],
  ['the long-wait path', { snapshotTimeout: Duration.hours(10) }],
  ['the table guarded (npm run demo -- --removal)', { guardTable: true }],
  ['a disaster-recovery copy (npm run demo -- --dr)', { drVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' }],
] as const;

function synthExample(props: ExampleStackProps = {}): { app: App; stack: ExampleStack } {
  const app = new App();
  const stack = new ExampleStack(app, 'BackupJobsExample', props);
  return { app, stack };
}

describe('the example app', () => {
  test('is a table, a backup of it with a lifecycle, and a migration that runs after the backup', () => {
    const { stack } = synthExample();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('Custom::BackupJob', { ResourceType: 'DynamoDB', Lifecycle: { DeleteAfterDays: 35 }, Trigger: '0001' });
    const [backupJobId] = Object.keys(template.findResources('Custom::BackupJob'));
    const [trigger] = Object.values(template.findResources('Custom::Trigger')) as any[];
    expect(trigger.DependsOn).toContain(backupJobId);
  });

  test('with a 10-hour timeout, the migration waits for the backup\'s WaitCondition', () => {
    const { stack } = synthExample({ snapshotTimeout: Duration.hours(10) });
    const template = Template.fromStack(stack);
    const [condition] = Object.keys(template.findResources('AWS::CloudFormation::WaitCondition'));
    const [trigger] = Object.values(template.findResources('Custom::Trigger')) as any[];
    expect(trigger.DependsOn).toContain(condition);
  });

  test('a new migration version takes a new backup', () => {
    const app = new App();
    const stack = new ExampleStack(app, 'BackupJobsExample', { migrationVersion: '0002' });
    Template.fromStack(stack).hasResourceProperties('Custom::BackupJob', { Trigger: '0002' });
  });

  test.each(VARIANTS)('passes cdk-nag AwsSolutionsChecks with every acknowledgement carrying a reason (%s)', (_, props) => {
    const { app, stack } = synthExample(props);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();

    const acknowledgements = stack.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>)));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect({ id, reason: typeof reason === 'string' && reason.length > 20 }).toEqual({ id, reason: true });
    }
  });

  test('cdk-nag still reports a finding this library does not own', () => {
    const { app, stack } = synthExample();
    // A wildcard grant added by the user must not be hidden by the library's acknowledgements.
    stack.migration.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });
});

const haveCfnLint = toolAvailable('cfn-lint', 'the cfn-lint check of the example template', 'pip install cfn-lint');

(haveCfnLint ? test.each(VARIANTS) : test.skip.each(VARIANTS))('cfn-lint finds no errors in the synthesized example template (%s)', (_, props) => {
  const { app, stack } = synthExample(props);
  const assembly = app.synth();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-')), 'template.json');
  fs.copyFileSync(path.join(assembly.directory, stack.templateFile), file);
  const run = spawnSync('cfn-lint', ['--format', 'json', file], { encoding: 'utf8' });
  const findings = JSON.parse(run.stdout || '[]') as Array<{ Level: string; Rule: { Id: string }; Message: string }>;
  const errors = findings.filter((f) => f.Level === 'Error');
  expect(errors).toEqual([]);
  // Warnings come from aws-cdk-lib's own DependsOn habits (W3005) only.
  expect([...new Set(findings.map((f) => f.Rule.Id))].filter((id) => id !== 'W3005')).toEqual([]);
});
