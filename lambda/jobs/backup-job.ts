/**
 * The Custom::BackupJob handlers (onEvent and isComplete of the provider).
 *
 * onEvent starts the backup job (never waits); isComplete describes it at each
 * poll of the framework's waiter until it ends. Every path answers: a failure
 * is thrown with AWS Backup's StatusMessage, a per-job timeout ends the wait,
 * and Delete never fails because of the backup.
 */
import { DeleteRecoveryPointCommand } from '@aws-sdk/client-backup';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { resourceTypeInfo } from '../../lib/resource-types';
import { formatSeconds } from '../../lib/validation';
import {
  BackupJobDescription,
  backupJobFailureMessage,
  classifyBackupState,
  describeBackupJob,
  describeError,
  findActiveBackupJobs,
  isNotFound,
  isTransientError,
  naming,
  startBackupJob,
  stopBackupJob,
} from '../core/backup-jobs';
import { log } from '../core/log';
import * as common from './common';
import { backupClient as client, deadlineAfter, DELETE_BUDGET_MS, isoDate, withinBudget } from './common';
import { formatPhysicalId, parsePhysicalId } from './physical-id';
import { BackupJobSpec, fingerprint, idempotencyToken, parseBackupJobProperties } from './properties';

/** The attributes every successful response carries (all strings, all always present). */
export interface BackupJobAttributes {
  readonly BackupJobId: string;
  readonly RecoveryPointArn: string;
  readonly State: string;
  readonly StatusMessage: string;
  readonly BackupSizeInBytes: string;
  readonly CreationDate: string;
  readonly CompletionDate: string;
  readonly BackupVaultArn: string;
  readonly ResourceType: string;
}

type OnEventResponse = common.OnEventResponse<BackupJobAttributes>;
type IsCompleteEvent = common.IsCompleteEvent<BackupJobAttributes>;
type IsCompleteResponse = common.IsCompleteResponse<BackupJobAttributes>;

export function onBackupJobEvent(event: CdkCustomResourceEvent): Promise<OnEventResponse> {
  return common.onJobEvent(event, {
    kind: 'started',
    start,
    remove: async (physicalId, properties) => {
      await withinBudget(DELETE_BUDGET_MS, () => cleanUpOnDelete(physicalId, properties));
      return { PhysicalResourceId: physicalId, Wait: { mode: 'deleted' } };
    },
  });
}

async function start(event: CdkCustomResourceEvent, properties: Record<string, unknown>): Promise<OnEventResponse> {
  const spec = parseBackupJobProperties(properties);
  const fp = fingerprint(properties);
  const token = idempotencyToken(event);
  const deadline = deadlineAfter(spec.timeoutSeconds);

  const blocking = await naming('ListBackupJobs', () => findActiveBackupJobs(client(), spec.start.ResourceArn!));
  if (blocking.length > 0) {
    log('info', 'another backup job runs on the resource; ours starts when it ends', { resourceArn: spec.start.ResourceArn, blockingJobIds: blocking });
    return {
      PhysicalResourceId: formatPhysicalId({ kind: 'pending', idempotencyToken: token, fingerprint: fp }),
      Wait: { mode: 'pending', deadline, blockingJobIds: blocking, idempotencyToken: token },
    };
  }
  const started = await naming('StartBackupJob', () => startBackupJob(client(), { ...spec.start, IdempotencyToken: token }));
  log('info', 'backup job started', { backupJobId: started.BackupJobId, recoveryPointArn: started.RecoveryPointArn });
  return {
    PhysicalResourceId: formatPhysicalId({
      kind: 'started',
      backupJobId: started.BackupJobId!,
      fingerprint: fp,
      recoveryPointArn: started.RecoveryPointArn ?? '',
    }),
    Wait: { mode: 'started', deadline },
  };
}

