/**
 * A restore's validation, as the RestoreJob's handler and the CLI run it: a
 * Lambda function of the user's, invoked once the restore COMPLETED with what
 * it restored, answers how the restored resource looks. Its answer decides
 * the deploy (a FAILED validation stops the migration) and is reported to AWS
 * Backup (PutRestoreValidationResult). The function answers with
 * PutRestoreValidationResult's own names: `{ ValidationStatus, ValidationStatusMessage? }`;
 * VALIDATING means "not yet": it is asked again at the next poll.
 */

/** What the validation function is invoked with. */
export interface RestoreValidationRequest {
  readonly RestoreJobId: string;
  readonly CreatedResourceArn: string;
  readonly ResourceType: string;
  readonly RecoveryPointArn: string;
}

/** The statuses a validation answers with (the API model's RestoreValidationStatus). */
export const VALIDATION_STATUSES = ['SUCCESSFUL', 'FAILED', 'TIMED_OUT', 'VALIDATING'] as const;
export type ValidationStatus = typeof VALIDATION_STATUSES[number];

export interface ValidationAnswer {
  readonly status: ValidationStatus;
  readonly message?: string;
}

/** Reads a validation function's answer; a string naming what is wrong with a malformed one. */
export function parseValidationAnswer(payload: unknown): ValidationAnswer | string {
  const answer = payload as { ValidationStatus?: unknown; ValidationStatusMessage?: unknown } | null;
  const status = answer && typeof answer === 'object' ? answer.ValidationStatus : undefined;
  if (typeof status !== 'string' || !(VALIDATION_STATUSES as readonly string[]).includes(status)) {
    return `the validation function answered ${JSON.stringify(payload)?.slice(0, 200) ?? 'nothing'}; it must answer { "ValidationStatus": ${VALIDATION_STATUSES.map((s) => `"${s}"`).join(' | ')}, "ValidationStatusMessage"?: string }`;
  }
  const message = answer!.ValidationStatusMessage;
  if (message !== undefined && typeof message !== 'string') return `the validation function's ValidationStatusMessage must be a string, not ${JSON.stringify(message).slice(0, 100)}`;
  return { status: status as ValidationStatus, message };
}

/** The sentence a validation that did not pass ends the deploy (or the CLI) with. */
export function validationFailure(restoreJobId: string, functionName: string, answer: ValidationAnswer): string {
  return `Restore job ${restoreJobId} COMPLETED, and its validation (${functionName}) answered ${answer.status}${answer.message ? `: ${answer.message}` : ''}`;
}
