/**
 * AWS Backup's backup job state machine, as the stand-in plays it: CREATED
 * (waiting to start), PENDING, RUNNING with progress, then the scenario's end;
 * a stopped job is ABORTING, then ABORTED; one that cannot start within its
 * start window EXPIRED.
 *
 * AWS Backup runs one backup of a resource at a time. What happens to a job
 * that tries to start while another job of the resource runs is documented and
 * reported in more than one way, and the stand-in plays each (`BusyBehaviour`):
 * - `queue`: the job stays CREATED, and AWS Backup tries again to start it at
 *   least every 10 minutes within its start window (StartWindowMinutes'
 *   documentation; Timestream's backup docs say the request is queued);
 * - `expire`: the job ends at once, EXPIRED, "Backup job expired because another
 *   backup job for the same resource was already in progress." (users' reports);
 * - `fail`: the job ends at once, FAILED, "Backup job failed because there was a
 *   running job for the same resource." (users' reports).
 */

export type BackupOutcome = 'COMPLETED' | 'FAILED' | 'ABORTED' | 'EXPIRED' | 'PARTIAL';

/** How a backup job behaves. Every field has a default. */
export interface JobScenario {
  /** How the job ends. @default COMPLETED */
  readonly outcome?: BackupOutcome;
  /** AWS Backup's status message at the end (also with COMPLETED: "completed with issues"). */
  readonly statusMessage?: string;
  /** Seconds in CREATED before the job starts (a slow start). @default 5 */
  readonly startDelaySeconds?: number;
  /** Seconds in PENDING. @default 5 */
  readonly pendingSeconds?: number;
  /** Seconds in RUNNING. @default 60 */
  readonly durationSeconds?: number;
  /** The backup's size. @default 5 MiB */
  readonly sizeBytes?: number;
  /** The MessageCategory of the finished job. @default SUCCESS, or the outcome's category */
  readonly messageCategory?: string;
}

/** What AWS Backup does with a job that tries to start while another job holds the resource. */
export type BusyBehaviour = 'queue' | 'expire' | 'fail';
export const BUSY_BEHAVIOURS: readonly BusyBehaviour[] = ['queue', 'expire', 'fail'];

export const RUNNING_JOB_MESSAGE = 'Backup job failed because there was a running job for the same resource.';
export const EXPIRED_BUSY_MESSAGE = 'Backup job expired because another backup job for the same resource was already in progress.';
export const START_WINDOW_MESSAGE = 'Backup job expired because it did not start within its start window.';
export const STOPPED_MESSAGE = 'Backup job was stopped by user.';
/** How long a stopped job is ABORTING. */
export const ABORTING_MS = 2_000;

export interface BackupJobRecord {
  readonly id: string;
  readonly token?: string;
  readonly vaultName: string;
  readonly resourceArn: string;
  readonly resourceType: string;
  readonly roleArn: string;
  readonly recoveryPointArn: string;
  readonly createdAt: number;
  readonly startBy: number;
  readonly lifecycle?: Record<string, unknown>;
  /** The recovery point's tags (TagResource adds to them). */
  tags?: Record<string, string>;
  readonly backupOptions?: Record<string, string>;
  readonly index?: string;
  readonly createdBy?: Record<string, string>;
  /** What AWS Backup did, when the job was created, with a job that finds the resource busy. */
  readonly busyBehaviour: BusyBehaviour;
  scenario: Required<Omit<JobScenario, 'statusMessage' | 'messageCategory'>> & Pick<JobScenario, 'statusMessage' | 'messageCategory'>;
  stoppedAt?: number;
}

/** A job's state at a moment, derived from its record and the clock. */
export interface JobView {
  readonly state: string;
  readonly percentDone: number;
  readonly statusMessage?: string;
  readonly completedAt?: number;
  readonly startedAt?: number;
}

/** When a job starts and ends. */
export interface Timeline {
  readonly start: number;
  readonly end: number;
  /** The job found the resource busy at its first try and ended then (`expire`, `fail`). */
  readonly busyEnd?: { readonly state: 'EXPIRED' | 'FAILED'; readonly message: string };
}

/**
 * When each job of one resource starts and ends. AWS Backup runs one job per
 * resource at a time: a job tries to start after its start delay, the first to
 * try first. While an earlier job holds the resource, or waits for it in
 * CREATED (the queue is first in, first out: a job created while another
 * waits in CREATED, not stopped by then, goes after it), it tries again every `startRetryMs` (`queue`;
 * one that cannot start by its start window's end expires) or ends at once
 * (`expire`, `fail`), without ever holding the resource.
 */