export async function isBackupJobComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const wait = event.Wait;
  if (event.RequestType === 'Delete' || wait?.mode === 'deleted') {
    return { IsComplete: true };
  }
  const properties = event.ResourceProperties as Record<string, unknown>;
  if (wait?.mode === 'unchanged') {
    return { IsComplete: true, Data: await currentAttributes(event.PhysicalResourceId, properties) };
  }
  if (!wait || !wait.deadline) {
    throw new Error('isComplete: the event carries no wait state from onEvent');
  }
  const spec = parseBackupJobProperties(properties);
  const deadline = Date.parse(wait.deadline);
  const timedOut = Date.now() >= deadline;

  let backupJobId: string;
  let newPhysicalId: string | undefined;
  if (wait.mode === 'pending') {
    const running = await stillRunning(wait.blockingJobIds ?? []);
    if (running === undefined) {
      return retryOrTimeOut(timedOut, spec, 'the backup job blocking the resource could not be described');
    }
    if (running.length > 0) {
      if (timedOut) {
        throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for backup job(s) ${running.join(', ')} on ${spec.start.ResourceArn} to end (AWS Backup runs one job per resource at a time); the backup was not started`);
      }
      return { IsComplete: false };
    }
    // The resource is free. Same token, same job: this starts ours once and finds it on every later poll.
    let started;
    try {
      started = await startBackupJob(client(), { ...spec.start, IdempotencyToken: wait.idempotencyToken });
    } catch (error) {
      if (isTransientError(error)) return retryOrTimeOut(timedOut, spec, describeError(error));
      throw new Error(`StartBackupJob failed: ${describeError(error)}`);
    }
    backupJobId = started.BackupJobId!;
    newPhysicalId = formatPhysicalId({
      kind: 'started',
      backupJobId,
      fingerprint: fingerprint(properties),
      recoveryPointArn: started.RecoveryPointArn ?? '',
    });
  } else {
    const id = parsePhysicalId(event.PhysicalResourceId);
    if (id?.kind !== 'started') {
      throw new Error(`isComplete: physical resource id ${event.PhysicalResourceId} names no backup job`);
    }
    backupJobId = id.backupJobId;
  }

  let job: BackupJobDescription;
  try {
    job = await describeBackupJob(client(), backupJobId);
  } catch (error) {
    if (isTransientError(error)) {
      log('warn', 'DescribeBackupJob failed; trying again at the next poll', { backupJobId, error: describeError(error) });
      return retryOrTimeOut(timedOut, spec, describeError(error), backupJobId);
    }
    throw new Error(`DescribeBackupJob of ${backupJobId} failed: ${describeError(error)}`);
  }

  const done = (): IsCompleteResponse => ({
    IsComplete: true,
    Data: attributesOf(job),
    ...(newPhysicalId ? { PhysicalResourceId: newPhysicalId } : {}),
  });
  const fail = async (message: string): Promise<never> => {
    if (wait.mode === 'pending') {
      // CloudFormation's Delete will not know this job (the physical id was the pending one): clean up now.
      await withinBudget(DELETE_BUDGET_MS, () => cleanUpJob(backupJobId, job.RecoveryPointArn, spec, job));
    }
    throw new Error(message);
  };

  const outcome = classifyBackupState(job.State);
  log('info', 'backup job state', { backupJobId, state: job.State, percentDone: job.PercentDone, outcome });
  switch (outcome) {
    case 'completed':
      if (job.StatusMessage) {
        log('warn', 'backup job completed with a status message', { backupJobId, statusMessage: job.StatusMessage });
      }
      return done();
    case 'partial':
      if (spec.allowPartial) {
        log('warn', 'backup job ended PARTIAL; accepted because allowPartial is set', { backupJobId, statusMessage: job.StatusMessage });
        return done();
      }
      return fail(`${backupJobFailureMessage(job)} (set allowPartial to accept a partial backup)`);
    case 'failed':
      return fail(backupJobFailureMessage(job));
    case 'running':
    case 'unknown':
      if (outcome === 'unknown') {
        log('warn', 'backup job in a state this handler does not know; waiting on', { backupJobId, state: job.State });
      }
      if (!spec.waitForCompletion) return done();
      if (timedOut) {
        const progress = job.PercentDone ? `, ${job.PercentDone}% done` : '';
        return fail(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for backup job ${backupJobId} of ${spec.start.ResourceArn} (still ${job.State}${progress}); raise timeout, or set waitForCompletion to false`);
      }
      return { IsComplete: false };
  }
}

function retryOrTimeOut(timedOut: boolean, spec: BackupJobSpec, reason: string, backupJobId?: string): IsCompleteResponse {
  if (timedOut) {
    const what = backupJobId ? `backup job ${backupJobId}` : `the backup of ${spec.start.ResourceArn}`;
    throw new Error(`Timed out after ${formatSeconds(spec.timeoutSeconds)} waiting for ${what}; the last attempt failed with ${reason}`);
  }
  return { IsComplete: false };
}

/** The blocking jobs still active; undefined when one could not be described for a passing reason. */
async function stillRunning(jobIds: readonly string[]): Promise<string[] | undefined> {
  const running: string[] = [];
  for (const id of jobIds) {
    try {
      const job = await describeBackupJob(client(), id);
      if (classifyBackupState(job.State) === 'running') running.push(id);
    } catch (error) {
      if (isNotFound(error)) continue;
      if (isTransientError(error)) return undefined;
      throw new Error(`DescribeBackupJob of blocking job ${id} failed: ${describeError(error)}`);
    }
  }
  return running;
}

