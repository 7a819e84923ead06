/**
 * One synthesis for the benchmark, in a fresh process as `cdk synth` runs an app:
 *
 *   node synth-stack.js <variant> <jobs> <outdir>
 *
 * Builds a stack of <jobs> on-demand backups of DynamoDB tables in one of four
 * ways, synthesizes it into <outdir> and prints its timings as JSON. The
 * library is the built package (dist/lib), as users get it.
 */
import { join } from 'path';
import { performance } from 'perf_hooks';

const processStart = performance.now();
const [variant, jobsText, outdir] = process.argv.slice(2);

/* eslint-disable @typescript-eslint/no-require-imports */
const cdk: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
const backup: typeof import('aws-cdk-lib/aws-backup') = require('aws-cdk-lib/aws-backup');
const iam: typeof import('aws-cdk-lib/aws-iam') = require('aws-cdk-lib/aws-iam');
const cr: typeof import('aws-cdk-lib/custom-resources') = require('aws-cdk-lib/custom-resources');
const lib: typeof import('../../lib') = require(join(__dirname, '..', '..', 'dist', 'lib'));
const loaded = performance.now();

export type Variant = 'shared' | 'own' | 'baseline-shared' | 'baseline-own';

const jobs = Number(jobsText);
const app = new cdk.App({
  outdir,
  context: {
    // What the cdk CLI sets by default: resource paths and asset metadata in the template, version reporting.
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': true,
    // Measure stacks beyond CloudFormation's 500 resources too; the report compares them with the limit.
    '@aws-cdk/core:stackResourceLimit': 0,
  },
});
const stack = new cdk.Stack(app, 'Bench');
const tableArn = (i: number) => `arn:aws:dynamodb:us-east-1:123456789012:table/table-${i}`;

function userVault(id: string) {
  return new backup.BackupVault(stack, id, { removalPolicy: cdk.RemovalPolicy.RETAIN });
}
function userRole(id: string) {
  return new iam.Role(stack, id, {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup')],
  });
}

/** What a user writes without this library: AwsCustomResource calls StartBackupJob and does not wait. */
function awsCustomResource(i: number, vault: import('aws-cdk-lib/aws-backup').IBackupVault, role: import('aws-cdk-lib/aws-iam').IRole) {
  new cr.AwsCustomResource(stack, `Backup${i}`, {
    onCreate: {
      service: 'Backup',
      action: 'StartBackupJob',
      parameters: { BackupVaultName: vault.backupVaultName, ResourceArn: tableArn(i), IamRoleArn: role.roleArn },
      physicalResourceId: cr.PhysicalResourceId.fromResponse('BackupJobId'),
    },
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['backup:StartBackupJob'], resources: [vault.backupVaultArn] }),
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [role.roleArn] }),
    ]),
    installLatestAwsSdk: false,
  });
}

const constructStart = performance.now();
switch (variant as Variant) {
  case 'shared': {
    const backupVault = userVault('Vault');
    const backupRole = userRole('BackupRole');
    for (let i = 0; i < jobs; i++) {
      new lib.BackupJob(stack, `Backup${i}`, { resource: lib.ProtectedResource.fromArn(tableArn(i)), backupVault, backupRole });
    }
    break;
  }
  case 'own':
    for (let i = 0; i < jobs; i++) {
      new lib.BackupJob(stack, `Backup${i}`, { resource: lib.ProtectedResource.fromArn(tableArn(i)) });
    }
    break;
  case 'baseline-shared': {
    const vault = userVault('Vault');
    const role = userRole('BackupRole');
    for (let i = 0; i < jobs; i++) awsCustomResource(i, vault, role);
    break;
  }
  case 'baseline-own':
    for (let i = 0; i < jobs; i++) awsCustomResource(i, userVault(`Vault${i}`), userRole(`BackupRole${i}`));
    break;
  default:
    throw new Error(`unknown variant ${variant}`);
}
const synthStart = performance.now();
app.synth();
const end = performance.now();

process.stdout.write(JSON.stringify({
  loadMs: loaded - processStart,
  constructMs: synthStart - constructStart,
  synthMs: end - synthStart,
  template: join(outdir, stack.templateFile),
}));
