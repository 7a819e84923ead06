/** What CloudFormation's stack statuses say about the request a handler serves. Pure. */

/** A stack's rollback statuses: what it deletes or changes back is what the failed deployment made. */
const ROLLING_BACK: ReadonlySet<string> = new Set(['ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS']);

/** Whether a stack status is a rollback's. */
export function isRollingBack(status: string | undefined): boolean {
  return status !== undefined && ROLLING_BACK.has(status);
}
