/** `backup-jobs list`: backup jobs, every page of ListBackupJobs. */
import { BackupClient, BackupJobState, ListBackupJobsCommandInput, paginateListBackupJobs } from '@aws-sdk/client-backup';
import { ACTIVE_BACKUP_STATES } from '../../../lambda/shared/backup-jobs';
import { RESOURCE_TYPE_NAMES, resourceTypeInfo } from '../../../lib/core/resource-types';
import { InvalidInput } from '../exit-codes';
import { table } from '../output';
import { isoDate, oneOf, wholeNumber } from '../parse';
import { CliContext, vaultNameProblem } from '../context';
import type { Command } from 'commander';

const BACKUP_STATES = [...ACTIVE_BACKUP_STATES, 'ABORTED', 'COMPLETED', 'FAILED', 'EXPIRED', 'PARTIAL'] as const;

export function listCommand(program: Command, ctx: CliContext): void {
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
      if (o.vault !== undefined) problems.push(...vaultNameProblem('--vault', o.vault));
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
      pages: for await (const page of paginateListBackupJobs({ client: ctx.client() as BackupClient, pageSize }, input)) {
        for (const job of page.BackupJobs ?? []) {
          if (o.maxItems !== undefined && jobs.length >= o.maxItems) break pages;
          jobs.push(job);
        }
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
