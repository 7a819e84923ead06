/** `backup-jobs restore`: restore a recovery point, from its backed-up metadata with --metadata applied over it. */
import { RESOURCE_TYPE_PATTERN, validateRestoreJob } from '../../../lib/core/restore-job-rules';
import { backedUpMetadata, mergeMetadata, startRestoreJob } from '../../../lambda/shared/restore-jobs';
import { InvalidInput } from '../exit-codes';
import { endOfRestore } from '../outcomes';
import { keyValue, nonEmpty } from '../parse';
import { waitForRestoreJob } from '../wait';
import { CliContext, roleArnProblem, vaultNameProblem, WaitFlags, waitOptions } from '../context';
import type { Command } from 'commander';

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
    .option('--wait', 'wait for the restore to end; prints the created resource ARN'))
    .action(async (recoveryPointArn: string, o: Record<string, any>) => {
      const overrides: Record<string, string> = o.metadata ?? {};
      const problems: string[] = [];
      problems.push(...vaultNameProblem('--vault', o.vault));
      if (o.role !== undefined) problems.push(...roleArnProblem('--role', o.role));
      if (!/^arn:[a-z-]+:[a-z0-9-]+:/.test(recoveryPointArn)) problems.push(`recovery point (${JSON.stringify(recoveryPointArn)}) must be an ARN`);
      const restoreNames = { resourceType: '--resource-type', metadata: '--metadata', useBackedUpMetadata: '--no-backed-up-metadata', timeoutSeconds: '--timeout', removalPolicy: '--removal-policy' };
      const check = (resourceType: string | undefined) =>
        validateRestoreJob({ resourceType, metadata: overrides, useBackedUpMetadata: o.backedUpMetadata }, restoreNames);
      // A recovery point of another service's own kind (a DynamoDB backup, an EBS snapshot) names its type.
      const typeFromArn = o.resourceType ?? recoveryPointType(recoveryPointArn);
      const early = check(typeFromArn);
      problems.push(...early.errors);
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
      ctx.exit(endOfRestore(ctx, await waitForRestoreJob(backup, restoreJobId, { intervalMs: o.interval, timeoutMs: o.timeout, io: ctx.io }), o as WaitFlags));
    });
}

/** The type a recovery point ARN names, for those of another service's own kind. */
function recoveryPointType(arn: string): string | undefined {
  if (/^arn:[a-z-]+:dynamodb:[^:]*:\d*:table\/[^/]+\/backup\//.test(arn)) return 'DynamoDB';
  if (/^arn:[a-z-]+:ec2:[^:]*:\d*:snapshot\//.test(arn)) return 'EBS';
  if (/^arn:[a-z-]+:ec2:[^:]*:\d*:image\//.test(arn)) return 'EC2';
  return undefined;
}
