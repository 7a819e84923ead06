/**
 * Starting, describing and classifying AWS Backup jobs: the logic the
 * deploy-time handlers and the CLI share.
 */
import {
  BackupClient,
  BackupJobState,
  DeleteRecoveryPointCommand,
  DescribeBackupJobCommand,
  DescribeBackupJobCommandOutput,
  paginateListBackupJobs,
  StartBackupJobCommand,
  StartBackupJobCommandInput,
  StartBackupJobCommandOutput,
  StopBackupJobCommand,
} from '@aws-sdk/client-backup';

/**
 * A Backup client for the ambient region and credentials.
 *
 * No endpoint is set here, so the SDK's standard `AWS_ENDPOINT_URL_BACKUP` and
 * `AWS_ENDPOINT_URL` settings apply.
 */
export function createBackupClient(options: { region?: string; profile?: string; maxAttempts?: number; requestTimeoutMs?: number } = {}): BackupClient {
  return new BackupClient({
    region: options.region,
    profile: options.profile,
    maxAttempts: options.maxAttempts ?? 5,
    // Without a request timeout a stalled connection would wait until the Lambda timeout.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 20_000 },
  });
}

/** Where a job is in its life, as a waiter sees it. */
export type JobOutcome = 'running' | 'completed' | 'partial' | 'failed' | 'unknown';

/** States in which a job still runs (or is about to). */
export const ACTIVE_BACKUP_STATES: readonly BackupJobState[] = ['CREATED', 'PENDING', 'RUNNING', 'ABORTING'];

/** Maps every BackupJobState to one outcome; a state added to the API later is `unknown`. */
export function classifyBackupState(state: string | undefined): JobOutcome {
  switch (state) {
    case 'CREATED':
    case 'PENDING':
    case 'RUNNING':
    case 'ABORTING':
      return 'running';
    case 'COMPLETED':
      return 'completed';
    case 'PARTIAL':
      return 'partial';
    case 'FAILED':
    case 'ABORTED':
    case 'EXPIRED':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** A job as DescribeBackupJob returns it. */
export type BackupJobDescription = Omit<DescribeBackupJobCommandOutput, '$metadata'>;

export async function describeBackupJob(client: BackupClient, backupJobId: string): Promise<BackupJobDescription> {
  const { $metadata: _ignored, ...job } = await client.send(new DescribeBackupJobCommand({ BackupJobId: backupJobId }));
  return job;
}

export async function startBackupJob(client: BackupClient, input: StartBackupJobCommandInput): Promise<StartBackupJobCommandOutput> {
  return client.send(new StartBackupJobCommand(input));
}

export async function stopBackupJob(client: BackupClient, backupJobId: string): Promise<void> {
  await client.send(new StopBackupJobCommand({ BackupJobId: backupJobId }));
}

/** Deletes a recovery point of a vault. */
export async function deleteRecoveryPoint(client: BackupClient, backupVaultName: string, recoveryPointArn: string): Promise<void> {
  await client.send(new DeleteRecoveryPointCommand({ BackupVaultName: backupVaultName, RecoveryPointArn: recoveryPointArn }));
}

/**
 * The ids of the jobs that run on a resource now (AWS Backup runs one job per resource
 * at a time), every page of ListBackupJobs for each active state.
 */
export async function findActiveBackupJobs(client: BackupClient, resourceArn: string): Promise<string[]> {
  const pages = await Promise.all(
    ACTIVE_BACKUP_STATES.map(async (state) => {
      const jobs: BackupJobDescription[] = [];
      for await (const page of paginateListBackupJobs({ client }, { ByResourceArn: resourceArn, ByState: state })) {
        jobs.push(...(page.BackupJobs ?? []).filter((job) => job.BackupJobId));
      }
      return jobs;
    }),
  );
  return [...new Set(pages.flat().map((job) => job.BackupJobId!))];
}

/** What identifies the jobs a resource starts: the resource, the vault and the role AWS Backup assumes. */
export interface JobOwner {
  readonly ResourceArn: string;
  readonly BackupVaultName: string;
  readonly IamRoleArn: string;
}

/**
 * Whether a job, by its own description, is one this owner could have
 * started: the same resource, vault and role, and not a backup plan's job.
 * Anything else is never stopped or deleted for the owner.
 */
export function isOwnedBy(job: Pick<BackupJobDescription, 'ResourceArn' | 'BackupVaultName' | 'IamRoleArn' | 'CreatedBy'>, owner: JobOwner): boolean {
  return job.ResourceArn === owner.ResourceArn
    && job.BackupVaultName === owner.BackupVaultName
    && job.IamRoleArn === owner.IamRoleArn
    && !job.CreatedBy?.BackupPlanId;
}

/** The jobs of a resource in a vault created after a moment (every state), every page of ListBackupJobs. */
export async function listJobsSince(client: BackupClient, owner: JobOwner, createdAfter: Date): Promise<BackupJobDescription[]> {
  const jobs: BackupJobDescription[] = [];
  for await (const page of paginateListBackupJobs({ client }, { ByResourceArn: owner.ResourceArn, ByBackupVaultName: owner.BackupVaultName, ByCreatedAfter: createdAfter })) {
    jobs.push(...(page.BackupJobs ?? []));
  }
  return jobs;
}

/** Error names of AWS answers that a later attempt may not get. */
const TRANSIENT_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailableException',
  'DependencyFailureException',
  'InternalServerError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Whether an error is throttling, a server fault or a network failure: worth trying again later. */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (e.name && TRANSIENT_ERROR_NAMES.has(e.name)) return true;
  return e.code !== undefined && TRANSIENT_NETWORK_CODES.has(e.code);
}

/** Whether AWS answered that the named thing does not exist. */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'ResourceNotFoundException';
}

/** `Name: message` of an error, without a stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs an AWS call; its failure becomes an error that names the operation and AWS's error (for CloudFormation's reason). */
export async function naming<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw Object.assign(new Error(`${operation} failed: ${describeError(error)}`), { cause: error });
  }
}

/**
 * Whether a COMPLETED job "completed with issues", as AWS Backup's console
 * says: its MessageCategory is not SUCCESS (or, without one, it has a status message).
 */
export function completedWithIssues(job: Pick<BackupJobDescription, 'State' | 'MessageCategory' | 'StatusMessage'>): boolean {
  if (job.State !== 'COMPLETED') return false;
  return job.MessageCategory ? job.MessageCategory !== 'SUCCESS' : !!job.StatusMessage;
}

/** The sentence a failed job ends a deploy or a CLI run with. */
export function backupJobFailureMessage(job: BackupJobDescription): string {
  const what = `Backup job ${job.BackupJobId} of ${job.ResourceArn ?? 'the resource'} ended ${job.State}`;
  return job.StatusMessage ? `${what}: ${job.StatusMessage}` : `${what} without a status message from AWS Backup`;
}