export function timelinesOf(jobsOfResource: readonly BackupJobRecord[], startRetryMs: number): Map<string, Timeline> {
  const timelines = new Map<string, Timeline>();
  let busyUntil = 0;
  /** The jobs that waited in CREATED: from their creation until they started (or left), and until when each kept its place. */
  const queued: { from: number; until: number; stoppedAt?: number; releasedAt: number }[] = [];
  // In the order the jobs first try to start (a job created later may try first: a shorter start delay).
  const firstTryOf = (job: BackupJobRecord) => job.createdAt + job.scenario.startDelaySeconds * 1000;
  const inOrder = [...jobsOfResource].sort((a, b) => firstTryOf(a) - firstTryOf(b) || a.createdAt - b.createdAt);
  for (const job of inOrder) {
    const firstTry = firstTryOf(job);
    const stoppedFirst = job.stoppedAt !== undefined && job.stoppedAt < firstTry;
    const ahead = queued.filter((q) => q.from <= job.createdAt && job.createdAt < q.until && !(q.stoppedAt !== undefined && q.stoppedAt <= job.createdAt));
    const heldUntil = Math.max(busyUntil, ...ahead.map((q) => q.releasedAt));
    if (heldUntil > firstTry && job.busyBehaviour !== 'queue' && !stoppedFirst) {
      const busyEnd = job.busyBehaviour === 'expire'
        ? { state: 'EXPIRED' as const, message: EXPIRED_BUSY_MESSAGE }
        : { state: 'FAILED' as const, message: RUNNING_JOB_MESSAGE };
      timelines.set(job.id, { start: firstTry, end: firstTry, busyEnd });
      continue;
    }
    // Created behind a queued job, it joins the queue: its first try finds the resource taken, the next one comes at AWS Backup's next try.
    const tries = Math.max(heldUntil > firstTry ? Math.ceil((heldUntil - firstTry) / startRetryMs) : 0, ahead.length > 0 ? 1 : 0);
    const start = firstTry + tries * startRetryMs;
    const natural = start + (job.scenario.pendingSeconds + job.scenario.durationSeconds) * 1000;
    let end = start > job.startBy ? job.startBy : natural;
    if (start <= job.startBy && job.stoppedAt !== undefined && job.stoppedAt < natural) end = job.stoppedAt + ABORTING_MS;
    timelines.set(job.id, { start, end });
    // Only a job that started holds the resource (one stopped while it waited in CREATED never did).
    const neverStarted = start > job.startBy || (job.stoppedAt !== undefined && job.stoppedAt < start);
    if (!neverStarted) busyUntil = Math.max(busyUntil, end);
    // While it waits in CREATED, it keeps its place ahead of the jobs that try after it: until it ran, or left the queue.
    if (start > firstTry) queued.push({ from: job.createdAt, until: Math.min(start, job.startBy), stoppedAt: job.stoppedAt, releasedAt: neverStarted ? Math.min(job.stoppedAt ?? job.startBy, job.startBy) : end });
  }
  return timelines;
}

/** A job's state at a moment, from its record and its timeline. */
export function backupJobView(job: BackupJobRecord, timeline: Timeline, now: number): JobView {
  const s = job.scenario;
  const { start } = timeline;
  if (timeline.busyEnd) {
    if (now < timeline.end) return { state: 'CREATED', percentDone: 0 };
    return { state: timeline.busyEnd.state, percentDone: 0, statusMessage: timeline.busyEnd.message, completedAt: timeline.end };
  }
  if (start > job.startBy) {
    // Never started within its window.
    if (now < job.startBy) return { state: 'CREATED', percentDone: 0 };
    const blocked = job.createdAt + s.startDelaySeconds * 1000 <= job.startBy;
    return { state: 'EXPIRED', percentDone: 0, statusMessage: blocked ? RUNNING_JOB_MESSAGE : START_WINDOW_MESSAGE, completedAt: job.startBy };
  }
  const runStart = start + s.pendingSeconds * 1000;
  const end = runStart + s.durationSeconds * 1000;
  const percentAt = (t: number) => Math.min(99, Math.floor(((t - runStart) / Math.max(1, end - runStart)) * 100));
  if (job.stoppedAt !== undefined && job.stoppedAt < end) {
    // Stopped while CREATED, it never started (and never made a recovery point).
    const startedAt = job.stoppedAt >= start ? start : undefined;
    if (now < job.stoppedAt + ABORTING_MS) return { state: 'ABORTING', percentDone: job.stoppedAt > runStart ? percentAt(job.stoppedAt) : 0, startedAt };
    return { state: 'ABORTED', percentDone: 0, statusMessage: STOPPED_MESSAGE, completedAt: job.stoppedAt + ABORTING_MS, startedAt };
  }
  if (now < start) return { state: 'CREATED', percentDone: 0 };
  if (now < runStart) return { state: 'PENDING', percentDone: 0, startedAt: start };
  if (now < end) return { state: 'RUNNING', percentDone: percentAt(now), startedAt: start };
  return { state: s.outcome, percentDone: s.outcome === 'COMPLETED' ? 100 : percentAt(end), statusMessage: s.statusMessage, completedAt: end, startedAt: start };
}
