/**
 * The Custom::RestoreJob handlers (onEvent and isComplete of the provider).
 *
 * onEvent starts the restore (from the recovery point's backed-up metadata with
 * the overrides applied, or from the overrides alone); isComplete describes it
 * at each poll until it ends. A Delete under the removal policy DESTROY removes
 * the restored resource, waiting (within the timeout) for a restore that still
 * runs; it never fails because of the restore.
 */
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { formatSeconds, metadataValue, RESOURCE_TYPE_PATTERN } from '../../lib/core/validation';
import { describeError, isNotFound, isTransientError, naming } from '../../lib/core/backup-jobs';
import { log } from '../../lib/core/log';
import {
  backedUpMetadata,
  classifyRestoreStatus,
  describeRestoreJob,
  mergeMetadata,
  listRestoreJobsSince,
  RestoreJobDescription,
  restoreJobFailureMessage,
  startRestoreJob,
} from '../../lib/core/restore-jobs';
import { stillAwaited, watchAwaitedRequest } from './cloudformation';
import * as common from './common';
import { backupClient as client, cancelledCreateWindow, cleanUpDeadline, deadlineAfter, deleteBudgetMs, isoDate, withinBudget } from './common';
import { formatPhysicalId, parsePhysicalId, RestoreJobPhysicalId } from './physical-id';
import { fingerprint, idempotencyToken, parseRestoreJobProperties, RestoreJobAttributes, RestoreJobSpec } from '../../lib/core/contract';
import { deleteRestoredResource } from './restored-resources';
import { needsRearm, refuseReusedHandle, startPoller, stopPoller } from './poller';

type OnEventResponse = common.OnEventResponse<RestoreJobAttributes>;
type IsCompleteEvent = common.IsCompleteEvent<RestoreJobAttributes>;
type IsCompleteResponse = common.IsCompleteResponse<RestoreJobAttributes>;

export function onRestoreJobEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return common.onJobEvent(event, { kind: 'restore', start, remove: onDelete, rolledBack, unchanged: rearm });
}

/** A long wait's result: the restore's attributes, once its WaitCondition completed. */
export function onRestoreJobResultEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return common.onJobResultEvent(event, async (restoreJobId) => {
    const job = await naming('DescribeRestoreJob', () => describeRestoreJob(client(), restoreJobId));
    if (classifyRestoreStatus(job.Status) !== 'completed') {
      throw new Error(`Restore job ${restoreJobId} is ${job.Status}, not COMPLETED${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`);
    }
    return attributesOf(job);
  });
}

