/**
 * The integration tests (integ.*.ts) without an AWS account.
 *
 * @aws-cdk/integ-runner, which would compare them with their snapshots, cannot
 * read this aws-cdk-lib's cloud assemblies (schema 55; its newest release reads
 * up to 53). So this test does what its snapshot check does: each app is
 * synthesized and its templates compared with the committed snapshot (asset
 * hashes aside). It also checks that the tests remove what they make, that
 * their assertions ask AWS Backup what its API model knows, and it deploys and
 * destroys each test stack in the local simulation (the busy resource under
 * each of AWS Backup's behaviours).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { committedSnapshot, snapshotOf } from '../../scripts/integ/snapshot';
import { BUSY_BEHAVIOURS } from '../../local/stand-in/backup-job-states';
import { Simulation, SynthesizedStack } from '../../local/simulation';

const DIR = __dirname;
const TESTS = fs.readdirSync(DIR).filter((f) => /^integ\..+\.ts$/.test(f)).sort();
const MODEL = JSON.parse(fs.readFileSync(path.join(DIR, '..', '..', 'local', 'aws-backup', 'service-2.json'), 'utf8'));

interface Synthesized {
  readonly dir: string;
  readonly manifest: { testCases: Record<string, { stacks: string[]; assertionStackName: string }> };
  readonly templates: Record<string, { Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string }> }>;
}

const synthesized = new Map<string, Synthesized>();

/** Runs an integration test's app as integ-runner would, into a fresh directory. */
function synth(file: string): Synthesized {
  const known = synthesized.get(file);
  if (known) return known;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-backup-jobs-integ-'));
  const saved = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = dir;
  try {
    jest.isolateModules(() => require(path.join(DIR, file)));
  } finally {
    if (saved === undefined) delete process.env.CDK_OUTDIR;
    else process.env.CDK_OUTDIR = saved;
  }
  const templates = Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'))
    .map((f) => [f.slice(0, -'.template.json'.length), JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))]));
  const result = { dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'integ.json'), 'utf8')), templates };
  synthesized.set(file, result);
  return result;
}

afterAll(() => synthesized.forEach((s) => fs.rmSync(s.dir, { recursive: true, force: true })));

test('there are the integration tests the README promises', () => {
  expect(TESTS).toEqual(['integ.busy-resource.ts', 'integ.copy.ts', 'integ.long-path.ts', 'integ.restore.ts', 'integ.scan.ts', 'integ.short-path.ts']);
});

describe.each(TESTS)('%s', (file) => {
  test('synthesizes what its committed snapshot holds (else: npm run integ -- --update-snapshots)', () => {
    const { dir } = synth(file);
    expect(snapshotOf(dir)).toEqual(committedSnapshot(path.join(DIR, `${file}.snapshot`)));
  });

  test('removes what it makes: nothing is retained but logs, every job deletes what it made (recovery points, restored tables)', () => {
    const { manifest, templates } = synth(file);
    const [testCase] = Object.values(manifest.testCases);
    for (const stack of testCase.stacks) {
      const resources = Object.entries(templates[stack].Resources);
      // The handlers' log groups stay (a month's retention), to tell why a run failed.
      expect(resources.filter(([, r]) => r.DeletionPolicy === 'Retain' && r.Type !== 'AWS::Logs::LogGroup').map(([id]) => id)).toEqual([]);
      const jobs = resources.filter(([, r]) => ['Custom::BackupJob', 'Custom::RestoreJob', 'Custom::CopyJob'].includes(r.Type));
      expect(jobs.length).toBeGreaterThan(0);
      for (const [, job] of jobs) expect(job.Properties.RemovalPolicy).toBe('destroy');
    }
  });

  test('asserts through the AWS API, with calls AWS Backup\'s model knows and their required members', () => {
    const { manifest, templates } = synth(file);
    const [testCase] = Object.values(manifest.testCases);
    const calls = Object.values(templates[testCase.assertionStackName].Resources)
      .filter((r) => r.Type.startsWith('Custom::DeployAssert@SdkCall'))
      .map((r) => ({ service: r.Type.replace('Custom::DeployAssert@SdkCall', '').replace(r.Properties.api, ''), api: r.Properties.api as string, parameters: r.Properties.parameters ?? {} }));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls.filter((c) => c.service === 'Backup')) {
      const operation = call.api[0].toUpperCase() + call.api.slice(1);
      expect(MODEL.operations).toHaveProperty(operation);
      const required: string[] = MODEL.shapes[MODEL.operations[operation].input.shape].required ?? [];
      expect(Object.keys(call.parameters).sort()).toEqual([...required].sort());
    }
  });
});

