/**
 * The README's main command, as a newcomer runs it: npm run demo builds,
 * synthesizes the example app, and deploys and destroys it in the simulation.
 * Here with --no-build: npm test built the package first, and the tests that
 * run beside this one read it (a build would remove dist/lib under them).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

test('npm run demo deploys the example (backup, then migration) and destroys it', () => {
  const run = spawnSync('npm', ['run', '--silent', 'demo', '--', '--no-build'], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const output = run.stdout;
  expect({ status: run.status, stderr: run.stderr.replace(/npm warn.*\n/g, '') }).toEqual({ status: 0, stderr: '' });
  expect(output).toContain('1. Build: skipped (--no-build: the package as built)');
  expect(output).toMatch(/PreMigrationSnapshot +backup +RUNNING +\d+%/);
  expect(output).toMatch(/RestoreTest +Create SUCCESS \(Custom::RestoreJob/);
  expect(output.indexOf('RestoreTest              Create SUCCESS')).toBeLessThan(output.indexOf('MigrationTrigger         Create sent'));
  expect(output).toMatch(/PreMigrationSnapshot +Create SUCCESS \(Custom::BackupJob/);
  expect(output.indexOf('PreMigrationSnapshot     Create SUCCESS')).toBeLessThan(output.indexOf('MigrationTrigger         Create sent'));
  expect(output).toMatch(/migration ran after the backup and its restore test, and logged: \{"migration":"0001","recoveryPoint":"arn:aws:backup:/);
  expect(output).toMatch(/RestoredTableArn +arn:aws:dynamodb:us-east-1:123456789012:table\/BackupJobsExample-restore-test-0001/);
  expect(output).toMatch(/the restored table BackupJobsExample-restore-test-0001 was deleted \(removal policy DESTROY\)/);
  expect(output).toMatch(/=> CREATE_COMPLETE/);
  expect(output).toMatch(/BackupJobId +[0-9A-F-]{36}/);
  expect(output).toMatch(/RecoveryPointArn +arn:aws:backup:us-east-1:123456789012:recovery-point:/);
  expect(output).toMatch(/BackupSizeInBytes +\d+/);
  expect(output).toMatch(/=> DELETE_COMPLETE/);
  expect(output).toMatch(/IAM enforced throughout: [1-9]\d* calls of the handlers decided against the synthesized policies as they stood, 0 denied/);
}, 180_000);

test('npm run demo -- --long deploys the example with an 8-hour backup through the long-wait path, showing the poller\'s progress and cost', () => {
  const run = spawnSync('npm', ['run', '--silent', 'demo', '--', '--long', '--no-build'], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const output = run.stdout;
  expect({ status: run.status, stderr: run.stderr.replace(/npm warn.*\n/g, '') }).toEqual({ status: 0, stderr: '' });
  expect(output).toContain('cdk synth -c snapshotTimeoutHours=10');
  expect(output).toMatch(/long-wait poller +backup +RUNNING +\d+% +\d+ polls, next in \d+ s/);
  const cost = /long-wait poller: SUCCEEDED, (\d+) polls, (\d+) state transitions, 1 Lambda invocation \(the signal\)/.exec(output);
  expect(cost).not.toBeNull();
  expect(Number(cost![1])).toBeLessThanOrEqual(126);
  // The condition completed once the 8-hour backup had (simulated time from the deploy's start).
  expect(output).toMatch(/PreMigrationSnapshotWaitCondition\S* +CREATE_COMPLETE after 0[89]:\d\d:\d\d simulated/);
  expect(output.indexOf('CREATE_COMPLETE after')).toBeLessThan(output.indexOf('migration ran after the backup'));
  expect(output).toMatch(/=> CREATE_COMPLETE/);
  expect(output).toMatch(/=> DELETE_COMPLETE/);
  expect(output).toMatch(/IAM enforced throughout: [1-9]\d* calls of the handlers decided against the synthesized policies as they stood, 0 denied/);
}, 180_000);

test('npm run demo -- --removal: an update replaces the guarded table after backing the old one up, the stack\'s deletion backs the new one up, and the CLI finds both backups', () => {
  const run = spawnSync('npm', ['run', '--silent', 'demo', '--', '--removal', '--no-build'], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const output = run.stdout;
  expect({ status: run.status, stderr: run.stderr.replace(/npm warn.*\n/g, '') }).toEqual({ status: 0, stderr: '' });
  expect(output).toContain('cdk synth -c guardTable=true -c partitionKey=orderId -c migrationVersion=0002');
  expect(output).toMatch(/OrdersGuard +backup before replacement +RUNNING +\d+%/);
  expect(output).toMatch(/the old table \S+ was deleted after its backup [0-9A-F-]{36} \(replacement\) COMPLETED/);
  expect(output).toMatch(/OrdersGuard +backup before stack-deletion +RUNNING +\d+%/);
  expect(output).toMatch(/the table \S+ was deleted after its backup [0-9A-F-]{36} \(stack-deletion\) COMPLETED/);
  expect(output).not.toContain('WITHOUT a backup');
  expect(output).toMatch(/[0-9A-F-]{36} +COMPLETED +stack-deletion +BackupJobsExample +Orders[0-9A-F]{8} /);
  expect(output).toMatch(/[0-9A-F-]{36} +COMPLETED +replacement +BackupJobsExample +Orders[0-9A-F]{8} /);
  expect(output).toContain('2 backups before removal');
  expect(output).toMatch(/=> DELETE_COMPLETE/);
  expect(output).toMatch(/IAM enforced throughout: [1-9]\d* calls of the handlers decided against the synthesized policies as they stood, 0 denied/);
}, 180_000);

test('npm run demo -- --dr: the backup is copied to another Region\'s vault, and the migration runs only once the copy COMPLETED', () => {
  const run = spawnSync('npm', ['run', '--silent', 'demo', '--', '--dr', '--no-build'], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const output = run.stdout;
  expect({ status: run.status, stderr: run.stderr.replace(/npm warn.*\n/g, '') }).toEqual({ status: 0, stderr: '' });
  expect(output).toContain('cdk synth -c drVaultArn=arn:aws:backup:us-west-2:123456789012:backup-vault:dr');
  expect(output).toMatch(/DrCopy +copy +RUNNING/);
  expect(output).toMatch(/DrCopy +Create SUCCESS \(Custom::CopyJob/);
  expect(output.indexOf('DrCopy                   Create SUCCESS')).toBeLessThan(output.indexOf('MigrationTrigger         Create sent'));
  expect(output).toMatch(/the copy in arn:aws:backup:us-west-2:123456789012:backup-vault:dr was COMPLETED before the migration ran: arn:aws:backup:us-west-2:123456789012:recovery-point:/);
  expect(output).toMatch(/DrCopyArn +arn:aws:backup:us-west-2:123456789012:recovery-point:/);
  expect(output).toContain('the copy in arn:aws:backup:us-west-2:123456789012:backup-vault:dr is kept (removal policy RETAIN)');
  expect(output).toMatch(/IAM enforced throughout: [1-9]\d* calls of the handlers decided against the synthesized policies as they stood, 0 denied/);
}, 180_000);

test('npm run demo -- --gate deploys the whole pre-migration gate: the uploads\' backup scanned clean, the restore validated, the copy made, then the migration', () => {
  const run = spawnSync('npm', ['run', '--silent', 'demo', '--', '--gate', '--no-build'], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const output = run.stdout;
  expect({ status: run.status, stderr: run.stderr.replace(/npm warn.*\n/g, '') }).toEqual({ status: 0, stderr: '' });
  expect(output).toContain('-c gate=true');
  for (const check of ['UploadsScan              Create SUCCESS', 'RestoreTest              Create SUCCESS', 'DrCopy                   Create SUCCESS']) {
    expect(output.indexOf(check)).toBeGreaterThan(0);
    expect(output.indexOf(check)).toBeLessThan(output.indexOf('MigrationTrigger         Create sent'));
  }
  expect(output).toMatch(/the malware scan of arn:aws:backup:.* ended COMPLETED with NO_THREATS_FOUND before the migration ran/);
  expect(output).toMatch(/the restore of BackupJobsExample-restore-test-0001 was validated SUCCESSFUL \(the restored table is the one expected\), recorded with AWS Backup/);
  expect(output).toMatch(/UploadsScanResult +NO_THREATS_FOUND/);
  expect(output).toMatch(/IAM enforced throughout: [1-9]\d* calls of the handlers decided against the synthesized policies as they stood, 0 denied/);
}, 180_000);
