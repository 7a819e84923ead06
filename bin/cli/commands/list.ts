/**
 * `backup-jobs list`: backup jobs, every page of ListBackupJobs; with
 * `--before-removal`, only the backups a BackupBeforeRemoval took before
 * CloudFormation deleted or replaced a resource (by their recovery point's
 * tags); with `--copies`, copy jobs (every page of ListCopyJobs); with
 * `--scans`, malware scan jobs (every page of ListScanJobs).
 */
import { BackupClient, BackupJob, BackupJobState, ListBackupJobsCommandInput, ListTagsCommand, paginateListBackupJobs } from '@aws-sdk/client-backup';
import { isVaultArn } from '../../../lib/core/arns';
import { REMOVAL_TAGS } from '../../../lib/core/backup-before-removal-contract';
import { ACTIVE_BACKUP_STATES } from '../../../lambda/shared/backup-jobs';
import { RESOURCE_TYPE_NAMES, resourceTypeInfo } from '../../../lib/core/resource-types';
import { InvalidInput } from '../exit-codes';
import { table } from '../output';
import { upTo } from '../pages';
import { COPY_STATES, listCopies } from './copy';
import { listScans, scanListProblems } from './scan';
import { isoDate, nonEmpty, quoted, wholeNumber } from '../parse';
import { CliContext, vaultNameProblem } from '../context';
import type { Command } from 'commander';

const BACKUP_STATES = [...ACTIVE_BACKUP_STATES, 'ABORTED', 'COMPLETED', 'FAILED', 'EXPIRED', 'PARTIAL'] as const;

