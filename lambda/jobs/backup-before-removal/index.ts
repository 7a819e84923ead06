/**
 * The handlers of a removal guard (Custom::BackupBeforeRemoval): a guard of one resource, which
 * CloudFormation updates or deletes just before it replaces or deletes that
 * resource (the guard depends on it). Create does nothing. An Update that
 * moves the guard to a new physical resource (a replacement, in the update
 * phase) backs up the old one; a Delete backs the resource up when the stack
 * is deleted or the resource leaves the template with its guard
 * (backup-before-removal-decision.ts). The backup is taken and waited for like
 * a BackupJob's (a busy resource's attempts included); its failure fails the
 * request with AWS Backup's message, and before a deletion first turns on the
 * resource's own deletion protection where it has one. A deletion's backup is
 * not stopped at the timeout: the deletion tried again takes it over
 * (earlier-backup.ts). The guard's physical id never changes, so
 * CloudFormation never sends a cleanup Delete of its own.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import {
  BACKUP_BEFORE_REMOVAL, BackupBeforeRemovalSpec, parseBackupBeforeRemovalProperties, RemovalReason, removalTags, stackNameOf,
} from '../../../lib/core/backup-before-removal-contract';
import type { BackupJobSpec } from '../../../lib/core/backup-job-contract';
import { idempotencyToken, RawProperties } from '../../../lib/core/properties';
import { formatSeconds } from '../../../lib/core/messages';
import { deadlineAfter, EARLIER_BACKUP_WINDOW_SECONDS } from '../../../lib/core/timing';
import { startBackupJob } from '../../shared/backup-jobs';
import { describeError, naming } from '../../shared/errors';
import { log } from '../../shared/log';
import { BACKUP_JOB_KIND } from '../backup-job';
import { heldByOthers } from '../backup-job/attempts';
import { describeStackResource, stackStatusOf, templateResourceIds, watchAwaitedRequest } from '../cloudformation';
import { backupClient as client, cleanUpWithinBudget } from '../invocation';
import { JobLeftRunning, NotAwaited, waitForJob } from '../job-wait';
import type { IsCompleteEvent, IsCompleteResponse, OnEventResponse, ServedResource, WaitState } from '../requests';
import { decideOnDelete, decideOnUpdate, RemovalDecision } from './decision';
import { protectFromDeletion, unprotectCommand } from './deletion-protection';
import { earlierBackup, GuardBackups, retagRolledBack } from './earlier-backup';

type Response = OnEventResponse<Record<string, never>>;

/** The prefix of a guard's physical id. */
export const GUARD_ID = 'backup-before-removal';

/** A guard's physical id: its stack and logical id (stable, so that CloudFormation never replaces a guard). */
function guardPhysicalId(event: { StackId: string; LogicalResourceId: string }): string {
  return `${GUARD_ID}/${stackNameOf(event.StackId)}/${event.LogicalResourceId}`;
}

async function onEvent(event: CdkCustomResourceEvent): Promise<Response> {
  switch (event.RequestType) {
    case 'Create':
      // Read now, so that a guard with malformed properties fails when it is made rather than when it is needed.
      parseBackupBeforeRemovalProperties(event.ResourceProperties as RawProperties);
      return { PhysicalResourceId: guardPhysicalId(event), Wait: { mode: 'deleted' } };
    case 'Update':
      return onUpdate(event);
    case 'Delete':
      return onDelete(event);
    default:
      throw new Error(`Unknown RequestType ${(event as { RequestType?: string }).RequestType}`);
  }
}

async function onUpdate(event: CdkCustomResourceEvent & { RequestType: 'Update' }): Promise<Response> {
  const unchanged: Response = { PhysicalResourceId: event.PhysicalResourceId, Wait: { mode: 'unchanged' } };
  const spec = parseBackupBeforeRemovalProperties(event.ResourceProperties as RawProperties);
  const old = readable(event.OldResourceProperties, 'the guard\'s previous properties');
  if (!old || old.start.ResourceArn === spec.start.ResourceArn) return unchanged;
  // The guard now names another physical resource: in the update phase the old one was replaced (the
  // cleanup phase deletes it), so it is backed up now.
  const replaced = replacedOf(old, spec);
  const decision = decideOnUpdate({ stackStatus: await stackStatusOf(event.StackId) }, replaced);
  // A rollback: the guard goes back to its resource, which stays; a backup the failed update took of it is not a replacement's.
  if (!decision.backup && decision.rolledBack) await retagRolledBack(guardBackups(spec, event.StackId));
  return decided(event, replaced, decision, unchanged);
}

