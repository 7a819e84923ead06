/**
 * One Lambda invocation's budget: every AWS call ends by the invocation's end
 * (less a reserve to answer), a clean-up that must not hold up CloudFormation
 * answers anyway after its budget, and one AWS Backup client per container.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { performance } from 'perf_hooks';
import type { BackupClient } from '@aws-sdk/client-backup';
import { ANSWER_RESERVE_MS, DELETE_BUDGET_MS } from '../../lib/core/timing';
import { createBackupClient } from '../shared/aws-backup';
import { describeError } from '../shared/errors';
import { log } from '../shared/log';

let sharedClient: BackupClient | undefined;

/** One client per Lambda container (created on first use, so that tests can point it anywhere), its calls bounded by the invocation. */
export function backupClient(): BackupClient {
  sharedClient ??= bounded(createBackupClient());
  return sharedClient;
}

const regionalClients = new Map<string, BackupClient>();

/** A client of AWS Backup in another Region (a copy's destination), one per Region and container; this Region's own otherwise. */
export function backupClientIn(region: string | undefined): BackupClient {
  if (region === undefined || region === process.env.AWS_REGION) return backupClient();
  if (!regionalClients.has(region)) regionalClients.set(region, bounded(createBackupClient({ region })));
  return regionalClients.get(region)!;
}

/** The current invocation's end (performance.now() time: the Lambda's clock, not the wall clock). */
const invocation = new AsyncLocalStorage<{ endsAt: number }>();

/** Runs a handler with its AWS calls bounded by the Lambda's remaining time (less the reserve to answer). */
export function withinInvocation<T>(context: { getRemainingTimeInMillis(): number } | undefined, handler: () => Promise<T>): Promise<T> {
  const remaining = context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  return invocation.run({ endsAt: performance.now() + remaining - ANSWER_RESERVE_MS }, handler);
}

/** How long the current invocation may still call AWS (unbounded outside one). */
export function remainingMs(): number {
  const store = invocation.getStore();
  return store ? store.endsAt - performance.now() : Number.POSITIVE_INFINITY;
}

/**
 * A client whose every call (with all of the SDK's retries) ends by the
 * invocation's end: a slow or throttled AWS answer can never outlast the
 * Lambda, so the handler always gets to answer CloudFormation.
 */
export function bounded<C extends { send(command: any, options?: any): Promise<any> }>(client: C): C {
  const wrapper = Object.create(client) as C;
  wrapper.send = (command: unknown, options?: Record<string, unknown>) => {
    const left = remainingMs();
    if (!Number.isFinite(left)) return client.send(command, options);
    if (left <= 0) return Promise.reject(Object.assign(new Error('no time is left in this invocation for another AWS call'), { name: 'TimeoutError' }));
    return client.send(command, { ...options, abortSignal: AbortSignal.timeout(Math.max(1, Math.floor(left))) });
  };
  return wrapper;
}

/** The clean-up budget of the current invocation: at most DELETE_BUDGET_MS, and never past the invocation's end. */
export function deleteBudgetMs(): number {
  return Math.max(0, Math.min(DELETE_BUDGET_MS, remainingMs()));
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

/** A clean-up within the current invocation's budget. */
export function cleanUpWithinBudget(work: () => Promise<void>): Promise<void> {
  return withinBudget(deleteBudgetMs(), work);
}
