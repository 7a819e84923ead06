/**
 * `backup-jobs copy` checks what AWS Backup would refuse before it starts a
 * copy, as the CopyJob's handler does: a source in cold storage, a copy into
 * another account while cross-account backup is off. Exit 2, no copy started.
 */
import { BackupStandIn } from '../local/stand-in/server';
import { runCli } from './fixtures/cli-runner';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const ROLE = 'arn:aws:iam::123456789012:role/backup';
const OTHER_ACCOUNT_VAULT = 'arn:aws:backup:us-west-2:210987654321:backup-vault:dr';
const DR_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';

let standIn: BackupStandIn;
beforeAll(async () => {
  standIn = await BackupStandIn.start({});
});
afterAll(() => standIn.stop());
beforeEach(() => {
  standIn.reset();
  standIn.service.createVault('pre-migration');
});

const COPY = (rp: string, destination: string) => ['copy', rp, '--vault', 'pre-migration', '--destination-vault-arn', destination, '--role', ROLE];
const copiesStarted = () => standIn.requests.filter((r) => r.operation === 'StartCopyJob');

test('a source in cold storage: exit 2, the rule and the page, no copy started', async () => {
  standIn.service.copies.createOtherVault(DR_VAULT);
  const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
  standIn.service.moveToColdStorage(rp);
  const run = await runCli(standIn, ...COPY(rp, DR_VAULT));
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('is in cold storage, and AWS Backup does not copy a recovery point in cold storage or the archive tier');
  expect(run.stderr).toContain('no copy was started');
  expect(copiesStarted()).toEqual([]);
});

test('cross-account backup off: exit 2 naming who turns it on; on: the copy starts', async () => {
  standIn.service.copies.createOtherVault(OTHER_ACCOUNT_VAULT, { allowCopyFrom: ['123456789012'] });
  const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
  standIn.service.settings.crossAccountBackup = 'disabled';
  const refused = await runCli(standIn, ...COPY(rp, OTHER_ACCOUNT_VAULT));
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('cross-account backup is turned off for this account\'s AWS Organization: its management account turns it on');
  expect(copiesStarted()).toEqual([]);
  standIn.service.settings.crossAccountBackup = 'enabled';
  const started = await runCli(standIn, ...COPY(rp, OTHER_ACCOUNT_VAULT));
  expect(started.code).toBe(0);
  expect(copiesStarted()).toHaveLength(1);
});

test('what cannot be checked is a warning, and the copy starts (AWS Backup judges)', async () => {
  standIn.service.copies.createOtherVault(DR_VAULT);
  const rp = standIn.service.backups.seedCompletedRecoveryPoint(TABLE, 'pre-migration');
  standIn.service.failNext('DescribeRecoveryPoint', { error: 'ServiceUnavailableException', count: 10 });
  const run = await runCli(standIn, ...COPY(rp, DR_VAULT));
  expect(run.code).toBe(0);
  expect(run.stderr).toContain('warning: could not check the source recovery point\'s storage class');
  expect(copiesStarted()).toHaveLength(1);
});
