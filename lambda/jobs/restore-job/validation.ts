/**
 * A restore's validation (lib/core/restore-validation.ts): the user's Lambda
 * function, invoked once the restore COMPLETED, answers how the restored
 * resource looks; a final answer is reported to AWS Backup
 * (PutRestoreValidationResult), and the deploy follows the answer whether or
 * not AWS Backup records it (it is not documented whether AWS Backup accepts a
 * result for a restore no restore testing plan started).
 */
import { ValidationAnswer, validationFailure } from '../../../lib/core/restore-validation';
import { describeError, isTransientError } from '../../shared/errors';
import { log } from '../../shared/log';
import type { RestoreJobDescription } from '../../shared/restore-jobs';
import { answerOf, reportValidation, validationRequestOf } from '../../shared/restore-validation';
import { backupClient } from '../invocation';
import type { Judgement } from '../job-kind';

/** The Lambda call (validation-invoke.ts), from the bundle beside this one, loaded on first use. */
function invoker(): typeof import('./validation-invoke') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(['.', 'validation-invoke'].join('/'));
}

/** The validation's verdict on a restore that COMPLETED. */
export async function validateRestore(functionArn: string, job: RestoreJobDescription, resourceType: string): Promise<Judgement> {
  const request = validationRequestOf(job, resourceType);
  const fields = { restoreJobId: request.RestoreJobId, validationFunction: functionArn };
  let answer: ValidationAnswer | { failure: string };
  try {
    answer = answerOf(request, functionArn, await invoker().invokeFunction(functionArn, request));
  } catch (error) {
    // Throttled, or slower than this poll can wait (a longer validation answers VALIDATING): asked again.
    if (isTransientError(error) || (error as { name?: string }).name === 'TimeoutError' || (error as { name?: string }).name === 'AbortError') {
      log('warn', 'the validation function did not answer in this poll; it is asked again', { ...fields, error: describeError(error) });
      return { verdict: 'pending', why: `its validation (${functionArn}) has not answered (${describeError(error)})` };
    }
    return { verdict: 'rejected', reason: `Restore job ${request.RestoreJobId} COMPLETED, but its validation (${functionArn}) could not be invoked: ${describeError(error)}` };
  }
  if ('failure' in answer) return { verdict: 'rejected', reason: answer.failure };
  log('info', 'the validation function answered', { ...fields, status: answer.status });
  if (answer.status === 'VALIDATING') return { verdict: 'pending', why: `its validation (${functionArn}) answered VALIDATING${answer.message ? `: ${answer.message}` : ''}` };
  const notRecorded = await reportValidation(backupClient(), request.RestoreJobId, answer);
  if (notRecorded) {
    log('warn', 'AWS Backup did not record the validation result (PutRestoreValidationResult); the deploy follows the validation\'s answer', { ...fields, status: answer.status, error: notRecorded });
  } else log('info', 'AWS Backup recorded the validation result', { ...fields, status: answer.status });
  return answer.status === 'SUCCESSFUL' ? { verdict: 'accepted' } : { verdict: 'rejected', reason: validationFailure(request.RestoreJobId, functionArn, answer) };
}