function attributesOf(job: BackupJobDescription): BackupJobAttributes {
  return {
    BackupJobId: job.BackupJobId ?? '',
    RecoveryPointArn: job.RecoveryPointArn ?? '',
    State: job.State ?? '',
    StatusMessage: job.StatusMessage ?? '',
    BackupSizeInBytes: String(job.BackupSizeInBytes ?? 0),
    CreationDate: isoDate(job.CreationDate),
    CompletionDate: isoDate(job.CompletionDate),
    BackupVaultArn: job.BackupVaultArn ?? '',
    ResourceType: job.ResourceType ?? '',
  };
}

/** The attributes of the current job, from AWS if it still knows the job, else from the physical id. */
async function currentAttributes(physicalId: string | undefined, properties: Record<string, unknown>): Promise<BackupJobAttributes> {
  const id = parsePhysicalId(physicalId);
  if (id?.kind !== 'started') {
    throw new Error(`isComplete: physical resource id ${physicalId} names no backup job`);
  }
  try {
    return attributesOf(await describeBackupJob(client(), id.backupJobId));
  } catch (error) {
    log('warn', 'could not describe the current backup job; answering from the physical id', { backupJobId: id.backupJobId, error: describeError(error) });
    return {
      BackupJobId: id.backupJobId,
      RecoveryPointArn: id.recoveryPointArn,
      State: '',
      StatusMessage: '',
      BackupSizeInBytes: '0',
      CreationDate: '',
      CompletionDate: '',
      BackupVaultArn: '',
      ResourceType: String(properties.ResourceType ?? ''),
    };
  }
}

async function cleanUpOnDelete(physicalId: string | undefined, properties: Record<string, unknown>): Promise<void> {
  const id = parsePhysicalId(physicalId);
  if (id?.kind !== 'started') {
    log('info', 'no backup job behind this resource; nothing to clean up', { physicalId });
    return;
  }
  let spec: BackupJobSpec;
  try {
    spec = parseBackupJobProperties(properties);
  } catch (error) {
    log('warn', 'cannot read the properties; leaving the backup as it is', { error: describeError(error) });
    return;
  }
  await cleanUpJob(id.backupJobId, id.recoveryPointArn, spec);
}

/**
 * Stops the job if it still runs and nobody asked to keep it, and deletes its
 * recovery point when the removal policy is DESTROY. Logs, never throws.
 */
async function cleanUpJob(backupJobId: string, recoveryPointArn: string | undefined, spec: BackupJobSpec, known?: BackupJobDescription): Promise<void> {
  let job = known;
  if (!job) {
    try {
      job = await describeBackupJob(client(), backupJobId);
    } catch (error) {
      log('warn', 'could not describe the backup job (AWS Backup keeps job history for a limited time)', { backupJobId, error: describeError(error) });
    }
  }
  const running = job !== undefined && classifyBackupState(job.State) === 'running';
  // A job that was waited for and still runs belongs to a deploy that did not finish (a rollback).
  // A fire-and-forget job under RETAIN is left to finish.
  if (running && (spec.waitForCompletion || spec.destroyOnDelete)) {
    if (resourceTypeInfo(spec.resourceType)?.stoppable === false) {
      log('warn', `AWS Backup cannot stop ${spec.resourceType} backup jobs; the job runs to its end`, { backupJobId });
    } else {
      try {
        await stopBackupJob(client(), backupJobId);
        log('info', 'stopped the running backup job', { backupJobId });
      } catch (error) {
        log('warn', 'could not stop the backup job', { backupJobId, error: describeError(error) });
      }
    }
  }
  if (!spec.destroyOnDelete) return;
  const arn = job?.RecoveryPointArn || recoveryPointArn;
  if (!arn) {
    log('info', 'the job made no recovery point; nothing to delete', { backupJobId });
    return;
  }
  try {
    await client().send(new DeleteRecoveryPointCommand({ BackupVaultName: job?.BackupVaultName ?? spec.start.BackupVaultName, RecoveryPointArn: arn }));
    log('info', 'deleted the recovery point (removal policy DESTROY)', { recoveryPointArn: arn });
  } catch (error) {
    if (isNotFound(error)) {
      log('info', 'the recovery point is already gone', { recoveryPointArn: arn });
    } else {
      log('warn', 'could not delete the recovery point; delete it in the AWS Backup console', { recoveryPointArn: arn, error: describeError(error) });
    }
  }
}
