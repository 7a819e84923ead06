/**
 * The cost of waiting, per path, in the local simulation: a stack with one
 * backup job and a dependent (standing for the migration), deployed with the
 * real handlers, the Provider framework, and the synthesized long-wait poller
 * (run by aws-local-stepfunctions). For each job length: polls, Step Functions
 * state transitions and Lambda invocations per waited hour, and the overhead
 * from the job's end to the dependent being made. The short path waits at most
 * 58 minutes, so its row is a 55-minute job.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { join } from 'path';
import { Simulation, SynthesizedStack } from '../../local/simulation';

/* eslint-disable @typescript-eslint/no-require-imports */
const cdk: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
const dynamodb: typeof import('aws-cdk-lib/aws-dynamodb') = require('aws-cdk-lib/aws-dynamodb');
const ssm: typeof import('aws-cdk-lib/aws-ssm') = require('aws-cdk-lib/aws-ssm');
const lib: typeof import('../../lib') = require(join(__dirname, '..', '..', 'dist', 'lib'));

export interface WaitCostRow {
  readonly path: 'short' | 'long-wait';
  readonly jobHours: number;
  readonly timeoutHours: number;
  readonly polls: number;
  readonly transitions: number;
  readonly invocations: number;
  readonly waitedHours: number;
  /** Simulated seconds from the job's end to the dependent's creation. */
  readonly overheadSeconds: number;
}

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const ASSEMBLIES = join(__dirname, '..', '..', '.sim-out', 'bench', 'long-wait-assemblies');

function stackWith(timeoutSeconds: number): SynthesizedStack {
  mkdirSync(ASSEMBLIES, { recursive: true });
  const outdir = mkdtempSync(join(ASSEMBLIES, 'stack-'));
  const app = new cdk.App({ outdir });
  const stack = new cdk.Stack(app, 'BenchLong');
  const table = new dynamodb.Table(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const job = new lib.BackupJob(stack, 'Snapshot', { resource: lib.ProtectedResource.fromDynamoDbTable(table), timeout: cdk.Duration.seconds(timeoutSeconds) });
  const migration = new ssm.StringParameter(stack, 'Migration', { stringValue: job.recoveryPointArn });
  migration.node.addDependency(job);
  app.synth();
  return SynthesizedStack.fromAssembly(outdir, 'BenchLong');
}

export async function measureWaitCost(log: (line: string) => void = () => undefined): Promise<WaitCostRow[]> {
  const cases: { jobHours: number; timeoutHours: number }[] = [
    { jobHours: 55 / 60, timeoutHours: 58 / 60 },
    { jobHours: 1, timeoutHours: 2 },
    { jobHours: 8, timeoutHours: 12 },
    { jobHours: 11.9, timeoutHours: 12 },
  ];
  const simulation = await Simulation.start({ echo: false });
  const rows: WaitCostRow[] = [];
  try {
    for (const { jobHours, timeoutHours } of cases) {
      simulation.reset();
      // The job runs `jobHours` from its creation (5 s in CREATED and 5 s PENDING are part of it).
      simulation.standIn.service.backups.onResource(TABLE_ARN, { durationSeconds: Math.round(jobHours * 3600) - 10 });
      const cfn = simulation.cloudFormation('BenchLong');
      const result = await cfn.deploy(stackWith(Math.round(timeoutHours * 3600)));
      if (result.status !== 'CREATE_COMPLETE') throw new Error(`the ${jobHours}-hour deploy ended ${result.status}: ${result.reason}`);
      await simulation.aws.idle();
      const [jobId] = simulation.standIn.service.backups.jobIds();
      const job = simulation.standIn.service.backups.DescribeBackupJob({ BackupJobId: jobId }) as { CreationDate: Date; CompletionDate: Date };
      const madeAt = cfn.events.find((e) => /^Migration/.test(e.logicalId) && e.status === 'CREATE_COMPLETE')!.at;
      const executions = simulation.aws.executions;
      const long = executions.some((e) => e.run);
      const transitions = executions.reduce((sum, e) => sum + (e.run ? e.run.transitions : e.attempts), 0);
      const waitedHours = (job.CompletionDate.getTime() - job.CreationDate.getTime()) / 3_600_000;
      const row: WaitCostRow = {
        path: long ? 'long-wait' : 'short',
        jobHours,
        timeoutHours,
        polls: simulation.standIn.requests.filter((r) => r.operation === 'DescribeBackupJob').length,
        transitions,
        invocations: simulation.aws.invocations.length,
        waitedHours,
        overheadSeconds: (madeAt - job.CompletionDate.getTime()) / 1000,
      };
      log(`   ${row.path} path, a ${jobHours}-hour job: ${row.polls} polls, ${row.transitions} transitions, ${row.invocations} invocations, ${row.overheadSeconds.toFixed(1)} s overhead`);
      rows.push(row);
    }
  } finally {
    await simulation.stop();
    rmSync(ASSEMBLIES, { recursive: true, force: true });
  }
  return rows;
}
