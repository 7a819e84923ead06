/**
 * AWS Backup as every kind of job meets it, for the handlers and the CLI: the
 * client, a recovery point's deletion, and how a kind's jobs are read (each
 * kind's module gives its `JobReader`).
 */
import { BackupClient, DeleteRecoveryPointCommand } from '@aws-sdk/client-backup';

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

/** Deletes a recovery point of a vault. */
export async function deleteRecoveryPoint(client: BackupClient, backupVaultName: string, recoveryPointArn: string): Promise<void> {
  await client.send(new DeleteRecoveryPointCommand({ BackupVaultName: backupVaultName, RecoveryPointArn: recoveryPointArn }));
}

/** Where a job is in its life, as a waiter sees it: every state of every kind maps to one. */
export type JobOutcome = 'running' | 'completed' | 'partial' | 'failed' | 'unknown';

/** A kind's states by outcome (the API model's enum, each in one list). */
export type StatesByOutcome = Readonly<Partial<Record<Exclude<JobOutcome, 'unknown'>, readonly string[]>>>;

/** Maps every state of a kind to one outcome; a state added to the API later is `unknown`. */
export function outcomeOfState(states: StatesByOutcome): (state: string | undefined) => JobOutcome {
  const outcomes = new Map(Object.entries(states).flatMap(([outcome, list]) => list!.map((state) => [state, outcome as JobOutcome])));
  return (state) => (state === undefined ? undefined : outcomes.get(state)) ?? 'unknown';
}

/** What the handlers and the CLI read of a kind's jobs, the same way for every kind. */
export interface JobReader<Job> {
  /** AWS Backup's word for the job: `backup`, `restore`, `copy`. */
  readonly kind: string;
  describe(client: BackupClient, jobId: string): Promise<Job>;
  idOf(job: Job): string;
  /** The job's state as AWS Backup says it (State, or a restore's Status). */
  stateOf(job: Job): string;
  /** The state's outcome; a state added to the API later is `unknown`. */
  outcomeOf(job: Job): JobOutcome;
  /**
   * What the job made, once there is something to keep or delete: a backup's
   * recovery point, a completed restore's resource, a completed (or partial)
   * copy. Undefined when it made nothing (yet).
   */
  madeBy(job: Job): string | undefined;
  /** When the job was created. */
  createdAt(job: Job): Date | undefined;
  /** When the job ended. */
  completedAt(job: Job): Date | undefined;
  /** How far the job is, in percent, where AWS Backup tells. */
  percentDone(job: Job): number | undefined;
  /** Its size in bytes, where AWS Backup tells. */
  bytes(job: Job): number | undefined;
  /** The sentence a job that did not complete ends a deploy or a CLI run with (AWS Backup's own message in it). */
  failureMessage(job: Job): string;
}

/** What a kind's reader is made of: what differs from kind to kind. */
export interface JobReading<Job> {
  readonly kind: string;
  describe(client: BackupClient, jobId: string): Promise<Job>;
  /** The members of the job's description that hold its id and its state. */
  readonly members: { readonly id: keyof Job & string; readonly state: keyof Job & string };
  /** Maps every state of the kind to one outcome; a state added to the API later is `unknown`. */
  outcomeOf(state: string | undefined): JobOutcome;
  /**
   * What a job's end says beyond its state, when it does: a failure message
   * that overrides the state's outcome (a scan that completed and found threats).
   */
  verdict?(job: Job): string | undefined;
  madeBy(job: Job): string | undefined;
  percentDone(job: Job): number | undefined;
  bytes(job: Job): number | undefined;
  /** The job in a sentence: `Backup job <id> of <resource>`. */
  title(job: Job): string;
}

/** A kind's reader, from what differs (the rest reads every kind's description alike). */
export function jobReader<Job extends { readonly CreationDate?: Date; readonly CompletionDate?: Date; readonly StatusMessage?: string }>(reading: JobReading<Job>): JobReader<Job> {
  const member = (job: Job, name: keyof Job) => String(job[name] ?? '');
  const stateOf = (job: Job) => member(job, reading.members.state);
  return {
    ...reading,
    idOf: (job) => member(job, reading.members.id),
    stateOf,
    outcomeOf: (job) => (reading.verdict?.(job) !== undefined ? 'failed' : reading.outcomeOf(stateOf(job) || undefined)),
    createdAt: (job) => job.CreationDate,
    completedAt: (job) => job.CompletionDate,
    failureMessage: (job) => {
      const what = `${reading.title(job)} ended ${stateOf(job)}`;
      const verdict = reading.verdict?.(job);
      if (verdict !== undefined) return `${what} ${verdict}`;
      return job.StatusMessage ? `${what}: ${job.StatusMessage}` : `${what} without a status message from AWS Backup`;
    },
  };
}

/** The reader's sentence, and what to do about a PARTIAL end (`advice`: how to accept one where the job was asked for). */
export function endMessage<Job>(reader: JobReader<Job>, job: Job, partialAdvice: string): string {
  const message = reader.failureMessage(job);
  return reader.outcomeOf(job) === 'partial' ? `${message} (${partialAdvice})` : message;
}

/** A percentage AWS Backup gives as a string ("40.0"), as a number. */
export function percentOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number.parseFloat(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Whether a job found by its description alone carries what its start put on
 * it (a backup: its recovery point's tags):
 * - `ours`: every expected tag is there;
 * - `not ours`: the tags are read and one is missing or differs;
 * - `not yet`: nothing to read yet (the job is queued and its recovery point
 *   not made, or AWS Backup could not answer now): ask again later;
 * - `cannot tell`: AWS Backup does not hold the tags of such a recovery point
 *   (an RDS, EBS or EC2 snapshot, a DynamoDB backup without advanced features).
 * Only `ours` lets anything be stopped, deleted or taken for ours.
 */
export type Proof = 'ours' | 'not ours' | 'not yet' | 'cannot tell';
