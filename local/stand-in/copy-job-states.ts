/**
 * AWS Backup's copy job state machine, as the stand-in plays it: CREATED, then
 * RUNNING, then the scenario's end (COMPLETED, FAILED or PARTIAL; a copy job
 * cannot be stopped).
 *
 * When DescribeCopyJob first names the copy (DestinationRecoveryPointArn) is
 * not documented, and the stand-in plays both (`CopyArnVisibility`): from the
 * start (`at-start`), or only once the copy completed (`at-completion`).
 */
import type { BackupJobRecord } from './backup-job-states';

export type CopyOutcome = 'COMPLETED' | 'FAILED' | 'PARTIAL';

/** When DescribeCopyJob shows the destination recovery point's ARN. */
export type CopyArnVisibility = 'at-start' | 'at-completion';
export const COPY_ARN_VISIBILITIES: readonly CopyArnVisibility[] = ['at-start', 'at-completion'];

/** How a copy job behaves. Every field has a default. */
export interface CopyScenario {
  /** @default COMPLETED */
  readonly outcome?: CopyOutcome;
  readonly statusMessage?: string;
  /** Seconds in CREATED. @default 5 */
  readonly createdSeconds?: number;
  /** Seconds in RUNNING. @default 60 */
  readonly durationSeconds?: number;
}

export interface CopyJobRecord {
  readonly id: string;
  readonly token?: string;
  readonly source: BackupJobRecord;
  readonly sourceVaultArn: string;
  readonly destinationVaultArn: string;
  readonly destinationRecoveryPointArn: string;
  readonly roleArn: string;
  readonly lifecycle?: Record<string, unknown>;
  readonly createdAt: number;
  readonly arnVisibility: CopyArnVisibility;
  readonly scenario: Required<Omit<CopyScenario, 'statusMessage'>> & Pick<CopyScenario, 'statusMessage'>;
}

/** A copy's state at a moment, from its record and the clock. */
export function copyJobView(job: CopyJobRecord, now: number): { state: string; done: boolean; end: number } {
  const s = job.scenario;
  const runStart = job.createdAt + s.createdSeconds * 1000;
  const end = runStart + s.durationSeconds * 1000;
  if (now < runStart) return { state: 'CREATED', done: false, end };
  if (now < end) return { state: 'RUNNING', done: false, end };
  return { state: s.outcome, done: true, end };
}