/**
 * The backup of a resource an update replaced: what to back up is the guard's
 * previous resource (its previous properties); how long to wait, and whether a
 * partial backup will do, are the update's own (an update that raised the
 * timeout waits longer); and when the previous and the new UpdateReplacePolicy
 * disagree (which one CloudFormation applies to the replaced resource cannot be
 * told here), it is backed up: the safe answer.
 */
function replacedOf(old: BackupBeforeRemovalSpec, spec: BackupBeforeRemovalSpec): BackupBeforeRemovalSpec {
  return { ...old, timeoutSeconds: spec.timeoutSeconds, allowPartial: spec.allowPartial, backupOnReplace: old.backupOnReplace || spec.backupOnReplace };
}

async function onDelete(event: CdkCustomResourceEvent & { RequestType: 'Delete' }): Promise<Response> {
  const deleted: Response = { PhysicalResourceId: event.PhysicalResourceId, Wait: { mode: 'deleted' } };
  // A physical id this handler never returned: the guard's Create never succeeded, and guarded nothing.
  if (!event.PhysicalResourceId.startsWith(`${GUARD_ID}/`)) return deleted;
  // Only a guard whose Create failed has properties this handler cannot read.
  const spec = readable(event.ResourceProperties, 'the guard\'s properties');
  if (!spec) return deleted;
  const stackStatus = await stackStatusOf(event.StackId);
  const view = stackStatus === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
    ? { stackStatus, ...await resourceInStack(event.StackId, spec.resourceLogicalId) }
    : { stackStatus };
  return decided(event, spec, decideOnDelete(view, spec.start.ResourceArn, spec), deleted);
}

/** A guard's properties, or undefined (logged: no backup then) when they cannot be read. */
function readable(properties: unknown, what: string): BackupBeforeRemovalSpec | undefined {
  try {
    return parseBackupBeforeRemovalProperties(properties as RawProperties);
  } catch (error) {
    log('warn', `cannot read ${what}; no backup`, { error: describeError(error) });
    return undefined;
  }
}

/** In an update's cleanup: whether the template still holds the resource, and which physical resource the stack has under its logical id. */
async function resourceInStack(stackId: string, logicalId: string): Promise<{ resourceInTemplate?: boolean; resourcePhysicalId?: string }> {
  const ids = await templateResourceIds(stackId);
  if (!ids?.has(logicalId)) return { resourceInTemplate: ids ? false : undefined };
  try {
    return { resourceInTemplate: true, resourcePhysicalId: (await describeStackResource({ StackId: stackId, LogicalResourceId: logicalId }))?.PhysicalResourceId };
  } catch (error) {
    log('warn', 'could not describe the guarded resource in the stack; backing it up', { logicalId, error: describeError(error) });
    return { resourceInTemplate: true };
  }
}

