/**
 * A restore's validation as the deploy-time handler and the CLI both run it
 * (the protocol: lib/core/restore-validation.ts): the request the function is
 * invoked with, what its invocation answered, and the report to AWS Backup.
 * Each side invokes the function with its own Lambda client (the handler's is
 * loaded on first use, the CLI's follows --region and --profile).
 */
import { BackupClient, PutRestoreValidationResultCommand } from '@aws-sdk/client-backup';
import { parseValidationAnswer, RestoreValidationRequest, ValidationAnswer } from '../../lib/core/restore-validation';
import { describeError } from './errors';
import type { RestoreJobDescription } from './restore-jobs';

/** What a restore's validation function is invoked with. */
export function validationRequestOf(job: RestoreJobDescription, resourceType = ''): RestoreValidationRequest {
  return { RestoreJobId: job.RestoreJobId!, CreatedResourceArn: job.CreatedResourceArn ?? '', ResourceType: job.ResourceType ?? resourceType, RecoveryPointArn: job.RecoveryPointArn ?? '' };
}

/** A Lambda invocation's answer, as the SDK gives it: the function's payload (JSON), and whether it failed. */
export function decodeInvocation(invoked: { readonly Payload?: Uint8Array; readonly FunctionError?: string }): { payload: unknown; functionError?: string } {
  return { payload: invoked.Payload?.length ? JSON.parse(new TextDecoder().decode(invoked.Payload)) : undefined, functionError: invoked.FunctionError };
}

/** The function's answer, or why the restore fails without one (the function threw, or answered something else). */
export function answerOf(request: RestoreValidationRequest, functionName: string, invoked: { payload: unknown; functionError?: string }): ValidationAnswer | { failure: string } {
  if (invoked.functionError) {
    const error = invoked.payload as { errorType?: string; errorMessage?: string } | undefined;
    return { failure: `Restore job ${request.RestoreJobId} COMPLETED, and its validation (${functionName}) failed: ${error?.errorType ?? invoked.functionError}: ${error?.errorMessage ?? ''}` };
  }
  const answer = parseValidationAnswer(invoked.payload);
  return typeof answer === 'string' ? { failure: `Restore job ${request.RestoreJobId} COMPLETED, but ${answer}` } : answer;
}

/** Records a final answer with AWS Backup: undefined once recorded, else why not (the caller follows the answer either way). */
export async function reportValidation(client: BackupClient, restoreJobId: string, answer: ValidationAnswer): Promise<string | undefined> {
  try {
    await client.send(new PutRestoreValidationResultCommand({ RestoreJobId: restoreJobId, ValidationStatus: answer.status, ValidationStatusMessage: answer.message }));
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}
