/**
 * The package as a user gets it: `npm pack`, unpacked into a separate app's
 * node_modules, used from there. What works only inside this repository fails here.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Simulation, SynthesizedStack } from '../local/simulation';
import { envOf, nodeOf } from './fixtures/node-releases';

/** The supported Node.js releases the installed package is tried on. */
const RELEASES = [24, 22] as const;

const ROOT = path.join(__dirname, '..');

let appDir: string;
let files: string[];

beforeAll(() => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-backup-jobs-pack-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }));
  files = packed[0].files.map((f: { path: string }) => f.path);

  appDir = path.join(work, 'app');
  fs.mkdirSync(appDir);
  fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }));
  // npm installs the tarball as it would from the registry (the package has no dependencies to fetch).
  execFileSync('npm', ['install', path.join(work, packed[0].filename), '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps'], { cwd: appDir, stdio: 'pipe' });
  // The peer dependencies, as the user's app has them.
  for (const peer of ['aws-cdk-lib', 'constructs']) {
    fs.symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(appDir, 'node_modules', peer), 'dir');
  }
}, 120_000);

test('ships the compiled library, its types and the pre-built handler bundles, and no tests or sources', () => {
  expect(files).toEqual(expect.arrayContaining([
    'package.json', 'README.md', 'LICENSE', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/handlers/jobs/index.js', 'dist/handlers/jobs/instance-protection.js',
    // The notices of the third-party code the bundles carry.
    'dist/THIRD_PARTY_LICENSES',
  ]));
  expect(files.filter((f) => f.startsWith('test/') || f.startsWith('lib/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

test('ships the jsii assembly and API.md; the installed library is jsii\'s build (its classes carry their jsii names), from modules that exist', () => {
  expect(files).toEqual(expect.arrayContaining(['.jsii', 'API.md']));
  const assembly = JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules', 'cdk-backup-jobs', '.jsii'), 'utf8'));
  expect(assembly).toMatchObject({ schema: 'jsii/0.10.0', name: 'cdk-backup-jobs', version: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version });
  expect(Object.keys(assembly.types).sort()).toEqual([
    'cdk-backup-jobs.BackupBeforeRemoval', 'cdk-backup-jobs.BackupBeforeRemovalOptions', 'cdk-backup-jobs.BackupBeforeRemovalProps',
    'cdk-backup-jobs.BackupJob', 'cdk-backup-jobs.BackupJobLifecycle', 'cdk-backup-jobs.BackupJobProps', 'cdk-backup-jobs.BackupSettings',
    'cdk-backup-jobs.CopyJob', 'cdk-backup-jobs.CopyJobProps', 'cdk-backup-jobs.ICopyJob', 'cdk-backup-jobs.ProtectedResource',
    'cdk-backup-jobs.RecoveryPoint', 'cdk-backup-jobs.RecoveryPointAttributes', 'cdk-backup-jobs.RestoreJob', 'cdk-backup-jobs.RestoreJobProps', 'cdk-backup-jobs.ScanJob', 'cdk-backup-jobs.ScanJobProps',
  ]);
  expect(Object.keys(assembly.targets).sort()).toEqual(['dotnet', 'go', 'java', 'js', 'python']);
  const rtti = execFileSync(process.execPath, ['-e', 'const m = require("cdk-backup-jobs"); console.log(m.BackupJob[Symbol.for("jsii.rtti")].fqn)'], { cwd: appDir, encoding: 'utf8' });
  expect(rtti.trim()).toBe('cdk-backup-jobs.BackupJob');
  // Every shipped module of the library is one the sources still have (no leftovers of moved modules).
  const shipped = files.filter((f) => f.startsWith('dist/lib/') && f.endsWith('.js')).map((f) => f.slice('dist/'.length, -'.js'.length));
  expect(shipped.filter((m) => !fs.existsSync(path.join(ROOT, `${m}.ts`)))).toEqual([]);
});

test.each(RELEASES)('on Node.js %i, a separate app synthesizes a BackupJob from the installed package, handler asset included', (major) => {
  fs.writeFileSync(path.join(appDir, 'app.js'), `
    const { App, Stack, Duration } = require('aws-cdk-lib');
    const { BackupJob, ProtectedResource } = require('cdk-backup-jobs');
    const app = new App({ outdir: 'cdk.out', context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'UserStack');
    new BackupJob(stack, 'Snapshot', {
      resource: ProtectedResource.fromArn('arn:aws:dynamodb:eu-west-1:123456789012:table/Orders'),
      lifecycle: { deleteAfter: Duration.days(7) },
    });
    const assembly = app.synth();
    const template = assembly.getStackByName('UserStack').template;
    const handlers = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && /index\\.(onEvent|isComplete)$/.test(r.Properties.Handler));
    const assets = handlers.map((h) => h.Metadata && h.Metadata['aws:asset:path']).filter(Boolean);
    console.log(JSON.stringify({
      types: Object.values(template.Resources).map((r) => r.Type).filter((t) => t.startsWith('Custom::')),
      handlers: handlers.length,
      assetFiles: assets.map((a) => require('fs').readdirSync(require('path').join('cdk.out', a))),
    }));
  `);
  const node = nodeOf(major);
  expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).toMatch(new RegExp(`^v${major}\\.`));
  const out = JSON.parse(execFileSync(node, ['app.js'], { cwd: appDir, encoding: 'utf8' }).trim().split('\n').pop()!);
  expect(out.types).toEqual(['Custom::BackupJob']);
  expect(out.handlers).toBe(2);
  // The handlers' bundle, and the one it loads on first use (a guard's RDS and EC2 deletion protection).
  expect(out.assetFiles).toEqual([['index.js', 'instance-protection.js', 'validation-invoke.js'], ['index.js', 'instance-protection.js', 'validation-invoke.js']]);
});

test('the jsii library ships only construct code: dist/lib requires nothing but aws-cdk-lib, constructs, Node.js built-ins and itself', () => {
  const lib = path.join(appDir, 'node_modules', 'cdk-backup-jobs', 'dist', 'lib');
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const files = walk(lib).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'));
  expect(files.length).toBeGreaterThan(20);
  const builtins = new Set(require('module').builtinModules as string[]);
  const allowed = (specifier: string) => specifier.startsWith('.') || specifier === 'constructs' || specifier === 'aws-cdk-lib'
    || specifier.startsWith('aws-cdk-lib/') || builtins.has(specifier.replace(/^node:/, ''));
  const foreign = files.flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/(?:require\(|from |import\()\s*["']([^"']+)["']/g)]
    .map((m) => m[1]).filter((specifier) => !allowed(specifier)).map((specifier) => `${path.relative(lib, file)}: ${specifier}`));
  expect(foreign).toEqual([]);
});

test('the package adds no dependencies to the app: the handlers and the CLI carry theirs', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules', 'cdk-backup-jobs', 'package.json'), 'utf8'));
  expect(manifest.dependencies ?? {}).toEqual({});
  expect(Object.keys(manifest.peerDependencies)).toEqual(['aws-cdk-lib', 'constructs']);
});

test.each(RELEASES)('on Node.js %i, npx backup-jobs --help works from the installed package', (major) => {
  const env = envOf(nodeOf(major));
  const help = execFileSync('npx', ['--offline', 'backup-jobs', '--help'], { cwd: appDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
  expect(help).toMatch(/^Usage: backup-jobs \[options\] \[command\]/);
  expect(help).toContain('Exit codes:');
  expect(execFileSync('npx', ['--offline', 'backup-jobs', '--version'], { cwd: appDir, encoding: 'utf8', env }).trim()).toBe(
    JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
  );
});

test('a synth-time error reads the same from the installed package', () => {
  fs.writeFileSync(path.join(appDir, 'bad.js'), `
    const { App, Stack, Duration } = require('aws-cdk-lib');
    const { BackupJob, ProtectedResource } = require('cdk-backup-jobs');
    const stack = new Stack(new App(), 'UserStack');
    new BackupJob(stack, 'Snapshot', {
      resource: ProtectedResource.fromArn('arn:aws:dynamodb:eu-west-1:123456789012:table/Orders'),
      timeout: Duration.hours(13),
    });
  `);
  expect(() => execFileSync('node', ['bad.js'], { cwd: appDir, encoding: 'utf8', stdio: 'pipe' })).toThrow(
    /timeout \(13 hours\) must be at most 12 hours/,
  );
});

test('a separate app\'s 10-hour BackupJob from the installed package deploys in the simulation: an 8-hour backup through the long-wait path', async () => {
  fs.writeFileSync(path.join(appDir, 'long.js'), `
    const { App, Stack, Duration, CfnOutput } = require('aws-cdk-lib');
    const dynamodb = require('aws-cdk-lib/aws-dynamodb');
    const { BackupJob, ProtectedResource } = require('cdk-backup-jobs');
    const app = new App({ outdir: 'cdk.out.long' });
    const stack = new Stack(app, 'UserLong');
    const table = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const job = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), timeout: Duration.hours(10) });
    new CfnOutput(stack, 'RecoveryPointArn', { value: job.recoveryPointArn });
    new CfnOutput(stack, 'State', { value: job.state });
    app.synth();
  `);
  execFileSync('node', ['long.js'], { cwd: appDir, encoding: 'utf8' });
  const stack = SynthesizedStack.fromAssembly(path.join(appDir, 'cdk.out.long'), 'UserLong');
  const types = Object.values(stack.template.Resources).map((r) => r.Type);
  expect(types).toEqual(expect.arrayContaining(['AWS::CloudFormation::WaitConditionHandle', 'AWS::CloudFormation::WaitCondition', 'Custom::BackupJob', 'Custom::BackupJobResult']));
  const simulation = await Simulation.start({ echo: false });
  try {
    simulation.standIn.service.backups.onResource('arn:aws:dynamodb:us-east-1:123456789012:table/orders', { durationSeconds: 8 * 3600 });
    const result = await simulation.cloudFormation('UserLong').deploy(stack);
    expect({ status: result.status, reason: result.reason }).toEqual({ status: 'CREATE_COMPLETE', reason: undefined });
    expect(result.outputs).toMatchObject({ State: 'COMPLETED', RecoveryPointArn: expect.stringMatching(/^arn:aws:backup:us-east-1:123456789012:recovery-point:/) });
    await simulation.aws.idle();
    expect(simulation.aws.executions.filter((e) => e.run).map((e) => e.status)).toEqual(['SUCCEEDED']);
  } finally {
    await simulation.stop();
  }
}, 120_000);

test('a separate app guards its tables with BackupBeforeRemoval from the installed package: one guard by hand, the rest by guardAll; deleting the stack backs each table up first', async () => {
  fs.writeFileSync(path.join(appDir, 'guarded.js'), `
    const { App, Stack, Duration, RemovalPolicy } = require('aws-cdk-lib');
    const dynamodb = require('aws-cdk-lib/aws-dynamodb');
    const { BackupBeforeRemoval, ProtectedResource } = require('cdk-backup-jobs');
    const app = new App({ outdir: 'cdk.out.guarded' });
    const stack = new Stack(app, 'UserGuarded');
    const table = (id) => new dynamodb.Table(stack, id, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
    const orders = table('Orders');
    new BackupBeforeRemoval(stack, 'OrdersGuard', { resource: ProtectedResource.fromDynamoDbTable(orders), lifecycle: { deleteAfter: Duration.days(90) } });
    table('Customers');
    BackupBeforeRemoval.guardAll(stack, { timeout: Duration.minutes(30) });
    app.synth();
  `);
  execFileSync('node', ['guarded.js'], { cwd: appDir, encoding: 'utf8' });
  const stack = SynthesizedStack.fromAssembly(path.join(appDir, 'cdk.out.guarded'), 'UserGuarded');
  const guards = Object.values(stack.template.Resources).filter((r) => r.Type === 'Custom::BackupBeforeRemoval');
  expect(guards.map((g) => g.Properties!.TimeoutSeconds).sort()).toEqual([1800, 3480]);
  const simulation = await Simulation.start({ echo: false });
  try {
    const cfn = simulation.cloudFormation('UserGuarded');
    expect((await cfn.deploy(stack)).status).toBe('CREATE_COMPLETE');
    const tables = cfn.resourcesOfType('AWS::DynamoDB::Table').map((t) => t.physicalId);
    expect(tables).toHaveLength(2);
    const result = await cfn.destroy();
    expect({ status: result.status, reason: result.reason }).toEqual({ status: 'DELETE_COMPLETE', reason: undefined });
    for (const name of tables) {
      const jobs = simulation.standIn.service.backups.jobsOf(`arn:aws:dynamodb:us-east-1:123456789012:table/${name}`);
      expect(jobs.map((j) => [j.state, j.tags?.['cdk-backup-jobs:reason']])).toEqual([['COMPLETED', 'stack-deletion']]);
      expect(simulation.standIn.service.tables.tableDeleted(name)).toBe(true);
    }
  } finally {
    await simulation.stop();
  }
}, 120_000);

test('a separate app takes the pre-migration backup, copies it to a disaster-recovery Region and runs the migration only after the copy, from the installed package', async () => {
  fs.writeFileSync(path.join(appDir, 'dr.js'), `
    const { App, Stack, Duration } = require('aws-cdk-lib');
    const backup = require('aws-cdk-lib/aws-backup');
    const dynamodb = require('aws-cdk-lib/aws-dynamodb');
    const ssm = require('aws-cdk-lib/aws-ssm');
    const { BackupJob, CopyJob, ProtectedResource, RecoveryPoint } = require('cdk-backup-jobs');
    const app = new App({ outdir: 'cdk.out.dr' });
    const stack = new Stack(app, 'UserDr');
    const table = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const snapshot = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromDynamoDbTable(table), trigger: '0042' });
    const drCopy = new CopyJob(stack, 'DrCopy', {
      recoveryPoint: RecoveryPoint.fromBackupJob(snapshot),
      destinationBackupVault: backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr'),
      lifecycle: { deleteAfter: Duration.days(35) },
    });
    const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: 'migration 0042' });
    migration.node.addDependency(drCopy);
    new (require('aws-cdk-lib').CfnOutput)(stack, 'CopyArn', { value: drCopy.destinationRecoveryPointArn });
    app.synth();
  `);
  execFileSync('node', ['dr.js'], { cwd: appDir, encoding: 'utf8' });
  const stack = SynthesizedStack.fromAssembly(path.join(appDir, 'cdk.out.dr'), 'UserDr');
  const copies = Object.values(stack.template.Resources).filter((r) => r.Type === 'Custom::CopyJob');
  expect(copies.map((c) => c.Properties!.DestinationBackupVaultArn)).toEqual(['arn:aws:backup:us-west-2:123456789012:backup-vault:dr']);
  const simulation = await Simulation.start({ echo: false });
  try {
    simulation.standIn.service.copies.createOtherVault('arn:aws:backup:us-west-2:123456789012:backup-vault:dr');
    const cfn = simulation.cloudFormation('UserDr');
    const result = await cfn.deploy(stack);
    expect({ status: result.status, reason: result.reason }).toEqual({ status: 'CREATE_COMPLETE', reason: undefined });
    const [copy] = simulation.standIn.service.copies.copyRecords();
    expect(result.outputs.CopyArn).toBe(copy.destinationRecoveryPointArn);
    const copied = result.operations.find((o) => o.resourceType === 'Custom::CopyJob')!.response!.receivedAt;
    expect(cfn.events.find((e) => e.logicalId.startsWith('Migration') && e.status === 'CREATE_COMPLETE')!.at).toBeGreaterThanOrEqual(copied);
  } finally {
    await simulation.stop();
  }
}, 120_000);

test('a separate app scans its bucket\'s backup for malware before the migration, from the installed package: a clean scan lets it run, an infected one stops the deploy', async () => {
  fs.writeFileSync(path.join(appDir, 'scan.js'), `
    const { App, Stack, CfnOutput } = require('aws-cdk-lib');
    const s3 = require('aws-cdk-lib/aws-s3');
    const ssm = require('aws-cdk-lib/aws-ssm');
    const { BackupJob, ProtectedResource, RecoveryPoint, ScanJob } = require('cdk-backup-jobs');
    const app = new App({ outdir: 'cdk.out.scan' });
    const stack = new Stack(app, 'UserScan');
    const bucket = new s3.Bucket(stack, 'Uploads', { bucketName: 'user-uploads', versioned: true });
    const snapshot = new BackupJob(stack, 'Snapshot', { resource: ProtectedResource.fromS3Bucket(bucket) });
    const scan = new ScanJob(stack, 'SnapshotScan', { recoveryPoint: RecoveryPoint.fromBackupJob(snapshot) });
    const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: 'migration 0042' });
    migration.node.addDependency(scan);
    new CfnOutput(stack, 'ScanResult', { value: scan.scanResultStatus });
    app.synth();
  `);
  execFileSync('node', ['scan.js'], { cwd: appDir, encoding: 'utf8' });
  const stack = SynthesizedStack.fromAssembly(path.join(appDir, 'cdk.out.scan'), 'UserScan');
  expect(Object.values(stack.template.Resources).filter((r) => r.Type === 'Custom::ScanJob').map((r) => r.Properties!.ScanMode)).toEqual(['FULL_SCAN']);
  for (const result of ['NO_THREATS_FOUND', 'THREATS_FOUND'] as const) {
    const simulation = await Simulation.start({ echo: false });
    try {
      simulation.standIn.service.scans.onNextScan({ result });
      const cfn = simulation.cloudFormation('UserScan');
      const deployed = await cfn.deploy(stack);
      const migrated = cfn.events.some((e) => e.logicalId.startsWith('Migration') && e.status === 'CREATE_COMPLETE');
      expect(cfn.events.some((e) => e.logicalId.startsWith('SnapshotScan'))).toBe(true);
      if (result === 'NO_THREATS_FOUND') {
        expect({ status: deployed.status, scan: deployed.outputs.ScanResult, migrated }).toEqual({ status: 'CREATE_COMPLETE', scan: 'NO_THREATS_FOUND', migrated: true });
      } else {
        expect({ status: deployed.status, migrated }).toEqual({ status: 'ROLLBACK_COMPLETE', migrated: false });
        expect(deployed.reason).toContain('THREATS_FOUND');
      }
    } finally {
      await simulation.stop();
    }
  }
}, 180_000);

test('the package metadata Construct Hub and the registries read: the awscdk keyword, stability, repository, homepage, license; each jsii target named', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules', 'cdk-backup-jobs', 'package.json'), 'utf8'));
  expect(pkg.keywords).toEqual(expect.arrayContaining(['awscdk', 'aws-backup']));
  expect(pkg).toMatchObject({ stability: 'experimental', license: 'Apache-2.0', repository: { type: 'git', url: expect.stringMatching(/^https:\/\/github\.com\//) }, homepage: expect.stringMatching(/^https:\/\//) });
  expect(pkg.jsii.targets).toMatchObject({
    python: { distName: 'cdk-backup-jobs', module: 'cdk_backup_jobs' },
    java: { maven: { groupId: 'io.github.cdk-backup-jobs', artifactId: 'cdk-backup-jobs' } },
    dotnet: { packageId: 'CdkBackupJobs' },
    go: { moduleName: 'github.com/cdk-backup-jobs/cdk-backup-jobs-go' },
  });
});
