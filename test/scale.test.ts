/**
 * The library's size promises at scale, as the cdk CLI synthesizes (path
 * metadata and version reporting on): 450 jobs sharing a vault and a role fit
 * in one stack. Sizes only; times are the benchmark's (npm run bench).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BackupJob, ProtectedResource } from '../lib';
import { LIMITS, templateMetrics, TemplateMetrics } from '../scripts/bench/template-metrics';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function synth(jobs: number): { metrics: TemplateMetrics; template: any } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-backup-jobs-scale-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true } });
  const stack = new Stack(app, 'Scale');
  const backupVault = new backup.BackupVault(stack, 'Vault');
  const backupRole = new iam.Role(stack, 'BackupRole', { assumedBy: new iam.ServicePrincipal('backup.amazonaws.com') });
  for (let i = 0; i < jobs; i++) {
    new BackupJob(stack, `Backup${i}`, {
      resource: ProtectedResource.fromArn(`arn:aws:dynamodb:us-east-1:123456789012:table/table-${i}`),
      backupVault,
      backupRole,
    });
  }
  app.synth();
  const file = path.join(outdir, stack.templateFile);
  return { metrics: templateMetrics(file), template: JSON.parse(fs.readFileSync(file, 'utf8')) };
}

const handlerPolicy = (template: any) => Object.values<any>(template.Resources)
  .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.PolicyDocument).includes('backup:StartBackupJob'))
  .map((r) => r.Properties.PolicyDocument);

describe('450 jobs sharing a vault and a role', () => {
  let one: ReturnType<typeof synth>;
  let many: ReturnType<typeof synth>;
  beforeAll(() => {
    one = synth(1);
    many = synth(450);
  });

  test('each extra job adds exactly one resource, and the stack stays under 500', () => {
    expect(many.metrics.resources - one.metrics.resources).toBe(449);
    expect(many.metrics.resourcesByType['Custom::BackupJob']).toBe(450);
    expect(many.metrics.resources).toBeLessThanOrEqual(LIMITS.resources);
  });

  test('each extra job adds at most 600 bytes of minified template; the template is far below 1 MB', () => {
    expect((many.metrics.minifiedBytes - one.metrics.minifiedBytes) / 449).toBeLessThanOrEqual(600);
    expect(many.metrics.bytes).toBeLessThan(LIMITS.templateBytes);
  });

  test('the handlers\' policy is the same with 450 jobs as with one: aggregated, under IAM\'s limit', () => {
    expect(handlerPolicy(many.template)).toEqual(handlerPolicy(one.template));
    expect(many.metrics.largestRoleInlinePolicies).toBe(one.metrics.largestRoleInlinePolicies);
    expect(many.metrics.largestRoleInlinePolicies).toBeLessThanOrEqual(LIMITS.roleInlinePolicies);
    expect(many.metrics.lambdas).toBe(one.metrics.lambdas);
  });
});
