/** `backup-jobs restore`: restore a recovery point, from its backed-up metadata with --metadata applied over it. */
import type { Command } from 'commander';
import { backedUpMetadata, mergeMetadata, RESTORE_JOBS, RestoreJobDescription, startRestoreJob } from '../../../lambda/shared/restore-jobs';
import { parseArn } from '../../../lib/core/arns';
import { RESOURCE_TYPE_PATTERN, validateRestoreJob } from '../../../lib/core/restore-job-rules';
import { CliContext, roleArnProblem, vaultNameProblem, WaitFlags, waitOptions } from '../context';
import { InvalidInput } from '../exit-codes';
import { endOfJob, JobEnding } from '../outcomes';
import { keyValue, nonEmpty, quoted } from '../parse';
import { validateRestore } from '../validation';
import { waitForJob } from '../wait';

/** How a waited-for restore ends the command. */
export const RESTORE_ENDING: JobEnding<RestoreJobDescription> = { reader: RESTORE_JOBS, stoppable: () => false };

export function restoreCommand(program: Command, ctx: CliContext): void {
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
    .option('--validate-with <function>', 'with --wait: once the restore COMPLETED, a Lambda function (name or ARN) judges the restored resource (exit 1 when it answers FAILED)', nonEmpty('--validate-with'))
    .option('--wait', 'wait for the restore to end; prints the created resource ARN'))
    .action(async (recoveryPointArn: string, o: Record<string, any>) => {
      const overrides: Record<string, string> = o.metadata ?? {};
      const problems: string[] = [];
      problems.push(...vaultNameProblem('--vault', o.vault));
      if (o.role !== undefined) problems.push(...roleArnProblem('--role', o.role));
      if (!parseArn(recoveryPointArn)) problems.push(`recovery point (${quoted(recoveryPointArn)}) must be an ARN`);
      const restoreNames = { resourceType: '--resource-type', metadata: '--metadata', useBackedUpMetadata: '--no-backed-up-metadata', timeoutSeconds: '--timeout', removalPolicy: '--removal-policy' };
      const check = (resourceType: string | undefined) =>
        validateRestoreJob({ resourceType, metadata: overrides, useBackedUpMetadata: o.backedUpMetadata }, restoreNames);
      // A recovery point of another service's own kind (a DynamoDB backup, an EBS snapshot) names its type.
      const typeFromArn = o.resourceType ?? recoveryPointType(recoveryPointArn);
      const early = check(typeFromArn);
      problems.push(...early.errors);
      if (o.validateWith !== undefined && !o.wait) problems.push('--validate-with needs --wait: a restore is validated once it COMPLETED');
      if (problems.length > 0) throw new InvalidInput(problems);

      const backup = ctx.client();
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
          late.warnings.forEach((w) => ctx.err(`warning: ${w.message}`));
        }
      }
      if (typeFromArn !== undefined) early.warnings.forEach((w) => ctx.err(`warning: ${w.message}`));
      const restoreJobId = await startRestoreJob(backup, {
        RecoveryPointArn: recoveryPointArn,
        Metadata: metadata,
        IamRoleArn: o.role,
        IdempotencyToken: o.idempotencyToken,
        ResourceType: resourceType !== undefined && RESOURCE_TYPE_PATTERN.test(resourceType) ? resourceType : undefined,
        CopySourceTagsToRestoredResource: o.copySourceTags,
      });
      if (!o.wait) {
        ctx.out(ctx.json() ? JSON.stringify({ RestoreJobId: restoreJobId }, null, 2) : restoreJobId);
        return;
      }
      ctx.err(`started restore job ${restoreJobId}`);
      const deadline = o.timeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + o.timeout;
      const result = await waitForJob(RESTORE_JOBS, backup, restoreJobId, { intervalMs: o.interval, deadline, io: ctx.io });
      if (o.validateWith !== undefined && result.outcome === 'completed') {
        ctx.exit(await validateRestore(ctx, ctx.lambda(), backup, o.validateWith, result.job, { intervalMs: o.interval, deadline }));
        return;
      }
      ctx.exit(endOfJob(ctx, result, o as WaitFlags, RESTORE_ENDING));
    });
}

/** The type a recovery point ARN names, for those of another service's own kind. */
export function recoveryPointType(arn: string): string | undefined {
  const parts = parseArn(arn);
  if (parts?.service === 'dynamodb' && /^table\/[^/]+\/backup\//.test(parts.resource)) return 'DynamoDB';
  if (parts?.service === 'ec2' && parts.resource.startsWith('snapshot/')) return 'EBS';
  if (parts?.service === 'ec2' && parts.resource.startsWith('image/')) return 'EC2';
  return undefined;
}
