/**
 * The whole pre-migration gate of the example app (backup, malware scan of
 * the uploads' backup, validated restore, disaster-recovery copy, then the
 * migration), deployed in the simulation with IAM enforced: the migration
 * runs only when every check passed; an infected backup or a restore that
 * fails stops it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ExampleStack } from '../../bin/example-stack';
import { Simulation, SynthesizedStack } from '../../local/simulation';
import { expectAllAnswered, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';

let stack: SynthesizedStack;
beforeAll(() => {
  // The example stack, as `-c gate=true -c drVaultArn=...` makes it.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-backup-jobs-gate-'));
  const app = new App({ outdir });
  new ExampleStack(app, 'Gate', { gate: true, drVaultArn: DR_VAULT });
  app.synth();
  stack = SynthesizedStack.fromAssembly(outdir, 'Gate');
});

test.each([
  ['every check passes', (): void => undefined, 'CREATE_COMPLETE', true],
  ['the uploads\' backup is infected', (): void => simulation.standIn.service.scans.onNextScan({ result: 'THREATS_FOUND' }), 'ROLLBACK_COMPLETE', false],
  ['the restore test fails', (): void => simulation.standIn.service.restores.onNextRestore({ outcome: 'FAILED', statusMessage: 'Table restore failed' }), 'ROLLBACK_COMPLETE', false],
] as const)('%s', async (_name, arrange, status, migrates) => {
  simulation.standIn.service.copies.createOtherVault(DR_VAULT);
  arrange();
  const cfn = simulation.cloudFormation('Gate');
  const result = await cfn.deploy(stack);
  expect(result.status).toBe(status);
  const migrationRan = simulation.aws.invocations.some((i) => i.logicalId.startsWith('Migration') && !i.logicalId.includes('Trigger'));
  expect(migrationRan).toBe(migrates);
  expect(cfn.events.some((e) => e.logicalId.startsWith('PreMigrationSnapshot'))).toBe(true);
  expect(simulation.iam.decisions.filter((d) => d.decision !== 'Allowed')).toEqual([]);
  expectAllAnswered(result.operations);
});
