/**
 * `backup-jobs`: AWS Backup jobs from the command line, for pipelines that run
 * a migration as a step. The same rules as the constructs check the input
 * before anything is sent to AWS, and the exit code says how the job ended.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BackupClient, BackupJobState, ListBackupJobsCommandInput, paginateListBackupJobs } from '@aws-sdk/client-backup';
import { Command, CommanderError, Option } from 'commander';
import { RESOURCE_TYPE_NAMES, resourceTypeFromArn, resourceTypeInfo } from '../../lib/core/resource-types';
import {
  CONSTRUCT_SETTING_NAMES,
  formatSeconds,
  SettingNames,
  validateBackupJob,
  validateRestoreJob,
  VAULT_NAME_PATTERN,
} from '../../lib/core/validation';
import {
  ACTIVE_BACKUP_STATES,
  BackupJobDescription,
  backupJobFailureMessage,
  createBackupClient,
  describeBackupJob,
  findActiveBackupJobs,
  isNotFound,
  startBackupJob,
} from '../../lib/core/backup-jobs';
import { backupJobRequest } from '../../lib/core/contract';
import { backedUpMetadata, describeRestoreJob, mergeMetadata, RestoreJobDescription, restoreJobFailureMessage, startRestoreJob } from '../../lib/core/restore-jobs';
import { EXIT, EXIT_CODES_HELP, InvalidInput } from './exit-codes';
import { fields, formatBytes, Io, table } from './output';
import { duration, isoDate, jobId as jobIdArgument, keyValue, nonEmpty, oneOf, wholeNumber } from './parse';
import { waitForBackupJob, waitForRestoreJob, WaitResult } from './wait';

/** How the construct's settings are called on this command line. */
const CLI_SETTING_NAMES: SettingNames = {
  ...CONSTRUCT_SETTING_NAMES,
  resourceType: '--resource-arn (its resource type)',
  backupVaultName: '--vault',
  moveToColdStorageAfterDays: '--cold-after-days',
  deleteAfterDays: '--delete-after-days',
  optInToArchiveForSupportedResources: '--opt-in-to-archive',
  startWindowMinutes: '--start-window-minutes',
  completeWindowMinutes: '--complete-window-minutes',
  recoveryPointTags: '--tag',
  windowsVss: '--windows-vss',
  index: '--index',
  logicallyAirGappedBackupVaultArn: '--air-gapped-vault-arn',
};

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const BACKUP_STATES = [...ACTIVE_BACKUP_STATES, 'ABORTED', 'COMPLETED', 'FAILED', 'EXPIRED', 'PARTIAL'] as const;
const DEFAULT_INTERVAL_MS = 15_000;

interface GlobalOptions {
  readonly region?: string;
  readonly profile?: string;
  readonly json?: boolean;
}

interface WaitFlags {
  readonly wait?: boolean;
  readonly timeout?: number;
  readonly interval: number;
  readonly allowPartial?: boolean;
}

function version(): string {
  for (const candidate of [path.join(__dirname, '..', '..', 'package.json'), path.join(__dirname, '..', '..', '..', 'package.json')]) {
    if (fs.existsSync(candidate)) return JSON.parse(fs.readFileSync(candidate, 'utf8')).version;
  }
  return 'unknown';
}

