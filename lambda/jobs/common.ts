/**
 * What the backup and restore handlers share: the AWS Backup client, the wait
 * state onEvent hands to isComplete, and the rules for clean-up time.
 */
import type { BackupClient } from '@aws-sdk/client-backup';
import type {
  CdkCustomResourceIsCompleteEvent,
  CdkCustomResourceIsCompleteResponse,
  CdkCustomResourceResponse,
} from 'aws-lambda';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { createBackupClient, describeError } from '../core/backup-jobs';
import { log } from '../core/log';
import { parsePhysicalId, PhysicalId } from './physical-id';
import { fingerprint } from './properties';

let sharedClient: BackupClient | undefined;

/** One client per Lambda container (created on first use, so that tests can point it anywhere). */
export function backupClient(): BackupClient {
  sharedClient ??= createBackupClient();
  return sharedClient;
}

/**
 * What onEvent tells isComplete. It travels in the event (as a top-level field
 * the framework passes on) and is never sent to CloudFormation.
 */
export interface WaitState {
  /**
   * started: our job runs; pending: another job runs on the resource, ours starts after it;
   * unchanged: no new job; deleted: nothing to wait for; deleting: a Delete waits for a
   * restore to end before it removes the restored resource.
   */
  readonly mode: 'started' | 'pending' | 'unchanged' | 'deleted' | 'deleting';
  /** When the wait ends (ISO 8601). */
  readonly deadline?: string;
  readonly blockingJobIds?: string[];
  readonly idempotencyToken?: string;
}

/** What onEvent answers: the physical id, and the wait state for isComplete. */
export type OnEventResponse<Attributes extends object> = CdkCustomResourceResponse<Attributes> & { Wait: WaitState };
/** What isComplete gets: the request with onEvent's answer merged in. */
export type IsCompleteEvent<Attributes extends object> = CdkCustomResourceIsCompleteEvent<Record<string, unknown>, Attributes> & { Wait?: WaitState };
/** What isComplete answers; a completed answer may name the resource's final physical id. */
export type IsCompleteResponse<Attributes extends object> = CdkCustomResourceIsCompleteResponse<Attributes> & { PhysicalResourceId?: string };

/** How long a Delete may spend on clean-up before it answers anyway. */
export const DELETE_BUDGET_MS = 60_000;

export function deadlineAfter(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}

export function isoDate(date: Date | undefined): string {
  return date ? date.toISOString() : '';
}

/** Runs a clean-up that must not hold up CloudFormation: after the budget, the answer goes out anyway. */
export async function withinBudget(ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log('warn', `clean-up still running after ${ms / 1000} s; answering without waiting for it`);
      resolve();
    }, ms);
  });
  try {
    await Promise.race([
      work().catch((error) => log('warn', 'clean-up failed', { error: describeError(error) })),
      budget,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a kind of job does for each request type. */
export interface JobHandlers<Attributes extends object> {
  /** The kind of physical id the job's resource has once it started. */
  readonly kind: PhysicalId['kind'];
  start(event: CdkCustomResourceEvent, properties: Record<string, unknown>): Promise<OnEventResponse<Attributes>>;
  remove(physicalId: string | undefined, properties: Record<string, unknown>): Promise<OnEventResponse<Attributes>>;
}

/**
 * onEvent for a kind of job: Create starts one; Update starts one unless the
 * properties that define the job are those of the current one (a rollback to
 * them, or a change of how to wait only: another job would be wrong); Delete
 * cleans up.
 */
export async function onJobEvent<Attributes extends object>(event: CdkCustomResourceEvent, job: JobHandlers<Attributes>): Promise<OnEventResponse<Attributes>> {
  const properties = event.ResourceProperties as Record<string, unknown>;
  switch (event.RequestType) {
    case 'Create':
      return job.start(event, properties);
    case 'Update': {
      const current = parsePhysicalId(event.PhysicalResourceId);
      if (current?.kind === job.kind && current.fingerprint === fingerprint(properties)) {
        log('info', 'the properties that define the job are unchanged; no new job', { physicalId: event.PhysicalResourceId });
        return { PhysicalResourceId: event.PhysicalResourceId, Wait: { mode: 'unchanged' } };
      }
      return job.start(event, properties);
    }
    case 'Delete':
      return job.remove(event.PhysicalResourceId, properties);
    default:
      throw new Error(`Unknown RequestType ${(event as { RequestType?: string }).RequestType}`);
  }
}
