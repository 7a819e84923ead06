/**
 * AWS Backup's scan job state machine, as the stand-in plays it: CREATED,
 * RUNNING, then the scenario's end (COMPLETED, COMPLETED_WITH_ISSUES, FAILED,
 * CANCELED) with its result (NO_THREATS_FOUND or THREATS_FOUND) when it
 * completed.
 */
import type { BackupJobRecord } from './backup-job-states';

export type ScanOutcome = 'COMPLETED' | 'COMPLETED_WITH_ISSUES' | 'FAILED' | 'CANCELED';
export type ScanResultStatus = 'NO_THREATS_FOUND' | 'THREATS_FOUND';

/** How a scan job behaves. Every field has a default. */
export interface ScanScenario {
  /** @default COMPLETED */
  readonly outcome?: ScanOutcome;
  /** The result of a scan that completed (with or without issues). @default NO_THREATS_FOUND */
  readonly result?: ScanResultStatus;
  readonly statusMessage?: string;
  /** Seconds in CREATED. @default 5 */
  readonly createdSeconds?: number;
  /** Seconds in RUNNING. @default 120 */
  readonly durationSeconds?: number;
}

export interface ScanJobRecord {
  readonly id: string;
  readonly token?: string;
  readonly recoveryPoint: BackupJobRecord;
  readonly vaultName: string;
  readonly roleArn: string;
  readonly scannerRoleArn: string;
  readonly mode: 'FULL_SCAN' | 'INCREMENTAL_SCAN';
  readonly baseRecoveryPointArn?: string;
  readonly createdAt: number;
  readonly scenario: Required<Omit<ScanScenario, 'statusMessage'>> & Pick<ScanScenario, 'statusMessage'>;
}

/** A scan's state at a moment, from its record and the clock. */
export function scanJobView(job: ScanJobRecord, now: number): { state: string; done: boolean; end: number; result?: ScanResultStatus } {
  const s = job.scenario;
  const runStart = job.createdAt + s.createdSeconds * 1000;
  const end = runStart + s.durationSeconds * 1000;
  if (now < runStart) return { state: 'CREATED', done: false, end };
  if (now < end) return { state: 'RUNNING', done: false, end };
  const completed = s.outcome === 'COMPLETED' || s.outcome === 'COMPLETED_WITH_ISSUES';
  return { state: s.outcome, done: true, end, result: completed ? s.result : undefined };
}
