/** How the benchmark sizes templates and IAM policies (scripts/bench/template-metrics.ts). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { templateMetrics } from '../scripts/bench/template-metrics';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function write(template: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-backup-jobs-metrics-'));
  dirs.push(dir);
  const file = path.join(dir, 'template.json');
  fs.writeFileSync(file, JSON.stringify(template, undefined, 1));
  return file;
}

const statement = (resource: unknown) => ({ Effect: 'Allow', Action: 'backup:StartBackupJob', Resource: resource });

test('counts resources by type, Lambda functions, and bytes as written and minified', () => {
  const template = { Resources: { F: { Type: 'AWS::Lambda::Function', Properties: {} }, V: { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'v' } } } };
  const m = templateMetrics(write(template));
  expect(m).toMatchObject({ resources: 2, lambdas: 1, resourcesByType: { 'AWS::Lambda::Function': 1, 'AWS::Backup::BackupVault': 1 } });
  expect(m.minifiedBytes).toBe(JSON.stringify(template).length);
  expect(m.bytes).toBeGreaterThan(m.minifiedBytes);
});

test('sizes policies with intrinsics resolved and without white space between elements, and adds up the inline policies of each role', () => {
  const vaultArn = 'arn:aws:backup:us-east-1:123456789012:backup-vault:my vault';
  const document = { Version: '2012-10-17', Statement: [statement({ 'Fn::GetAtt': ['V', 'BackupVaultArn'] })] };
  const template = {
    Resources: {
      V: { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'my vault' } },
      R: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'a', PolicyDocument: document }] } },
      P1: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'R' }], PolicyDocument: document } },
      P2: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Other' }], PolicyDocument: document } },
    },
  };
  const one = JSON.stringify({ Version: '2012-10-17', Statement: [statement(vaultArn)] }).length;
  const m = templateMetrics(write(template));
  expect(m.largestPolicy).toBe(one);
  // The role's own inline policy and P1, which is attached to it; P2 belongs to another role.
  expect(m.largestRoleInlinePolicies).toBe(2 * one);
});

test('an intrinsic it cannot resolve is counted unresolved, never as nothing', () => {
  const document = { Statement: [statement({ 'Fn::ImportValue': 'shared-vault-arn' })] };
  const m = templateMetrics(write({ Resources: { P: { Type: 'AWS::IAM::Policy', Properties: { Roles: [], PolicyDocument: document } } } }));
  expect(m.largestPolicy).toBe(JSON.stringify(document).length);
});
