/**
 * Synthesizes a fixed set of stacks (the example app on both paths, and the
 * shapes the tests deploy: short and long backups, restores and copies,
 * removal guards of one resource and of a whole stack, DESTROY,
 * given vaults and roles, tokens, many jobs) and writes each template with
 * sorted keys and code asset hashes replaced, so that two versions of the
 * library can be compared: a change that should not change behaviour shows no
 * difference.
 *
 *   npm run templates -- <outdir>     then: diff -r <before> <after>
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BackupBeforeRemoval, BackupJob, BackupJobProps, CopyJob, CopyJobProps, ProtectedResource, RecoveryPoint, RestoreJob, RestoreJobProps } from '../../lib';
import { ExampleStack } from '../../bin/example-stack';

const ASSET_HASH = /[0-9a-f]{64}/g;

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
  return value;
}

type Build = (stack: Stack, table: dynamodb.Table) => void;

const job = (props: Partial<BackupJobProps> = {}, id = 'Snapshot'): Build => (stack, table) => {
  new BackupJob(stack, id, { resource: ProtectedResource.fromDynamoDbTable(table), ...props });
};
const restore = (backupProps: Partial<BackupJobProps>, restoreProps: Partial<RestoreJobProps>): Build => (stack, table) => {
  const snapshot = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), ...backupProps });
  new RestoreJob(stack, 'Restore', { recoveryPoint: RecoveryPoint.fromBackupJob(snapshot), metadata: { targetTableName: 'orders-copy' }, ...restoreProps });
};

const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';
const copy = (copyProps: Partial<CopyJobProps>): Build => (stack, table) => {
  const snapshot = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table) });
  new CopyJob(stack, 'DrCopy', {
    recoveryPoint: RecoveryPoint.fromBackupJob(snapshot),
    destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', DR_VAULT),
    ...copyProps,
  });
};

const STACKS: Record<string, Build> = {
  'backup-default': job(),
  'backup-destroy-lifecycle': job({ removalPolicy: RemovalPolicy.DESTROY, lifecycle: { deleteAfter: Duration.days(35) }, trigger: 'm-1', recoveryPointTags: { purpose: 'pre-migration' } }),
  'backup-no-wait': job({ waitForCompletion: false }),
  'backup-long': job({ timeout: Duration.hours(8), allowPartial: true }),
  'backup-long-destroy': job({ timeout: Duration.hours(10), removalPolicy: RemovalPolicy.DESTROY }),
  'backup-given-vault-and-role': (stack, table) => {
    const vault = new backup.BackupVault(stack, 'Vault', { backupVaultName: 'shared-vault' });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('backup.amazonaws.com') });
    job({ backupVault: vault, backupRole: role })(stack, table);
  },
  'backup-token-timeout': (stack, table) => {
    const seconds = new CfnParameter(stack, 'TimeoutSeconds', { type: 'Number', default: 1800 });
    job({ timeout: Duration.seconds(seconds.valueAsNumber) })(stack, table);
  },
  'backup-vault-lock': job({ vaultLock: { minRetention: Duration.days(7), maxRetention: Duration.days(365) }, lifecycle: { deleteAfter: Duration.days(30) } }),
  'backups-three-types': (stack, table) => {
    job({}, 'Table')(stack, table);
    new BackupJob(stack, 'Volume', { resource: ProtectedResource.fromArn('arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0'), removalPolicy: RemovalPolicy.DESTROY });
    new BackupJob(stack, 'Cluster', { resource: ProtectedResource.fromArn('arn:aws:rds:us-east-1:123456789012:cluster:orders'), removalPolicy: RemovalPolicy.DESTROY });
  },
  'restore-short-destroy': restore({}, { removalPolicy: RemovalPolicy.DESTROY }),
  'restore-long': restore({ timeout: Duration.hours(3) }, { timeout: Duration.hours(5), removalPolicy: RemovalPolicy.DESTROY }),
  'copy-short': copy({ lifecycle: { deleteAfter: Duration.days(35) } }),
  'copy-long-destroy': copy({ timeout: Duration.hours(4), removalPolicy: RemovalPolicy.DESTROY, allowPartial: true }),
  'copy-no-wait': copy({ waitForCompletion: false, trigger: 'm-2' }),
  'guard-table': (stack, table) => {
    new BackupBeforeRemoval(stack, 'OrdersGuard', { resource: ProtectedResource.fromDynamoDbTable(table), resourceConstruct: table, lifecycle: { deleteAfter: Duration.days(35) } });
  },
  'guard-all': (stack, table) => {
    void table;
    new dynamodb.Table(stack, 'Customers', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
    BackupBeforeRemoval.guardAll(stack, { timeout: Duration.minutes(30) });
  },
  'restore-of-arn': (stack) => {
    new RestoreJob(stack, 'Restore', {
      recoveryPoint: RecoveryPoint.fromArn('arn:aws:backup:us-east-1:123456789012:recovery-point:ABC', {
        backupVault: backup.BackupVault.fromBackupVaultName(stack, 'Vault', 'pre-migration'),
        resourceType: 'DynamoDB',
      }),
      metadata: { targetTableName: 'orders-copy' },
    });
  },
};

function write(outdir: string, name: string, template: unknown): void {
  fs.writeFileSync(path.join(outdir, `${name}.template.json`), `${JSON.stringify(sorted(template), null, 1).replace(ASSET_HASH, '(asset hash)')}\n`);
}

function main(): void {
  const outdir = process.argv[2];
  if (!outdir) throw new Error('usage: dump <outdir>');
  fs.mkdirSync(outdir, { recursive: true });
  const assemblies = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-'));
  for (const [name, build] of Object.entries(STACKS)) {
    const app = new App({ outdir: path.join(assemblies, name) });
    const stack = new Stack(app, 'Templates', { env: { account: '123456789012', region: 'us-east-1' } });
    const table = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    build(stack, table);
    write(outdir, name, app.synth().getStackByName('Templates').template);
  }
  for (const hours of [undefined, 10]) {
    const app = new App({ outdir: path.join(assemblies, `example-${hours ?? 'short'}`) });
    new ExampleStack(app, 'BackupJobsExample', { snapshotTimeout: hours === undefined ? undefined : Duration.hours(hours) });
    write(outdir, `example-${hours === undefined ? 'short' : 'long'}`, app.synth().getStackByName('BackupJobsExample').template);
  }
  fs.rmSync(assemblies, { recursive: true, force: true });
  console.log(`${Object.keys(STACKS).length + 2} templates in ${outdir}`);
}

main();