/** Starts the backup the decision asks for, or answers at once. */
async function decided(event: CdkCustomResourceEvent, spec: BackupBeforeRemovalSpec, decision: RemovalDecision, otherwise: Response): Promise<Response> {
  const fields = { resourceArn: spec.start.ResourceArn, logicalId: spec.resourceLogicalId, requestType: event.RequestType };
  if (!decision.backup) {
    log('info', `no backup before this ${event.RequestType}: ${decision.why}`, fields);
    return otherwise;
  }
  // Started only while CloudFormation waits for this request (a late delivery starts nothing).
  const watch = await watchAwaitedRequest(event, 'backup');
  const backup = backupSpecOf(spec, event.StackId, decision.reason);
  // A deletion tried again takes over the backup an earlier one left running (or that completed since).
  const earlier = event.RequestType === 'Delete' ? await earlierBackup(guardBackups(spec, event.StackId), decision.reason) : undefined;
  let started: { BackupJobId?: string; RecoveryPointArn?: string };
  try {
    started = earlier ?? await naming('StartBackupJob', () => startBackupJob(client(), { ...backup.start, IdempotencyToken: idempotencyToken(event) }));
  } catch (error) {
    throw new Error(await failureMessage(event, spec, decision.reason, (error as Error).message));
  }
  const heldBy = await heldByOthers(spec.start.ResourceArn, started.BackupJobId!);
  log('info', `backup before ${describeReason(decision.reason)} ${earlier ? `taken over from an earlier request (${earlier.State})` : 'started'}`, {
    ...fields, backupJobId: started.BackupJobId, recoveryPointArn: started.RecoveryPointArn,
  });
  const wait: WaitState = {
    mode: 'started', deadline: deadlineAfter(spec.timeoutSeconds), watch, jobId: started.BackupJobId!, reason: decision.reason, ...(heldBy.length ? { heldBy } : {}),
  };
  return { PhysicalResourceId: otherwise.PhysicalResourceId, Wait: wait };
}

/** What marks the guard's backups as its own. */
function guardBackups(spec: BackupBeforeRemovalSpec, stackId: string): GuardBackups {
  return { start: spec.start, stackName: stackNameOf(stackId), logicalId: spec.resourceLogicalId };
}

/** The backup as a BackupJob's wait takes it: the guard's request, with the tags that say why, waited for to its end. */
function backupSpecOf(spec: BackupBeforeRemovalSpec, stackId: string, reason: RemovalReason): BackupJobSpec {
  return {
    start: { ...spec.start, RecoveryPointTags: { ...spec.start.RecoveryPointTags, ...removalTags(stackNameOf(stackId), spec.resourceLogicalId, reason) } },
    resourceType: spec.resourceType,
    waitForCompletion: true,
    timeoutSeconds: spec.timeoutSeconds,
    allowPartial: spec.allowPartial,
    // The recovery point is what the guard is for: it outlives everything.
    destroyOnDelete: false,
  };
}

async function isComplete(event: IsCompleteEvent<any>): Promise<IsCompleteResponse<Record<string, never>>> {
  const wait = event.Wait;
  if (wait?.mode !== 'started' || !wait.jobId) return { IsComplete: true };
  // An Update backs up the resource the guard had (its previous properties), waiting as the update says.
  const current = parseBackupBeforeRemovalProperties(event.ResourceProperties as RawProperties);
  const spec = event.RequestType === 'Update' ? replacedOf(parseBackupBeforeRemovalProperties(event.OldResourceProperties as RawProperties), current) : current;
  const reason = wait.reason as RemovalReason;
  let answer: IsCompleteResponse<any>;
  try {
    answer = await waitForJob(BACKUP_JOB_KIND, {
      event,
      spec: backupSpecOf(spec, event.StackId, reason),
      firstJobId: wait.jobId,
      // The guard's physical id never changes.
      physicalIdOf: () => undefined,
      // Before a deletion, the backup goes on: the deletion tried again waits for it rather than start another.
      leaveRunningAtTimeout: event.RequestType === 'Delete',
      timeoutAdvice: timeoutAdvice(event.RequestType, reason, spec.timeoutSeconds),
    });
  } catch (error) {
    // CloudFormation no longer waits for this request (another delivery of it answered, or it moved on): its
    // failure is read by nobody, and must not protect a resource that CloudFormation may now be deleting.
    if (error instanceof NotAwaited) throw error;
    throw new Error(await failureMessage(event, spec, reason, (error as Error).message, error instanceof JobLeftRunning));
  }
  if (!answer.IsComplete) return { IsComplete: false };
  const data = answer.Data as { BackupJobId?: string; RecoveryPointArn?: string } | undefined;
  log('info', `backed up before ${describeReason(reason)}`, {
    resourceArn: spec.start.ResourceArn, logicalId: spec.resourceLogicalId, backupJobId: data?.BackupJobId, recoveryPointArn: data?.RecoveryPointArn, reason,
  });
  return { IsComplete: true };
}

