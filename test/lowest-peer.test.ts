/**
 * The lowest aws-cdk-lib and constructs the package promises (peerDependencies:
 * ^2.225.0, ^10.0.0):
 * the packed package, installed into a separate app whose aws-cdk-lib is
 * 2.225.0 and constructs 10.0.0 (the `aws-cdk-lib-lowest` and `constructs-lowest`
 * aliases package-lock.json pins), synthesizes
 * every construct, and the stack deploys and is destroyed in the simulation;
 * cfn-lint finds no errors in its template. (The example app, bin/, is built
 * against the locked aws-cdk-lib: it uses newer APIs than the floor, as cdk-nag 3
 * does; the floor is the library's.)
 * Raising the floor is a decision the README states, and this test moves with it.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Simulation, SynthesizedStack } from '../local/simulation';
import { toolAvailable } from './fixtures/tools';

const ROOT = path.join(__dirname, '..');
const LOWEST = path.join(ROOT, 'node_modules', 'aws-cdk-lib-lowest');
const LOWEST_CONSTRUCTS = path.join(ROOT, 'node_modules', 'constructs-lowest');

test('the floors peerDependencies names are the versions this test installs', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const [name, dir] of [['aws-cdk-lib', LOWEST], ['constructs', LOWEST_CONSTRUCTS]]) {
    const lowest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(lowest.name).toBe(name);
    expect(pkg.peerDependencies[name]).toBe(`^${lowest.version}`);
  }
});

let appDir: string;
let stack: SynthesizedStack;

beforeAll(() => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-backup-jobs-lowest-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }));
  appDir = path.join(work, 'app');
  fs.mkdirSync(appDir);
  fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', path.join(work, packed[0].filename), '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps'], { cwd: appDir, stdio: 'pipe' });
  fs.symlinkSync(LOWEST, path.join(appDir, 'node_modules', 'aws-cdk-lib'), 'dir');
  fs.symlinkSync(LOWEST_CONSTRUCTS, path.join(appDir, 'node_modules', 'constructs'), 'dir');
  fs.writeFileSync(path.join(appDir, 'app.js'), `
    const { App, Stack, Duration, RemovalPolicy } = require('aws-cdk-lib');
    const backup = require('aws-cdk-lib/aws-backup');
    const dynamodb = require('aws-cdk-lib/aws-dynamodb');
    const lambda = require('aws-cdk-lib/aws-lambda');
    const s3 = require('aws-cdk-lib/aws-s3');
    const { BackupBeforeRemoval, BackupJob, CopyJob, ProtectedResource, RecoveryPoint, RestoreJob, ScanJob } = require('cdk-backup-jobs');
    if (require('aws-cdk-lib/package.json').version !== '2.225.0') throw new Error('not the lowest aws-cdk-lib: ' + require('aws-cdk-lib/package.json').version);
    if (require('constructs/package.json').version !== '10.0.0') throw new Error('not the lowest constructs: ' + require('constructs/package.json').version);
    const app = new App({ outdir: 'cdk.out' });
    const stack = new Stack(app, 'Lowest');
    const table = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
    const snapshot = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table) });
    new BackupJob(stack, 'Long', { resource: ProtectedResource.fromDynamoDbTable(table), timeout: Duration.hours(2) }).node.addDependency(snapshot);
    new RestoreJob(stack, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(snapshot), metadata: { targetTableName: 'orders-restore' }, removalPolicy: RemovalPolicy.DESTROY,
      validation: new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline("exports.handler = async () => ({ ValidationStatus: 'SUCCESSFUL' });") }),
    });
    new CopyJob(stack, 'DrCopy', { recoveryPoint: RecoveryPoint.fromBackupJob(snapshot), destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Dr', 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr') });
    const bucket = new s3.Bucket(stack, 'Uploads', { bucketName: 'uploads', versioned: true });
    new ScanJob(stack, 'Scan', { recoveryPoint: RecoveryPoint.fromBackupJob(new BackupJob(stack, 'UploadsSnapshot', { resource: ProtectedResource.fromS3Bucket(bucket) })) });
    BackupBeforeRemoval.guardAll(stack);
    app.synth();
  `);
  // The peers are linked in: Node.js resolves their own imports from the app (one constructs, the lowest), not from this repository.
  execFileSync('node', ['--preserve-symlinks', 'app.js'], { cwd: appDir, encoding: 'utf8' });
  stack = SynthesizedStack.fromAssembly(path.join(appDir, 'cdk.out'), 'Lowest');
}, 180_000);

test('with aws-cdk-lib and constructs at their lowest supported versions, an app of every construct synthesizes from the installed package, and deploys and is destroyed in the simulation', async () => {
  const types = new Set(Object.values(stack.template.Resources).map((r) => r.Type));
  for (const type of ['Custom::BackupJob', 'Custom::BackupJobResult', 'Custom::RestoreJob', 'Custom::CopyJob', 'Custom::ScanJob', 'Custom::BackupBeforeRemoval']) expect(types).toContain(type);
  const simulation = await Simulation.start({ echo: false });
  try {
    simulation.standIn.service.copies.createOtherVault('arn:aws:backup:us-west-2:123456789012:backup-vault:dr');
    const cfn = simulation.cloudFormation('Lowest');
    const deployed = await cfn.deploy(stack);
    expect({ status: deployed.status, reason: deployed.reason }).toEqual({ status: 'CREATE_COMPLETE', reason: undefined });
    const destroyed = await cfn.destroy();
    expect({ status: destroyed.status, reason: destroyed.reason }).toEqual({ status: 'DELETE_COMPLETE', reason: undefined });
  } finally {
    await simulation.stop();
  }
}, 300_000);

const haveCfnLint = toolAvailable('cfn-lint', 'the cfn-lint check of the lowest-peer templates', 'pip install cfn-lint');

(haveCfnLint ? test : test.skip)('cfn-lint finds no errors in the template synthesized with the lowest peers', () => {
  const file = path.join(appDir, 'cdk.out', 'Lowest.template.json');
  expect(fs.existsSync(file)).toBe(true);
  const run = spawnSync('cfn-lint', ['--format', 'json', file], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const findings = JSON.parse(run.stdout || '[]') as Array<{ Level: string; Rule: { Id: string }; Message: string }>;
  expect(findings.filter((f) => f.Level === 'Error')).toEqual([]);
  // Warnings come from aws-cdk-lib's own DependsOn habits (W3005) only.
  expect([...new Set(findings.map((f) => f.Rule.Id))].filter((id) => id !== 'W3005')).toEqual([]);
});