describe('the test stacks in the local simulation (no AWS account): they deploy, and their destruction leaves nothing', () => {
  let simulation: Simulation;
  beforeAll(async () => { simulation = await Simulation.start({ echo: false }); });
  afterAll(() => simulation.stop());
  beforeEach(() => simulation.reset());

  async function deployAndDestroy(file: string) {
    const { dir, manifest } = synth(file);
    const [testCase] = Object.values(manifest.testCases);
    const stack = SynthesizedStack.fromAssembly(dir, testCase.stacks[0]);
    const cfn = simulation.cloudFormation(testCase.stacks[0]);
    const deployed = await cfn.deploy(stack);
    expect({ status: deployed.status, reason: deployed.reason }).toEqual({ status: 'CREATE_COMPLETE', reason: undefined });
    const service = simulation.standIn.service;
    const ours = service.backups.jobRecords().filter((j) => !j.byPlan);
    const completed = ours.filter((j) => service.backups.jobView(j.id).state === 'COMPLETED');
    const destroyed = await cfn.destroy();
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    await simulation.aws.idle();
    // Recovery points included: nothing the test made is left.
    expect(ours.filter((j) => service.backups.recoveryPointExists(j.recoveryPointArn)).map((j) => j.id)).toEqual([]);
    return { completed, ours };
  }

  test.each(['integ.short-path.ts', 'integ.long-path.ts'])('%s', async (file) => {
    const { completed } = await deployAndDestroy(file);
    expect(completed).toHaveLength(1);
  }, 120_000);

  test('integ.restore.ts: the restored table is deleted with the stack', async () => {
    const { completed } = await deployAndDestroy('integ.restore.ts');
    expect(completed).toHaveLength(1);
    expect(simulation.standIn.service.tables.tableStatus('backup-jobs-integ-restored')).toBeUndefined();
  }, 120_000);

  test('integ.copy.ts: the copy COMPLETED before the migration, and is deleted with the stack', async () => {
    const { completed } = await deployAndDestroy('integ.copy.ts');
    expect(completed).toHaveLength(1);
    expect(simulation.standIn.service.copies.copyRecords().map((c) => [c.state, c.deleted])).toEqual([['COMPLETED', true]]);
  }, 120_000);

  test('integ.scan.ts: the backup of the bucket is scanned clean, and everything goes with the stack', async () => {
    const { completed } = await deployAndDestroy('integ.scan.ts');
    expect(completed).toHaveLength(1);
    expect(simulation.standIn.service.scans.scanRecords().map((s) => s.state)).toEqual(['COMPLETED']);
  }, 120_000);

  test.each(BUSY_BEHAVIOURS)('integ.busy-resource.ts, AWS Backup behaving as "%s": each job gets a COMPLETED backup of its own', async (behaviour) => {
    simulation.standIn.service.backups.busyBehaviour = behaviour;
    const { completed } = await deployAndDestroy('integ.busy-resource.ts');
    expect(completed).toHaveLength(2);
  }, 120_000);
});

describe('npm run integ (the command a contributor with an account runs)', () => {
  const run = (...args: string[]) => require('child_process').spawnSync('npm', ['run', '--silent', 'integ', '--', ...args], { cwd: path.join(DIR, '..', '..'), encoding: 'utf8' });

  test('without a test name, or with an unknown one, it names the tests and exits 2, deploying nothing', () => {
    for (const args of [[], ['no-such-test']]) {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('name one or more of: busy-resource, copy, long-path, restore, scan, short-path');
      expect(result.stdout).not.toContain('cdk');
    }
  });

  test('--synth synthesizes one test\'s app (both stacks and its integ manifest) without deploying', () => {
    const result = run('--synth', 'short-path');
    expect(result.status).toBe(0);
    const out = path.join(DIR, '..', '..', '.sim-out', 'integ', 'short-path.out');
    expect(fs.readdirSync(out)).toEqual(expect.arrayContaining(['integ.json', 'BackupJobsIntegShortPath.template.json', 'ShortPathDefaultTestDeployAssert6C9C6B3A.template.json']));
    expect(result.stdout).not.toContain('cdk deploy');
  }, 120_000);
});