/** Runs the CLI with arguments (without `node` and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = EXIT.COMPLETED;
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const err = (text: string) => io.stderr.write(`${text}\n`);

  const program = new Command()
    .name('backup-jobs')
    .description('AWS Backup jobs for pipelines: start a backup, wait for it, and know how it ended.')
    .version(version())
    .option('--region <region>', 'AWS Region (default: the SDK\'s: AWS_REGION, the profile, ...)')
    .option('--profile <profile>', 'shared config profile (default: AWS_PROFILE or default)')
    .option('--json', 'machine output on stdout (progress stays on stderr)')
    .showHelpAfterError('(add --help for the options)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n\nThe SDK's standard settings apply, AWS_ENDPOINT_URL_BACKUP among them.`);

  const globals = () => program.opts<GlobalOptions>();
  const client = () => createBackupClient({ region: globals().region, profile: globals().profile });
  const waitOptions = (cmd: Command) => cmd
    .option('--timeout <duration>', 'give up waiting after this long (2h, 90m, 45s); the job is left running', duration('--timeout'))
    .addOption(new Option('--interval <duration>', 'time between two looks at the job').argParser(duration('--interval')).default(DEFAULT_INTERVAL_MS, '15s'));

  const endOfBackup = (result: WaitResult<BackupJobDescription>, flags: WaitFlags): number => {
    const job = result.job;
    if (globals().json) out(JSON.stringify({ outcome: result.outcome, job }, null, 2));
    switch (result.outcome) {
      case 'completed':
        if (job.StatusMessage) err(`warning: backup job ${job.BackupJobId} completed with a message: ${job.StatusMessage}`);
        if (!globals().json) out(job.RecoveryPointArn ?? '');
        return EXIT.COMPLETED;
      case 'partial':
        if (flags.allowPartial) {
          err(`warning: ${backupJobFailureMessage(job)} (accepted: --allow-partial)`);
          if (!globals().json) out(job.RecoveryPointArn ?? '');
          return EXIT.COMPLETED;
        }
        err(`${backupJobFailureMessage(job)} (accept it with --allow-partial)`);
        return EXIT.JOB_FAILED;
      case 'failed':
        err(backupJobFailureMessage(job));
        return EXIT.JOB_FAILED;
      case 'timeout':
        err(`timed out after ${formatSeconds(Math.round(flags.timeout! / 1000))}: backup job ${job.BackupJobId} is left running (${job.State}, ${job.PercentDone ?? '0'}% done)`);
        if (!globals().json) out(job.BackupJobId ?? '');
        return EXIT.TIMED_OUT;
    }
  };

  const endOfRestore = (result: WaitResult<RestoreJobDescription>, flags: WaitFlags): number => {
    const job = result.job;
    if (globals().json) out(JSON.stringify({ outcome: result.outcome, job }, null, 2));
    switch (result.outcome) {
      case 'completed':
        if (!globals().json) out(job.CreatedResourceArn ?? '');
        return EXIT.COMPLETED;
      case 'timeout':
        err(`timed out after ${formatSeconds(Math.round(flags.timeout! / 1000))}: restore job ${job.RestoreJobId} is left running (${job.Status}); AWS Backup cannot stop a restore job`);
        if (!globals().json) out(job.RestoreJobId ?? '');
        return EXIT.TIMED_OUT;
      default:
        err(restoreJobFailureMessage(job));
        return EXIT.JOB_FAILED;
    }
  };

  waitOptions(program.command('start')
    .description('start an on-demand backup job; its settings are checked first, with the rules of the BackupJob construct')
    .requiredOption('--resource-arn <arn>', 'the resource to back up')
    .requiredOption('--vault <name>', 'the backup vault')
    .requiredOption('--role <arn>', 'the IAM role AWS Backup assumes')
    .option('--delete-after-days <n>', 'delete the recovery point after n days', wholeNumber('--delete-after-days'))
    .option('--cold-after-days <n>', 'move it to cold storage after n days', wholeNumber('--cold-after-days'))
    .option('--opt-in-to-archive', 'move supported types (EBS) to the archive tier per --cold-after-days')
    .option('--start-window-minutes <n>', 'minutes the job may take to start (at least 60)', wholeNumber('--start-window-minutes'))
    .option('--complete-window-minutes <n>', 'minutes the job may take to complete', wholeNumber('--complete-window-minutes'))
    .option('--tag <key=value>', 'a recovery point tag (repeatable)', keyValue('--tag'))
    .option('--index', 'create a backup index (EBS, S3)')
    .option('--windows-vss', 'a Windows VSS backup (EC2)')
    .option('--no-windows-vss', 'explicitly not a Windows VSS backup (EC2)')
    .option('--air-gapped-vault-arn <arn>', 'back up directly to this logically air-gapped vault')
    .option('--idempotency-token <token>', 'the same token returns the same job', nonEmpty('--idempotency-token'))
    .option('--wait', 'wait for the job to end (as the wait command does)')
    .option('--allow-partial', 'with --wait: a PARTIAL backup counts as completed'))
    .action(async (o: Record<string, any>) => {
      const read = resourceTypeFromArn(o.resourceArn);
      const problems: string[] = [];
      if ('error' in read) problems.push(`--resource-arn (${JSON.stringify(o.resourceArn)}) ${read.error}`);
      if (!ROLE_ARN.test(o.role)) problems.push(`--role (${JSON.stringify(o.role)}) must be an IAM role ARN (arn:aws:iam::account:role/name)`);
      const result = validateBackupJob({
        resourceType: 'error' in read ? undefined : read.resourceType,
        backupVaultName: o.vault,
        moveToColdStorageAfterDays: o.coldAfterDays,
        deleteAfterDays: o.deleteAfterDays,
        optInToArchiveForSupportedResources: o.optInToArchive,
        startWindowMinutes: o.startWindowMinutes,
        completeWindowMinutes: o.completeWindowMinutes,
        recoveryPointTags: o.tag,
        windowsVss: o.windowsVss,
        index: o.index,
        logicallyAirGappedBackupVaultArn: o.airGappedVaultArn,
      }, CLI_SETTING_NAMES);
      problems.push(...result.errors);
      if (problems.length > 0) throw new InvalidInput(problems);
      result.warnings.forEach((w) => err(`warning: ${w.message}`));

      const backup = client();
      // --timeout bounds the whole command: the wait for another job on the resource and then ours.
      const deadline = o.timeout === undefined ? undefined : Date.now() + o.timeout;
      const active = await findActiveBackupJobs(backup, o.resourceArn);
      for (const id of active) {
        if (!o.wait) {
          err(`warning: backup job ${id} runs on this resource; AWS Backup runs one job per resource at a time, so this one waits for it (and expires if its start window passes)`);
          continue;
        }
        err(`backup job ${id} runs on this resource; waiting for it to end first`);
        const blocker = await waitForBackupJob(backup, id, { intervalMs: o.interval, deadline, io });
        if (blocker.outcome === 'timeout') {
          err(`timed out waiting for backup job ${id} on the resource; no backup was started`);
          return void (exitCode = EXIT.TIMED_OUT);
        }
      }
      const started = await startBackupJob(backup, {
        ...backupJobRequest({
          resourceArn: o.resourceArn,
          backupVaultName: o.vault,
          iamRoleArn: o.role,
          startWindowMinutes: o.startWindowMinutes,
          completeWindowMinutes: o.completeWindowMinutes,
          moveToColdStorageAfterDays: o.coldAfterDays,
          deleteAfterDays: o.deleteAfterDays,
          optInToArchiveForSupportedResources: o.optInToArchive,
          recoveryPointTags: o.tag,
          windowsVss: o.windowsVss,
          index: o.index,
          logicallyAirGappedBackupVaultArn: o.airGappedVaultArn,
        }),
        IdempotencyToken: o.idempotencyToken,
      });
      const { $metadata: _ignored, ...startedJob } = started;
      if (!o.wait) {
        out(globals().json ? JSON.stringify(startedJob, null, 2) : started.BackupJobId!);
        return;
      }
      err(`started backup job ${started.BackupJobId}`);
      exitCode = endOfBackup(await waitForBackupJob(backup, started.BackupJobId!, { intervalMs: o.interval, deadline, io }), o as WaitFlags);
    });

  waitOptions(program.command('wait')
    .description('wait for a backup job (or a restore job) to end, with its progress; prints the recovery point ARN (the created resource ARN)')
    .argument('<job-id>', 'the backup job or restore job', jobIdArgument('<job-id>'))
    .option('--allow-partial', 'a PARTIAL backup counts as completed'))
    .action(async (jobId: string, o: WaitFlags) => {
      const backup = client();
      const options = { intervalMs: o.interval, timeoutMs: o.timeout, io };
      try {
        await describeBackupJob(backup, jobId);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // Not a backup job: a restore job id waits the same way.
        try {
          await describeRestoreJob(backup, jobId);
        } catch (restoreError) {
          if (isNotFound(restoreError)) throw Object.assign(new Error(`no backup job or restore job ${jobId}`), { name: 'ResourceNotFoundException' });
          throw restoreError;
        }
        exitCode = endOfRestore(await waitForRestoreJob(backup, jobId, options), o);
        return;
      }
      exitCode = endOfBackup(await waitForBackupJob(backup, jobId, options), o);
    });

  program.command('describe')
    .description('a backup job\'s details')
    .argument('<job-id>', 'the backup job', jobIdArgument('<job-id>'))
    .action(async (jobId: string) => {
      const job = await describeBackupJob(client(), jobId);
      if (globals().json) {
        out(JSON.stringify(job, null, 2));
        return;
      }
      out(fields([
        ['Backup job', job.BackupJobId],
        ['State', job.State],
        ['Status message', job.StatusMessage],
        ['Percent done', job.PercentDone === undefined ? undefined : `${job.PercentDone}%`],
        ['Resource', `${job.ResourceArn} (${job.ResourceType})`],
        ['Vault', job.BackupVaultName],
        ['Recovery point', job.RecoveryPointArn],
        ['Role', job.IamRoleArn],
        ['Created', job.CreationDate?.toISOString()],
        ['Start by', job.StartBy?.toISOString()],
        ['Completed', job.CompletionDate?.toISOString()],
        ['Size', job.BackupSizeInBytes === undefined ? undefined : formatBytes(job.BackupSizeInBytes)],
        ['Transferred', job.BytesTransferred === undefined ? undefined : formatBytes(job.BytesTransferred)],
        ['Created by plan', job.CreatedBy?.BackupPlanId],
      ]));
    });

  program.command('list')
    .description('backup jobs (the last 30 days), every page of ListBackupJobs')
    .option('--state <state>', `only jobs in this state (${BACKUP_STATES.join(', ')})`, oneOf('--state', BACKUP_STATES))
    .option('--resource-arn <arn>', 'only jobs of this resource')
    .option('--vault <name>', 'only jobs that write to this vault')
    .option('--resource-type <type>', `only jobs of this resource type (${RESOURCE_TYPE_NAMES.join(', ')})`)
    .option('--created-after <date>', 'only jobs created after this ISO 8601 date or date-time (UTC unless given)', isoDate('--created-after'))
    .option('--created-before <date>', 'only jobs created before this date', isoDate('--created-before'))
    .option('--complete-after <date>', 'only jobs completed after this date', isoDate('--complete-after'))
    .option('--complete-before <date>', 'only jobs completed before this date', isoDate('--complete-before'))
    .option('--parent-job-id <id>', 'only the child jobs of this job')
    .option('--message-category <category>', 'only jobs of this message category (SUCCESS, AccessDenied, ...)')
    .option('--max-items <n>', 'stop after n jobs', wholeNumber('--max-items', 1))
    .option('--page-size <n>', 'jobs per request (1 to 1000)', wholeNumber('--page-size', 1))
    .action(async (o: Record<string, any>) => {
      const problems: string[] = [];
      if (o.vault !== undefined && !VAULT_NAME_PATTERN.test(o.vault)) problems.push(`--vault (${JSON.stringify(o.vault)}) must be 2 to 50 characters: letters, digits, hyphens and underscores`);
      if (o.resourceType !== undefined && !resourceTypeInfo(o.resourceType)) problems.push(`--resource-type (${JSON.stringify(o.resourceType)}) must be one of ${RESOURCE_TYPE_NAMES.join(', ')}`);
      if (o.pageSize !== undefined && o.pageSize > 1000) problems.push(`--page-size (${o.pageSize}) must be at most 1000`);
      if (problems.length > 0) throw new InvalidInput(problems);
      const input: ListBackupJobsCommandInput = {
        ByState: o.state as BackupJobState | undefined,
        ByResourceArn: o.resourceArn,
        ByBackupVaultName: o.vault,
        ByResourceType: o.resourceType,
        ByCreatedAfter: o.createdAfter,
        ByCreatedBefore: o.createdBefore,
        ByCompleteAfter: o.completeAfter,
        ByCompleteBefore: o.completeBefore,
        ByParentJobId: o.parentJobId,
        ByMessageCategory: o.messageCategory,
      };
      const jobs = [];
      const pageSize = o.pageSize ?? (o.maxItems !== undefined ? Math.min(o.maxItems, 1000) : undefined);
      pages: for await (const page of paginateListBackupJobs({ client: client() as BackupClient, pageSize }, input)) {
        for (const job of page.BackupJobs ?? []) {
          if (o.maxItems !== undefined && jobs.length >= o.maxItems) break pages;
          jobs.push(job);
        }
      }
      if (globals().json) {
        out(JSON.stringify(jobs, null, 2));
        return;
      }
      out(table(['JOB ID', 'STATE', 'DONE', 'TYPE', 'CREATED', 'VAULT', 'RESOURCE'], jobs.map((j) => [
        j.BackupJobId ?? '', j.State ?? '', `${j.PercentDone ?? '0'}%`, j.ResourceType ?? '', j.CreationDate?.toISOString() ?? '',
        j.BackupVaultName ?? '', j.ResourceArn ?? '',
      ])));
      err(`${jobs.length} backup job${jobs.length === 1 ? '' : 's'}`);
    });

  waitOptions(program.command('restore')
    .description('restore a recovery point (from its backed-up metadata with --metadata applied over it); prints the restore job id')
    .argument('<recovery-point-arn>', 'the recovery point')
    .requiredOption('--vault <name>', 'the vault the recovery point is in')
    .option('--metadata <key=value>', 'restore metadata (repeatable), e.g. targetTableName=orders-copy', keyValue('--metadata'))
    .option('--role <arn>', 'the IAM role AWS Backup assumes to restore')
    .option('--resource-type <type>', 'the resource type (default: the one AWS Backup recorded)')
    .option('--no-backed-up-metadata', 'send only --metadata, not the metadata recorded with the recovery point')
    .option('--copy-source-tags', 'copy the backup\'s tags to the restored resource')
    .option('--idempotency-token <token>', 'the same token returns the same restore job', nonEmpty('--idempotency-token'))
    .option('--wait', 'wait for the restore to end; prints the created resource ARN'))
    .action(async (recoveryPointArn: string, o: Record<string, any>) => {
      const overrides: Record<string, string> = o.metadata ?? {};
      const problems: string[] = [];
      if (!VAULT_NAME_PATTERN.test(o.vault)) problems.push(`--vault (${JSON.stringify(o.vault)}) must be 2 to 50 characters: letters, digits, hyphens and underscores`);
      if (o.role !== undefined && !ROLE_ARN.test(o.role)) problems.push(`--role (${JSON.stringify(o.role)}) must be an IAM role ARN (arn:aws:iam::account:role/name)`);
      if (!/^arn:[a-z-]+:[a-z0-9-]+:/.test(recoveryPointArn)) problems.push(`recovery point (${JSON.stringify(recoveryPointArn)}) must be an ARN`);
      const restoreNames = { resourceType: '--resource-type', metadata: '--metadata', useBackedUpMetadata: '--no-backed-up-metadata', timeoutSeconds: '--timeout', removalPolicy: '--removal-policy' };
      const check = (resourceType: string | undefined) =>
        validateRestoreJob({ resourceType, metadata: overrides, useBackedUpMetadata: o.backedUpMetadata }, restoreNames);
      // A recovery point of another service's own kind (a DynamoDB backup, an EBS snapshot) names its type.
      const typeFromArn = o.resourceType ?? recoveryPointType(recoveryPointArn);
      const early = check(typeFromArn);
      problems.push(...early.errors);
      if (problems.length > 0) throw new InvalidInput(problems);

      const backup = client();
      let metadata = overrides;
      let resourceType: string | undefined = typeFromArn;
      if (o.backedUpMetadata) {
        const recorded = await backedUpMetadata(backup, o.vault, recoveryPointArn);
        metadata = mergeMetadata(recorded.metadata, overrides);
        if (resourceType === undefined && recorded.resourceType !== undefined) {
          // The type is known now: its metadata rules apply before the restore starts.
          resourceType = recorded.resourceType;
          const late = check(resourceType);
          if (late.errors.length > 0) throw new InvalidInput(late.errors, `no restore was started; AWS Backup was only asked for the recovery point's metadata, which says it is ${resourceType}`);
          late.warnings.forEach((w) => err(`warning: ${w.message}`));
        }
      }
      if (typeFromArn !== undefined) early.warnings.forEach((w) => err(`warning: ${w.message}`));
      const restoreJobId = await startRestoreJob(backup, {
        RecoveryPointArn: recoveryPointArn,
        Metadata: metadata,
        IamRoleArn: o.role,
        IdempotencyToken: o.idempotencyToken,
        ResourceType: resourceType !== undefined && /^[a-zA-Z0-9\-_.]{1,50}$/.test(resourceType) ? resourceType : undefined,
        CopySourceTagsToRestoredResource: o.copySourceTags,
      });
      if (!o.wait) {
        out(globals().json ? JSON.stringify({ RestoreJobId: restoreJobId }, null, 2) : restoreJobId);
        return;
      }
      err(`started restore job ${restoreJobId}`);
      exitCode = endOfRestore(await waitForRestoreJob(backup, restoreJobId, { intervalMs: o.interval, timeoutMs: o.timeout, io }), o as WaitFlags);
    });

  /** The type a recovery point ARN names, for those of another service's own kind. */
  function recoveryPointType(arn: string): string | undefined {
    if (/^arn:[a-z-]+:dynamodb:[^:]*:\d*:table\/[^/]+\/backup\//.test(arn)) return 'DynamoDB';
    if (/^arn:[a-z-]+:ec2:[^:]*:\d*:snapshot\//.test(arn)) return 'EBS';
    if (/^arn:[a-z-]+:ec2:[^:]*:\d*:image\//.test(arn)) return 'EC2';
    return undefined;
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof InvalidInput) {
      err(`backup-jobs: invalid input (${error.sent ?? 'nothing was sent to AWS'}):\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
      return EXIT.INVALID_INPUT;
    }
    if (error instanceof CommanderError) {
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? EXIT.COMPLETED : EXIT.INVALID_INPUT;
    }
    const e = error as { name?: string; message?: string };
    err(`${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
    return EXIT.AWS_ERROR;
  }
}
