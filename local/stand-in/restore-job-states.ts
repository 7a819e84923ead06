/**
 * AWS Backup's restore job state machine, as the stand-in plays it: PENDING,
 * RUNNING with progress, then the scenario's end (a restore cannot be stopped).
 */
import type { BackupJobRecord } from './backup-job-states';

export type RestoreOutcome = 'COMPLETED' | 'FAILED' | 'ABORTED';

/** How a restore job behaves. Every field has a default. */
export interface RestoreScenario {
  /** @default COMPLETED */
  readonly outcome?: RestoreOutcome;
  readonly statusMessage?: string;
  /** Seconds in PENDING. @default 5 */
  readonly pendingSeconds?: number;
  /** Seconds in RUNNING. @default 60 */
  readonly durationSeconds?: number;
}

export interface RestoreJobRecord {
  readonly id: string;
  readonly token?: string;
  readonly recoveryPointArn: string;
  readonly sourceJob: BackupJobRecord;
  readonly metadata: Record<string, string>;
  readonly roleArn?: string;
  readonly resourceType: string;
  readonly createdAt: number;
  readonly scenario: Required<Omit<RestoreScenario, 'statusMessage'>> & Pick<RestoreScenario, 'statusMessage'>;
  readonly createdResourceArn: string;
  /** The DynamoDB table the restore creates (none when the name was taken: the restore fails). */
  readonly table?: string;
}

/** A restore's status at a moment, from its record and the clock. */
export function restoreJobView(job: RestoreJobRecord, now: number): { status: string; percent: number; done: boolean; end: number } {
  const s = job.scenario;
  const runStart = job.createdAt + s.pendingSeconds * 1000;
  const end = runStart + s.durationSeconds * 1000;
  if (now < runStart) return { status: 'PENDING', percent: 0, done: false, end };
  if (now < end) return { status: 'RUNNING', percent: Math.floor(((now - runStart) / (end - runStart)) * 100), done: false, end };
  return { status: s.outcome, percent: s.outcome === 'COMPLETED' ? 100 : 0, done: true, end };
}
