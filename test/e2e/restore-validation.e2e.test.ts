/**
 * A restore validated before the migration runs: a Lambda function of the
 * user's judges the restored table once the restore COMPLETED, and its answer
 * decides the deploy; AWS Backup is told (PutRestoreValidationResult), and
 * when it refuses to record a result (restore testing only, in the other
 * reported behaviour) the deploy still follows the validation. Deployed
 * through the real Provider framework against the stand-in, IAM enforced.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RecoveryPoint, RestoreJob } from '../../lib';
import { CustomResourceOperation, Simulation, SynthesizedStack } from '../../local/simulation';
import { backupJobStack, expectAllAnswered, useSimulation } from './harness';

const sim = useSimulation();
let simulation: Simulation;
beforeEach(() => { simulation = sim(); });

const TARGET = 'orders-restore-test';

/** A backup, its restore validated by an inline function (`code`), then the migration. */
function validatedStack(code: string, timeout?: Duration): SynthesizedStack {
  return backupJobStack({}, (stack, _table, job) => {
    const validation = new lambda.Function(stack, 'Validation', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(code), timeout: Duration.seconds(30),
    });
    const restore = new RestoreJob(stack, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(job), metadata: { targetTableName: TARGET }, validation, timeout,
    });
    new ssm.StringParameter(stack, 'Migration', { stringValue: `migrate after ${restore.restoreJobId}` }).node.addDependency(restore);
  });
}

const answering = (status: string, message?: string) => `exports.handler = async (event) => {
  if (!event.RestoreJobId || !event.CreatedResourceArn.endsWith('${TARGET}')) throw new Error('not the restore: ' + JSON.stringify(event));
  return { ValidationStatus: '${status}'${message ? `, ValidationStatusMessage: '${message}'` : ''} };
};`;
const restores = (ops: readonly CustomResourceOperation[]) => ops.filter((o) => o.resourceType === 'Custom::RestoreJob');
const migrated = (cfn: ReturnType<Simulation['cloudFormation']>) => {
  expect(cfn.events.some((e) => e.logicalId.startsWith('RestoreTest'))).toBe(true);
  return cfn.events.some((e) => e.logicalId.startsWith('Migration') && e.status === 'CREATE_COMPLETE');
};

test('a validation that answers SUCCESSFUL: the migration runs after it, and AWS Backup records the result', async () => {
  const cfn = simulation.cloudFormation('E2E');
  const result = await cfn.deploy(validatedStack(answering('SUCCESSFUL', 'row counts match')));
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(migrated(cfn)).toBe(true);
  const [restore] = simulation.standIn.service.restores.restoreRecords();
  expect(simulation.standIn.service.restores.validationsOf(restore.id)).toEqual([{ status: 'SUCCESSFUL', message: 'row counts match' }]);
  expect(simulation.iam.decisions.filter((d) => d.decision !== 'Allowed')).toEqual([]);
  expectAllAnswered(result.operations);
});

test.each(['FAILED', 'TIMED_OUT'])('a validation that answers %s fails the deploy with its message; the migration never runs; AWS Backup records it', async (status) => {
  const cfn = simulation.cloudFormation('E2E');
  const result = await cfn.deploy(validatedStack(answering(status, 'orders table is empty')));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(restores(result.operations)[0].response!.Reason).toMatch(new RegExp(`Restore job [0-9A-F-]+ COMPLETED, and its validation \\(.*\\) answered ${status}: orders table is empty`));
  expect(migrated(cfn)).toBe(false);
  const [restore] = simulation.standIn.service.restores.restoreRecords();
  expect(simulation.standIn.service.restores.validationsOf(restore.id)).toEqual([{ status, message: 'orders table is empty' }]);
  expectAllAnswered(result.operations);
});

test('VALIDATING is asked again at the next poll, until the function answers', async () => {
  const code = `let asked = 0;
exports.handler = async () => (++asked < 3 ? { ValidationStatus: 'VALIDATING', ValidationStatusMessage: 'counting rows' } : { ValidationStatus: 'SUCCESSFUL' });`;
  const cfn = simulation.cloudFormation('E2E');
  const result = await cfn.deploy(validatedStack(code));
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(simulation.aws.invocations.filter((i) => i.logicalId.startsWith('Validation'))).toHaveLength(3);
  expect(migrated(cfn)).toBe(true);
});

test('a validation that throws, or answers nonsense, fails the deploy saying so', async () => {
  const thrown = await simulation.cloudFormation('E2E').deploy(validatedStack('exports.handler = async () => { throw new Error("cannot reach the restored table"); };'));
  expect(thrown.status).toBe('ROLLBACK_COMPLETE');
  expect(restores(thrown.operations)[0].response!.Reason).toContain('and its validation');
  expect(restores(thrown.operations)[0].response!.Reason).toContain('failed: Error: cannot reach the restored table');
  simulation.reset();
  const nonsense = await simulation.cloudFormation('E2E').deploy(validatedStack('exports.handler = async () => ({ ok: true });'));
  expect(nonsense.status).toBe('ROLLBACK_COMPLETE');
  expect(restores(nonsense.operations)[0].response!.Reason).toContain('the validation function answered {"ok":true}; it must answer { "ValidationStatus"');
});

test('AWS Backup refuses to record a result for a restore no restore testing plan started (the other behaviour): the deploy follows the validation all the same', async () => {
  simulation.standIn.service.restores.validationOfOnDemandRestores = 'refused';
  const cfn = simulation.cloudFormation('E2E');
  const passed = await cfn.deploy(validatedStack(answering('SUCCESSFUL')));
  expect(passed.status).toBe('CREATE_COMPLETE');
  expect(migrated(cfn)).toBe(true);
  expect(simulation.aws.logs.some((l) => l.line.includes('AWS Backup did not record the validation result'))).toBe(true);
});

test('a validation that never passes within the timeout fails the deploy, naming what it waited for', async () => {
  const result = await simulation.cloudFormation('E2E').deploy(validatedStack("exports.handler = async () => ({ ValidationStatus: 'VALIDATING' });", Duration.minutes(5)));
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(restores(result.operations)[0].response!.Reason).toMatch(/Timed out after 5 minutes: restore job [0-9A-F-]+ COMPLETED, but its validation \(.*\) answered VALIDATING/);
});

test.each([
  ['SUCCESSFUL', 'CREATE_COMPLETE', true],
  ['FAILED', 'ROLLBACK_COMPLETE', false],
] as const)('the long wait (a 2-hour restore): the result resource waits for the validation, which answers %s', async (status, stackStatus, migrates) => {
  simulation.standIn.service.restores.onNextRestore({ durationSeconds: 90 * 60 });
  const code = `let asked = 0;
exports.handler = async () => (++asked < 2 ? { ValidationStatus: 'VALIDATING' } : { ValidationStatus: '${status}', ValidationStatusMessage: 'checked after the long restore' });`;
  const cfn = simulation.cloudFormation('E2E');
  const result = await cfn.deploy(validatedStack(code, Duration.hours(2)));
  expect(result.status).toBe(stackStatus);
  expect(migrated(cfn)).toBe(migrates);
  const [restore] = simulation.standIn.service.restores.restoreRecords();
  expect(simulation.standIn.service.restores.validationsOf(restore.id)).toEqual([{ status, message: 'checked after the long restore' }]);
  const results = result.operations.filter((o) => o.resourceType === 'Custom::RestoreJobResult' && o.requestType === 'Create');
  if (status === 'FAILED') expect(results[0].response!.Reason).toMatch(/answered FAILED: checked after the long restore/);
  expectAllAnswered(result.operations);
});
