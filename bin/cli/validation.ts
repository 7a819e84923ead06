/**
 * `restore --validate-with FUNCTION`: once the restore COMPLETED, the user's
 * Lambda function judges the restored resource, as a RestoreJob's `validation`
 * does (lib/core/restore-validation.ts): SUCCESSFUL exits 0, FAILED and
 * TIMED_OUT exit 1 with its message, VALIDATING is asked again every interval
 * until --timeout. The answer is reported to AWS Backup
 * (PutRestoreValidationResult); the exit code follows the function either way.
 */
import type { BackupClient } from '@aws-sdk/client-backup';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { RestoreJobDescription } from '../../lambda/shared/restore-jobs';
import { answerOf, decodeInvocation, reportValidation, validationRequestOf } from '../../lambda/shared/restore-validation';
import { validationFailure } from '../../lib/core/restore-validation';
import { formatSeconds } from '../../lib/core/messages';
import type { CliContext } from './context';
import { EXIT } from './exit-codes';
import { interrupted, Interrupted, sleep } from './wait';

export async function validateRestore(
  ctx: CliContext, lambda: LambdaClient, backup: BackupClient, functionName: string, job: RestoreJobDescription, options: { intervalMs: number; deadline: number },
): Promise<number> {
  const request = validationRequestOf(job);
  ctx.err(`restore job ${request.RestoreJobId} COMPLETED; validating with ${functionName}`);
  for (;;) {
    const invoked = decodeInvocation(await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(request)) })));
    const answer = answerOf(request, functionName, invoked);
    if ('failure' in answer) {
      ctx.err(answer.failure);
      return EXIT.JOB_FAILED;
    }
    if (answer.status === 'VALIDATING') {
      if (Date.now() + options.intervalMs > options.deadline) {
        ctx.err(`timed out after ${formatSeconds(Math.round((options.deadline - Date.now()) / 1000))} more: the validation still answers VALIDATING${answer.message ? `: ${answer.message}` : ''}`);
        return EXIT.TIMED_OUT;
      }
      ctx.err(`validation: VALIDATING${answer.message ? `: ${answer.message}` : ''}`);
      await sleep(options.intervalMs);
      if (interrupted()) throw new Interrupted('restore', request.RestoreJobId);
      continue;
    }
    const notRecorded = await reportValidation(backup, request.RestoreJobId, answer);
    if (notRecorded) ctx.err(`warning: AWS Backup did not record the validation result (${notRecorded}); the exit code follows the validation`);
    if (answer.status !== 'SUCCESSFUL') {
      ctx.err(validationFailure(request.RestoreJobId, functionName, answer));
      return EXIT.JOB_FAILED;
    }
    if (!ctx.json()) ctx.out(request.CreatedResourceArn);
    else ctx.out(JSON.stringify({ outcome: 'completed', job, validation: answer }, null, 2));
    return EXIT.COMPLETED;
  }
}