async function start(event: CdkCustomResourceEvent, properties: Record<string, unknown>): Promise<OnEventResponse> {
  const spec = parseRestoreJobProperties(properties);
  refuseReusedHandle(event, spec.longWait, 'restore');
  const watch = await watchAwaitedRequest(event, 'restore');
  const metadata = spec.useBackedUpMetadata
    ? mergeMetadata((await naming('GetRecoveryPointRestoreMetadata', () => backedUpMetadata(client(), spec.backupVaultName, spec.recoveryPointArn))).metadata, spec.metadata)
    : spec.metadata;
  log('info', 'starting restore', { recoveryPointArn: spec.recoveryPointArn, resourceType: spec.resourceType, metadataKeys: Object.keys(metadata) });
  const restoreJobId = await naming('StartRestoreJob', () => startRestoreJob(client(), {
    RecoveryPointArn: spec.recoveryPointArn,
    Metadata: metadata,
    IamRoleArn: spec.iamRoleArn,
    IdempotencyToken: idempotencyToken(event, spec.resourceType),
    // The API takes AWS Backup's type names that fit its pattern; the others ("SAP HANA on
    // Amazon EC2") are left for AWS Backup to read from the recovery point.
    ResourceType: RESOURCE_TYPE_PATTERN.test(spec.resourceType) ? spec.resourceType : undefined,
    CopySourceTagsToRestoredResource: spec.copySourceTagsToRestoredResource,
  }));
  log('info', 'restore job started', { restoreJobId });
  const physicalId = formatPhysicalId({ kind: 'restore', restoreJobId, fingerprint: fingerprint(properties), createdResourceArn: '' });
  if (spec.longWait) {
    await startRestorePoller(event, spec, restoreJobId, physicalId);
    // As for a backup: had CloudFormation stopped waiting meanwhile, the poller is stopped (a restore
    // cannot be; under DESTROY the rollback's Delete removes what it makes).
    const awaited = await stillAwaited({ ...event, ResourceProperties: properties }, watch, 'restore');
    if (awaited.state === 'moved-on') {
      await stopPoller(spec.longWait, restoreJobId);
      throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); the poller of restore job ${restoreJobId} was stopped (AWS Backup cannot stop the restore)`);
    }
    // Answered at once: the restore's WaitCondition gates what depends on it.
    return { PhysicalResourceId: physicalId, Data: attributesOf({ RestoreJobId: restoreJobId, RecoveryPointArn: spec.recoveryPointArn, Status: 'PENDING', ResourceType: spec.resourceType }), Wait: { mode: 'handed-off' } };
  }
  return { PhysicalResourceId: physicalId, Wait: { mode: 'started', deadline: deadlineAfter(spec.timeoutSeconds), watch } };
}

/** Starts the restore's poller; AWS Backup cannot stop a restore, so one without a poller is left to the Delete (DESTROY removes what it makes). */
async function startRestorePoller(event: CdkCustomResourceEvent, spec: RestoreJobSpec, restoreJobId: string, physicalId: string): Promise<void> {
  try {
    await startPoller(spec.longWait!, { kind: 'restore', jobId: restoreJobId, allowPartial: false, timeoutSeconds: spec.timeoutSeconds, request: event, physicalId });
  } catch (error) {
    throw new Error(`Could not start the long-wait poller for restore job ${restoreJobId}: ${describeError(error)}; AWS Backup cannot stop the restore, which goes on`);
  }
}

/** An Update that takes no new restore but comes with a new WaitConditionHandle: the current restore's poller signals it. */
async function rearm(event: CdkCustomResourceEvent): Promise<common.WaitState | undefined> {
  const spec = parseRestoreJobProperties(event.ResourceProperties as Record<string, unknown>);
  if (event.RequestType !== 'Update' || !needsRearm(event, spec.longWait)) return undefined;
  await startRestorePoller(event, spec, restoreIdOf(event.PhysicalResourceId).restoreJobId, event.PhysicalResourceId);
  return { mode: 'unchanged' };
}

export async function isRestoreJobComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const wait = event.Wait;
  const properties = event.ResourceProperties as Record<string, unknown>;
  // deleted: nothing to wait for; handed-off: the long-wait poller waits (onEvent's answer carries the attributes).
  if (wait?.mode === 'deleted' || wait?.mode === 'handed-off') return { IsComplete: true };
  if (wait?.mode === 'deleting') return finishDelete(event.PhysicalResourceId, properties, wait);
  const id = restoreIdOf(event.PhysicalResourceId);
  if (wait?.mode === 'unchanged') {
    if (wait.blockingJobIds?.length) {
      // A rollback waits for the restore its abandoned request started, then removes what it created.
      const abandoned = parseRestoreJobProperties(event.OldResourceProperties as Record<string, unknown>);
      const left = await removeRestores(wait.blockingJobIds.map(restoreId), abandoned);
      if (left.length > 0 && Date.now() < Date.parse(wait.deadline!)) return { IsComplete: false };
      if (left.length > 0) log('warn', 'the abandoned restore still runs at the end of the timeout; what it creates is left in place', { restoreJobIds: left });
    }
    return { IsComplete: true, Data: await currentAttributes(id, properties) };
  }
  if (!wait?.deadline) throw new Error('isComplete: the event carries no wait state from onEvent');
  const spec = parseRestoreJobProperties(properties);
  const timedOut = Date.now() >= Date.parse(wait.deadline);

  let job: RestoreJobDescription;
  try {
    job = await describeRestoreJob(client(), id.restoreJobId);
  } catch (error) {
    if (!isTransientError(error)) throw new Error(`DescribeRestoreJob of ${id.restoreJobId} failed: ${describeError(error)}`);
    log('warn', 'DescribeRestoreJob failed; trying again at the next poll', { restoreJobId: id.restoreJobId, error: describeError(error) });
    if (timedOut) throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for restore job ${id.restoreJobId}; the last attempt failed with ${describeError(error)}`);
    return { IsComplete: false };
  }

  const done = (): IsCompleteResponse => ({
    IsComplete: true,
    Data: attributesOf(job),
    // The created resource becomes part of the physical id, for a Delete that AWS Backup can no longer describe.
    PhysicalResourceId: formatPhysicalId({ ...id, createdResourceArn: job.CreatedResourceArn ?? '' }),
  });
  const outcome = classifyRestoreStatus(job.Status);
  log('info', 'restore job status', { restoreJobId: id.restoreJobId, status: job.Status, percentDone: job.PercentDone, outcome });
  switch (outcome) {
    case 'completed': {
      // A restore that ended after CloudFormation stopped waiting for it (a cancelled and rolled back
      // Update): under DESTROY what it created is deleted, and nothing is reported.
      const awaited = spec.waitForCompletion ? await stillAwaited(event, wait.watch, 'restore') : { state: 'still-waiting' as const };
      if (awaited.state === 'moved-on') {
        if (spec.destroyOnDelete) await withinBudget(deleteBudgetMs(), async () => { await removeRestoredResource(id, spec); });
        throw new Error(`CloudFormation no longer waits for this request (the resource is ${awaited.status}); restore job ${id.restoreJobId} ended${spec.destroyOnDelete ? ' and what it created was deleted' : ''}`);
      }
      return done();
    }
    case 'failed':
      throw new Error(restoreJobFailureMessage(job));
    case 'running':
    case 'unknown':
      if (outcome === 'unknown') log('warn', 'restore job in a status this handler does not know; waiting on', { status: job.Status });
      if (!spec.waitForCompletion) return done();
      if (timedOut) {
        throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for restore job ${id.restoreJobId} (still ${job.Status}); AWS Backup cannot stop a restore job, so it goes on`);
      }
      return { IsComplete: false };
  }
}

function restoreIdOf(physicalId: string | undefined): RestoreJobPhysicalId {
  const id = parsePhysicalId(physicalId);
  if (id?.kind !== 'restore') throw new Error(`isComplete: physical resource id ${physicalId} names no restore job`);
  return id;
}

function attributesOf(job: RestoreJobDescription): RestoreJobAttributes {
  return {
    RestoreJobId: job.RestoreJobId ?? '',
    CreatedResourceArn: job.CreatedResourceArn ?? '',
    Status: job.Status ?? '',
    StatusMessage: job.StatusMessage ?? '',
    RecoveryPointArn: job.RecoveryPointArn ?? '',
    ResourceType: job.ResourceType ?? '',
    BackupSizeInBytes: String(job.BackupSizeInBytes ?? 0),
    CreationDate: isoDate(job.CreationDate),
    CompletionDate: isoDate(job.CompletionDate),
  };
}

/** The attributes of the current restore, from AWS if it still knows the job, else from the physical id. */
async function currentAttributes(id: RestoreJobPhysicalId, properties: Record<string, unknown>): Promise<RestoreJobAttributes> {
  try {
    return attributesOf(await describeRestoreJob(client(), id.restoreJobId));
  } catch (error) {
    log('warn', 'could not describe the current restore job; answering from the physical id', { restoreJobId: id.restoreJobId, error: describeError(error) });
    return {
      RestoreJobId: id.restoreJobId,
      CreatedResourceArn: id.createdResourceArn,
      Status: '',
      StatusMessage: '',
      RecoveryPointArn: String(properties.RecoveryPointArn ?? ''),
      ResourceType: String(properties.ResourceType ?? ''),
      BackupSizeInBytes: '0',
      CreationDate: '',
      CompletionDate: '',
    };
  }
}

/**
 * RETAIN keeps the restored resource. DESTROY deletes it; a restore that still
 * runs is waited for (by isComplete, within the timeout) before the delete.
 */
async function onDelete(physicalId: string | undefined, properties: Record<string, unknown>): Promise<OnEventResponse> {
  const answer = (wait: common.WaitState): OnEventResponse => ({ PhysicalResourceId: physicalId, Wait: wait });
  const id = parsePhysicalId(physicalId);
  let spec: RestoreJobSpec;
  try {
    spec = parseRestoreJobProperties(properties);
  } catch (error) {
    log('warn', 'cannot read the properties; leaving the restored resource as it is', { error: describeError(error) });
    return answer({ mode: 'deleted' });
  }
  // Nothing polls for a restore CloudFormation no longer waits for.
  if (spec.longWait && id?.kind === 'restore') await stopPoller(spec.longWait, id.restoreJobId);
  if (!spec.destroyOnDelete) {
    log('info', 'removal policy RETAIN: the restored resource is kept', { physicalId });
    return answer({ mode: 'deleted' });
  }
  // A physical id this handler never returned (one CloudFormation made up for a Create it stopped
  // waiting for): the restore that Create started is found by its description.
  const waiting = await removeRestores(id?.kind === 'restore' ? [id] : await restoresOfCancelledCreate(spec), spec);
  if (waiting.length === 0) return answer({ mode: 'deleted' });
  // A restore the physical id names is found again by it; others by their ids.
  return answer({ mode: 'deleting', deadline: cleanUpDeadline(spec.timeoutSeconds), ...(id?.kind === 'restore' ? {} : { blockingJobIds: waiting }) });
}

/** The restores of this resource's own (its recovery point, role and target) that still run or ended moments ago. */
async function restoresOfCancelledCreate(spec: RestoreJobSpec): Promise<RestoreJobPhysicalId[]> {
  const window = cancelledCreateWindow(spec.timeoutSeconds);
  const jobs = (await listRestoreJobsSince(client(), window.createdAfter)).filter((job) => isRestoreOwnedBy(job, spec)
    && window.mayBeIt(classifyRestoreStatus(job.Status) === 'running', job.CompletionDate));
  if (jobs.length === 0) log('info', 'no restore of this resource was started; nothing to clean up');
  return jobs.map((job) => ({ ...restoreId(job.RestoreJobId!), createdResourceArn: job.CreatedResourceArn ?? '' }));
}

/** A restore job is this resource's when it restores its recovery point with its role into its target. */
function isRestoreOwnedBy(job: RestoreJobDescription, spec: RestoreJobSpec): boolean {
  if (job.RecoveryPointArn !== spec.recoveryPointArn) return false;
  if (spec.iamRoleArn !== undefined && job.IamRoleArn !== undefined && job.IamRoleArn !== spec.iamRoleArn) return false;
  const target = targetTableOf(spec);
  return target === undefined || job.CreatedResourceArn === undefined || job.CreatedResourceArn.endsWith(`:table/${target}`);
}

function targetTableOf(spec: RestoreJobSpec): string | undefined {
  return metadataValue(spec.metadata, 'targetTableName');
}

/** A restore id without what a physical id adds. */
function restoreId(restoreJobId: string): RestoreJobPhysicalId {
  return { kind: 'restore', restoreJobId, fingerprint: '', createdResourceArn: '' };
}

/** Removes what these restores created (waiting for those that run); the ids of those that still run. */
async function removeRestores(ids: readonly RestoreJobPhysicalId[], spec: RestoreJobSpec): Promise<string[]> {
  const left: string[] = [];
  await withinBudget(deleteBudgetMs(), async () => {
    for (const id of ids) {
      if ((await removeRestoredResource(id, spec)) === 'restore still running') left.push(id.restoreJobId);
    }
  });
  return left;
}

/** A rollback's Update: the restore of the abandoned request (DESTROY) is waited for and what it created deleted. */
async function rolledBack(abandoned: Record<string, unknown>, physicalId: string | undefined): Promise<common.WaitState | undefined> {
  let spec: RestoreJobSpec;
  try {
    spec = parseRestoreJobProperties(abandoned);
  } catch {
    return undefined;
  }
  // Under RETAIN nothing is cleaned up (a restore cannot be stopped): an abandoned restore's poller
  // polls on until the restore ends, and its signal finds its handle gone.
  if (!spec.destroyOnDelete) return undefined;
  const current = parsePhysicalId(physicalId);
  const orphans = (await restoresOfCancelledCreate(spec)).filter((r) => current?.kind !== 'restore' || r.restoreJobId !== current.restoreJobId);
  const longWait = spec.longWait;
  if (longWait) for (const orphan of orphans) await stopPoller(longWait, orphan.restoreJobId);
  const left = await removeRestores(orphans, spec);
  return left.length > 0 ? { mode: 'unchanged', deadline: cleanUpDeadline(spec.timeoutSeconds), blockingJobIds: left } : undefined;
}

async function finishDelete(physicalId: string | undefined, properties: Record<string, unknown>, wait: common.WaitState): Promise<IsCompleteResponse> {
  const named = parsePhysicalId(physicalId);
  const ids: RestoreJobPhysicalId[] = wait.blockingJobIds
    ? wait.blockingJobIds.map((restoreJobId) => ({ ...restoreId(restoreJobId), createdResourceArn: named?.kind === 'restore' && named.restoreJobId === restoreJobId ? named.createdResourceArn : '' }))
    : [restoreIdOf(physicalId)];
  const left = await removeRestores(ids, parseRestoreJobProperties(properties));
  if (left.length === 0) return { IsComplete: true };
  if (Date.now() >= Date.parse(wait.deadline!)) {
    log('warn', 'the restore still runs at the end of the timeout; the restored resource is left in place', { restoreJobIds: left });
    return { IsComplete: true };
  }
  return { IsComplete: false };
}

/** Deletes what the restore created. Logs, never throws. */
async function removeRestoredResource(id: RestoreJobPhysicalId, spec: RestoreJobSpec): Promise<'done' | 'restore still running'> {
  let createdArn = id.createdResourceArn;
  try {
    const job = await describeRestoreJob(client(), id.restoreJobId);
    if (!isRestoreOwnedBy(job, spec)) {
      // Not this resource's restore (another recovery point, role or target): never touched.
      log('warn', 'the restore job is not this resource\'s (its recovery point, role or target differ); leaving it alone', { restoreJobId: id.restoreJobId });
      return 'done';
    }
    const outcome = classifyRestoreStatus(job.Status);
    if (outcome === 'running') return 'restore still running';
    if (outcome === 'failed') {
      log('info', 'the restore did not complete; nothing to delete', { restoreJobId: id.restoreJobId, status: job.Status });
      return 'done';
    }
    createdArn = job.CreatedResourceArn ?? createdArn;
  } catch (error) {
    log('warn', 'could not describe the restore job (AWS Backup keeps job history for a limited time)', { restoreJobId: id.restoreJobId, error: describeError(error) });
  }
  if (!createdArn) {
    log('warn', 'the restored resource is not known; nothing deleted', { restoreJobId: id.restoreJobId });
    return 'done';
  }
  const target = targetTableOf(spec);
  if (target !== undefined && !createdArn.endsWith(`:table/${target}`)) {
    log('warn', 'the restored resource is not this resource\'s target; leaving it alone', { createdResourceArn: createdArn });
    return 'done';
  }
  try {
    const result = await deleteRestoredResource(spec.resourceType, createdArn);
    log('info', result === 'deleted' ? 'deleted the restored resource (removal policy DESTROY)' : 'the restored resource is already gone', { createdResourceArn: createdArn });
  } catch (error) {
    if (isNotFound(error)) return 'done';
    log('warn', 'could not delete the restored resource; delete it by hand', { createdResourceArn: createdArn, error: describeError(error) });
  }
  return 'done';
}