export function listCommand(program: Command, ctx: CliContext): void {
  program.command('list')
    .description('backup jobs (the last 30 days), every page of ListBackupJobs; with --copies, copy jobs (ListCopyJobs); with --scans, scan jobs (ListScanJobs)')
    .option('--state <state>', `only jobs in this state (backups: ${BACKUP_STATES.join(', ')}; copies: ${COPY_STATES.join(', ')})`, nonEmpty('--state'))
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
    .option('--before-removal', 'only the backups taken before CloudFormation deleted or replaced a resource (BackupBeforeRemoval), with the stack, logical id and why')
    .option('--stack <name>', 'with --before-removal: only those of this stack')
    .option('--copies', 'copy jobs instead of backup jobs')
    .option('--destination-vault-arn <arn>', 'with --copies: only copies into this vault')
    .option('--source-recovery-point-arn <arn>', 'with --copies: only copies of this recovery point; with --scans: only scans of it')
    .option('--scans', 'malware scan jobs instead of backup jobs')
    .option('--result <status>', 'with --scans: only scans with this result (NO_THREATS_FOUND, THREATS_FOUND)', nonEmpty('--result'))
    .action(async (o: Record<string, any>) => {
      const problems: string[] = [];
      const flagOf = (flag: string) => `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      /** The given flags a listing has no filter for. */
      const inapplicable = (flags: readonly string[], listing: string, operation: string) => flags.filter((flag) => o[flag] !== undefined)
        .map((flag) => `${flagOf(flag)} does not apply to ${listing} (${operation} has no such filter)`);
      if (o.scans) {
        if (o.copies) problems.push('--scans and --copies cannot be given together');
        problems.push(...inapplicable(['createdAfter', 'createdBefore', 'parentJobId', 'messageCategory', 'beforeRemoval', 'stack', 'destinationVaultArn'], '--scans', 'ListScanJobs'));
        problems.push(...scanListProblems(o));
      } else {
        if (o.result !== undefined) problems.push('--result applies only with --scans');
        const states: readonly string[] = o.copies ? COPY_STATES : BACKUP_STATES;
        if (o.state !== undefined && !states.includes(o.state)) problems.push(`--state (${quoted(o.state)}) must be one of ${states.join(', ')}${o.copies ? ' (copy job states)' : ''}`);
        if (o.copies) {
          problems.push(...inapplicable(['vault', 'beforeRemoval', 'stack'], '--copies', 'ListCopyJobs'));
          if (o.destinationVaultArn !== undefined && !isVaultArn(o.destinationVaultArn)) {
            problems.push(`--destination-vault-arn (${quoted(o.destinationVaultArn)}) must be a backup vault ARN (arn:aws:backup:region:account:backup-vault:name)`);
          }
        } else {
          for (const flag of ['destinationVaultArn', 'sourceRecoveryPointArn'] as const) {
            if (o[flag] !== undefined) problems.push(`${flagOf(flag)} applies only with --copies${flag === 'sourceRecoveryPointArn' ? ' or --scans' : ''}`);
          }
        }
      }
      if (o.vault !== undefined) problems.push(...vaultNameProblem('--vault', o.vault));
      if (!o.scans && o.resourceType !== undefined && !resourceTypeInfo(o.resourceType)) problems.push(`--resource-type (${quoted(o.resourceType)}) must be one of ${RESOURCE_TYPE_NAMES.join(', ')}`);
      if (o.pageSize !== undefined && o.pageSize > 1000) problems.push(`--page-size (${o.pageSize}) must be at most 1000`);
      if (!o.scans && o.stack !== undefined && !o.beforeRemoval) problems.push('--stack applies only with --before-removal');
      if (!o.scans && o.stack !== undefined && !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(o.stack)) problems.push(`--stack (${quoted(o.stack)}) must be a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128)`);
      if (problems.length > 0) throw new InvalidInput(problems);
      const pageSize = o.pageSize ?? (o.maxItems !== undefined ? Math.min(o.maxItems, 1000) : undefined);
      if (o.scans) {
        await listScans(ctx, o, pageSize);
        return;
      }
      if (o.copies) {
        await listCopies(ctx, o, pageSize);
        return;
      }
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
      const jobs = await upTo(paginateListBackupJobs({ client: ctx.client() as BackupClient, pageSize }, input), (page) => page.BackupJobs, o.maxItems);
      if (o.beforeRemoval) {
        const found = await beforeRemoval(ctx.client() as BackupClient, jobs, o.stack);
        if (ctx.json()) {
          ctx.out(JSON.stringify(found.map(({ job, tags }) => ({ ...job, BeforeRemoval: tags })), null, 2));
          return;
        }
        ctx.out(table(['JOB ID', 'STATE', 'REASON', 'STACK', 'LOGICAL ID', 'CREATED', 'RECOVERY POINT'], found.map(({ job, tags }) => [
          job.BackupJobId ?? '', job.State ?? '', tags.reason, tags.stack, tags.logicalId, job.CreationDate?.toISOString() ?? '', job.RecoveryPointArn ?? '',
        ])));
        ctx.err(`${found.length} backup${found.length === 1 ? '' : 's'} before removal (of ${jobs.length} job${jobs.length === 1 ? '' : 's'} listed)`);
        return;
      }
      if (ctx.json()) {
        ctx.out(JSON.stringify(jobs, null, 2));
        return;
      }
      ctx.out(table(['JOB ID', 'STATE', 'DONE', 'TYPE', 'CREATED', 'VAULT', 'RESOURCE'], jobs.map((j) => [
        j.BackupJobId ?? '', j.State ?? '', `${j.PercentDone ?? '0'}%`, j.ResourceType ?? '', j.CreationDate?.toISOString() ?? '',
        j.BackupVaultName ?? '', j.ResourceArn ?? '',
      ])));
      ctx.err(`${jobs.length} backup job${jobs.length === 1 ? '' : 's'}`);
    });
}

interface RemovalTags { readonly stack: string; readonly logicalId: string; readonly reason: string }

/** How many ListTags calls run at once. */
const TAG_READS_AT_ONCE = 8;

/**
 * The jobs whose recovery point carries a guard's tags (ListTags of each job's
 * recovery point; one that is gone or was never made is skipped).
 */
async function beforeRemoval(client: BackupClient, jobs: readonly BackupJob[], stack: string | undefined): Promise<{ job: BackupJob; tags: RemovalTags }[]> {
  const candidates = jobs.filter((j) => j.RecoveryPointArn);
  const found: ({ job: BackupJob; tags: RemovalTags } | undefined)[] = new Array(candidates.length);
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const i = next++;
      const job = candidates[i];
      let tags: Record<string, string> | undefined;
      try {
        tags = (await client.send(new ListTagsCommand({ ResourceArn: job.RecoveryPointArn }))).Tags;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      }
      const reason = tags?.[REMOVAL_TAGS.reason];
      if (!reason || (stack !== undefined && tags![REMOVAL_TAGS.stack] !== stack)) continue;
      found[i] = { job, tags: { stack: tags![REMOVAL_TAGS.stack] ?? '', logicalId: tags![REMOVAL_TAGS.logicalId] ?? '', reason } };
    }
  };
  await Promise.all(Array.from({ length: Math.min(TAG_READS_AT_ONCE, candidates.length) }, worker));
  return found.filter((f): f is { job: BackupJob; tags: RemovalTags } => f !== undefined);
}
