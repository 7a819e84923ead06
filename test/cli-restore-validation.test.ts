/**
 * `backup-jobs restore --wait --validate-with FUNCTION` as a user runs it: the
 * restore against the AWS Backup stand-in, the validation function served by
 * the simulation's Lambda (reached through AWS_ENDPOINT_URL_LAMBDA). Its
 * answer decides the exit code and is reported to AWS Backup.
 */
import { LocalAws } from '../local/simulation/local-aws';
import { VirtualClock } from '../local/simulation/virtual-clock';
import { BackupStandIn } from '../local/stand-in/server';
import { runCli, runCliWith } from './fixtures/cli-runner';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const FAST_WAIT = ['--interval', '100ms'];

let standIn: BackupStandIn;
let aws: LocalAws;
beforeAll(async () => {
  standIn = await BackupStandIn.start({});
  aws = await LocalAws.start(new VirtualClock());
  const fn = (name: string, inlineCode: string) => aws.registerFunction({
    logicalId: name, name, arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`, handler: 'index.handler', inlineCode, environment: {}, timeoutSeconds: 30,
  });
  fn('passes', "exports.handler = async (event) => ({ ValidationStatus: event.CreatedResourceArn.endsWith('orders-check') ? 'SUCCESSFUL' : 'FAILED', ValidationStatusMessage: 'checked' });");
  fn('fails', "exports.handler = async () => ({ ValidationStatus: 'FAILED', ValidationStatusMessage: 'orders table is empty' });");
  fn('slow', "let n = 0; exports.handler = async () => (++n < 3 ? { ValidationStatus: 'VALIDATING', ValidationStatusMessage: 'counting' } : { ValidationStatus: 'SUCCESSFUL' });");
});
afterAll(async () => {
  await standIn.stop();
  await aws.stop();
});
beforeEach(() => {
  standIn.reset();
  standIn.service.createVault('pre-migration');
  standIn.service.restores.onNextRestore({ pendingSeconds: 0.1, durationSeconds: 0.3 });
});

const RESTORE = (rp: string, fn: string) => ['restore', rp, '--vault', 'pre-migration', '--metadata', 'targetTableName=orders-check', '--wait', '--validate-with', fn, ...FAST_WAIT];
const cli = (...args: string[]) => runCliWith(standIn, { AWS_ENDPOINT_URL_LAMBDA: aws.url }, ...args);

test('a validation that passes: exit 0, the created resource on stdout, the result recorded with AWS Backup', async () => {
  const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
  const run = await cli(...RESTORE(rp, 'passes'));
  expect(run).toMatchObject({ code: 0, stdout: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders-check\n' });
  expect(run.stderr).toContain('validating with passes');
  const [restore] = standIn.service.restores.restoreRecords();
  expect(standIn.service.restores.validationsOf(restore.id)).toEqual([{ status: 'SUCCESSFUL', message: 'checked' }]);
});

test('a validation that fails: exit 1 with its message; VALIDATING is asked again', async () => {
  const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
  const failed = await cli(...RESTORE(rp, 'fails'));
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/Restore job [0-9A-F-]+ COMPLETED, and its validation \(fails\) answered FAILED: orders table is empty/);
  standIn.service.restores.onNextRestore({ pendingSeconds: 0.1, durationSeconds: 0.3 });
  const slow = await cli(...RESTORE(rp, 'slow').map((a) => (a === 'targetTableName=orders-check' ? 'targetTableName=orders-check-2' : a)));
  expect(slow.code).toBe(0);
  expect(slow.stderr.match(/validation: VALIDATING: counting/g)).toHaveLength(2);
});

test('--validate-with without --wait is refused (exit 2), nothing sent', async () => {
  const run = await runCli(standIn, 'restore', 'arn:aws:backup:us-east-1:123456789012:recovery-point:ABC', '--vault', 'pre-migration', '--metadata', 'targetTableName=x', '--validate-with', 'passes');
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--validate-with needs --wait');
  expect(standIn.requests).toEqual([]);
});