/**
 * What a timeout's message tells the user to do: raise the timeout (a
 * replacement rolls back); delete again (the stack's deletion failed, and the
 * backup goes on); or nothing more (in an update's cleanup the backup goes on,
 * and completes on its own).
 */
function timeoutAdvice(requestType: string, reason: RemovalReason, timeoutSeconds: number): string {
  if (requestType !== 'Delete') return 'Raise timeout (at most 58 minutes)';
  if (reason !== 'stack-deletion') return 'It completes on its own';
  return `Delete again within ${EARLIER_BACKUP_WINDOW_SECONDS / 3_600} hours: the deletion takes this same backup job over and waits up to ${formatSeconds(timeoutSeconds)} more`;
}

function describeReason(reason: RemovalReason): string {
  return reason === 'stack-deletion' ? 'the stack\'s deletion' : reason === 'replacement' ? 'the replacement' : 'the removal';
}

/**
 * Why a guard's request failed, and what became of the resource: an update
 * rolls back (the replaced resource stays); before a deletion, the resource's
 * own deletion protection is turned on where it has one (CloudFormation may
 * delete a resource whose dependent failed to delete), and the message says
 * how to go on: after a stack's deletion failed, delete again; in an update's
 * cleanup phase, the update completes and the resource has left the stack.
 */
async function failureMessage(
  event: Pick<CdkCustomResourceEvent, 'RequestType' | 'LogicalResourceId'>, spec: BackupBeforeRemovalSpec, reason: RemovalReason, cause: string, leftRunning = false,
): Promise<string> {
  const what = `Backup of ${spec.resourceLogicalId} (${spec.start.ResourceArn}) before ${describeReason(reason)} failed: ${cause.replace(/\.$/, '')}`;
  if (event.RequestType === 'Update') return `${what}. The update rolls back; the resource stays as it is`;
  // A Delete in an update's cleanup phase: the update succeeds anyway, and the guard and the resource leave the stack.
  const cleanup = reason !== 'stack-deletion';
  if (!spec.protectOnFailure) {
    return cleanup
      ? `${what}. The update completes without this backup, and ${spec.resourceLogicalId} leaves the stack: CloudFormation deletes it unless it keeps it (${spec.resourceType} has no deletion protection this guard can turn on)`
      : `${what}. ${spec.resourceType} has no deletion protection this guard can turn on: keep the resource with a removal policy of RETAIN if CloudFormation must not delete it without a backup`;
  }
  let outcome = 'unknown';
  await cleanUpWithinBudget(async () => {
    try {
      outcome = await protectFromDeletion(spec.resourceType, spec.start.ResourceArn);
    } catch (error) {
      outcome = `not turned on (${describeError(error)})`;
    }
  });
  if (outcome === 'protected') {
    log('warn', 'deletion protection turned on: the resource was not backed up', { resourceArn: spec.start.ResourceArn });
    const unprotect = unprotectCommand(spec.resourceType, spec.start.ResourceArn);
    if (cleanup) {
      const backUp = leftRunning ? 'once its backup completed' : 'back it up, then';
      return `${what}. Deletion protection is now on, so CloudFormation cannot delete ${spec.resourceLogicalId} without a backup. The update completes, and `
        + `${spec.resourceLogicalId} has left the stack (CloudFormation no longer manages it): ${backUp} delete it yourself if it is not needed (${unprotect} first)`;
    }
    const backUp = leftRunning ? '' : 'back it up (or decide it need not be), ';
    return `${what}. Deletion protection is now on, so CloudFormation cannot delete ${spec.resourceLogicalId} without a backup. To go on: ${backUp}`
      + `turn deletion protection off (${unprotect}) and delete again; should CloudFormation have deleted this guard's handler meanwhile, delete with --retain-resources ${event.LogicalResourceId}`;
  }
  return outcome === 'gone' ? `${what}. The resource no longer exists` : `${what}. Deletion protection was ${outcome === 'unknown' ? 'not confirmed' : outcome}`;
}

/** A removal guard's resource, as the provider serves it (a backup, but not a job resource of its own). */
export const BACKUP_BEFORE_REMOVAL_RESOURCE: ServedResource = {
  resourceType: BACKUP_BEFORE_REMOVAL.resourceType,
  onEvent,
  isComplete,
};
