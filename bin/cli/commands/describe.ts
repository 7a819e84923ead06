/** `backup-jobs describe`: a backup job's details. */
import { completedWithIssues, describeBackupJob } from '../../../lambda/shared/backup-jobs';
import { fields, formatBytes } from '../output';
import { jobId as jobIdArgument } from '../parse';
import { CliContext } from '../context';
import type { Command } from 'commander';

export function describeCommand(program: Command, ctx: CliContext): void {
  program.command('describe')
    .description('a backup job\'s details')
    .argument('<job-id>', 'the backup job', jobIdArgument('<job-id>'))
    .action(async (jobId: string) => {
      const job = await describeBackupJob(ctx.client(), jobId);
      if (ctx.json()) {
        ctx.out(JSON.stringify(job, null, 2));
        return;
      }
      ctx.out(fields([
        ['Backup job', job.BackupJobId],
        ['State', job.State === 'COMPLETED' && completedWithIssues(job) ? 'COMPLETED (completed with issues)' : job.State],
        ['Message category', job.MessageCategory],
        ['Status message', job.StatusMessage],
        ['Percent done', job.PercentDone === undefined ? undefined : `${job.PercentDone}%`],
        ['Resource', `${job.ResourceArn} (${job.ResourceType})`],
        ['Vault', job.VaultType ? `${job.BackupVaultName} (${job.VaultType}${job.VaultLockState ? `, ${job.VaultLockState}` : ''})` : job.BackupVaultName],
        ['Encrypted', job.IsEncrypted === undefined ? undefined : job.IsEncrypted ? `yes${job.EncryptionKeyArn ? `, ${job.EncryptionKeyArn}` : ''}` : 'no'],
        ['Recovery point', job.RecoveryPointArn],
        ['Role', job.IamRoleArn],
        ['Created', job.CreationDate?.toISOString()],
        ['Initiated', job.InitiationDate?.toISOString()],
        ['Start by', job.StartBy?.toISOString()],
        ['Completed', job.CompletionDate?.toISOString()],
        ['Size', job.BackupSizeInBytes === undefined ? undefined : formatBytes(job.BackupSizeInBytes)],
        ['Transferred', job.BytesTransferred === undefined ? undefined : formatBytes(job.BytesTransferred)],
        ['Created by plan', job.CreatedBy?.BackupPlanId],
      ]));
    });
}
