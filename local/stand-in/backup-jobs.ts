/**
 * The stand-in's backup jobs: StartBackupJob, DescribeBackupJob, StopBackupJob
 * and ListBackupJobs as AWS Backup answers them, the jobs following AWS
 * Backup's state machine (backup-job-states.ts), and the recovery points they
 * make. Tests shape what each job does (scenarios) and seed jobs of others.
 */
import { randomUUID } from 'crypto';
import { resourceTypeFromArn, resourceTypeInfo } from '../../lib/core/resource-types';
import type { BackupAccount } from './account';
import { passRole, ServedOperations, unscoped } from './authorization';
import { BackupJobRecord, backupJobView, BusyBehaviour, JobScenario, JobView, Timeline, timelinesOf } from './backup-job-states';
import { requireLifecycle, requireRoleArn, ServiceError } from './errors';
import { inRange, pageOf } from './pages';

const DEFAULTS = { startDelaySeconds: 5, pendingSeconds: 5, durationSeconds: 60, sizeBytes: 5 * 1024 * 1024 };
const DEFAULT_START_WINDOW_MINUTES = 8 * 60;

export interface BackupJobsOptions {
  /** How jobs behave when no scenario says otherwise. @default 5 s start, 5 s pending, 60 s running, COMPLETED */
  readonly defaultScenario?: JobScenario;
  /**
   * How often AWS Backup tries again to start a job that another job's hold on
   * the resource keeps in CREATED (within its start window). AWS Backup
   * documents "at least every 10 minutes". @default 600
   */
  readonly startRetrySeconds?: number;
  /** What AWS Backup does with a job that finds the resource busy (backup-job-states.ts). @default queue */
  readonly busyBehaviour?: BusyBehaviour;
}

/** A recovery point's status: CREATING while its job runs, COMPLETED or PARTIAL after; undefined when there is none. */
export type RecoveryPointStatus = 'CREATING' | 'COMPLETED' | 'PARTIAL' | undefined;

export class BackupJobs {
  /**
   * DynamoDB recovery points named as DynamoDB names its own backups
   * (`table/<name>/backup/<id>`, an account without AWS Backup's advanced
   * DynamoDB features) rather than `recovery-point:<id>`. @default false
   */
  public dynamoDbNativeRecoveryPoints = false;
  /**
   * What AWS Backup does with a job that tries to start while another job of
   * its resource runs: `queue`, `expire` or `fail` (backup-job-states.ts). A job
   * keeps the behaviour it was created under.
   */
  public busyBehaviour: BusyBehaviour;
  private readonly defaultScenario: JobScenario;
  private readonly startRetryMs: number;
  private readonly jobs: BackupJobRecord[] = [];
  private readonly jobsById = new Map<string, BackupJobRecord>();
  private readonly jobsByResource = new Map<string, BackupJobRecord[]>();
  /** Start and end times of jobs, derived from their records; cleared when a record changes. */
  private readonly timelines = new Map<string, Timeline>();
  private readonly tokens = new Map<string, string>();
  private readonly resourceScenarios = new Map<string, JobScenario>();
  private readonly nextJobScenarios = new Map<string, JobScenario[]>();

  /** The operations of backup jobs, and what IAM authorizes for each. */
  public readonly operations: ServedOperations = {
    StartBackupJob: {
      serve: (input) => this.StartBackupJob(input),
      iam: (input) => [{ action: 'backup:StartBackupJob', resource: this.home.vaultArnOf(input.BackupVaultName) }, ...passRole(input.IamRoleArn)],
    },
    // No resource-level permissions.
    DescribeBackupJob: { serve: (input) => this.DescribeBackupJob(input), iam: () => unscoped('backup:DescribeBackupJob') },
    StopBackupJob: { serve: (input) => this.StopBackupJob(input), iam: () => unscoped('backup:StopBackupJob') },
    ListBackupJobs: { serve: (input) => this.ListBackupJobs(input), iam: () => unscoped('backup:ListBackupJobs') },
  };

  /** `tableGone`: whether the stand-in saw a DynamoDB table deleted (its backup then fails). */
  constructor(private readonly home: BackupAccount, options: BackupJobsOptions, private readonly tableGone: (name: string) => boolean) {
    this.defaultScenario = options.defaultScenario ?? {};
    this.startRetryMs = (options.startRetrySeconds ?? 600) * 1000;
    this.busyBehaviour = options.busyBehaviour ?? 'queue';
  }

  // ---- test controls ---------------------------------------------------------------------

  /** Every job started for this resource behaves so (until changed). */
  public onResource(resourceArn: string, scenario: JobScenario): void {
    this.resourceScenarios.set(resourceArn, scenario);
  }

  /** The next job started for this resource behaves so (queued, one scenario per job). */
  public onNextJob(resourceArn: string, scenario: JobScenario): void {
    this.nextJobScenarios.set(resourceArn, [...(this.nextJobScenarios.get(resourceArn) ?? []), scenario]);
  }

  /** An existing job behaves so from now on (its timeline is recomputed). */
  public onJob(jobId: string, scenario: JobScenario): void {
    const job = this.requireJob(jobId);
    job.scenario = { ...job.scenario, ...scenario };
    this.timelines.clear();
  }

  /** A job that a backup plan started (or anyone else), for a busy resource or a long listing. */
  public seedJob(input: {
    resourceArn: string; vaultName?: string; iamRoleArn?: string; tags?: Record<string, string>; createdAt?: number; scenario?: JobScenario; backupPlanId?: string;
  }): string {
    const vaultName = input.vaultName ?? 'Default';
    if (!this.home.vault(vaultName)) this.home.createVault(vaultName);
    return this.createJob({
      BackupVaultName: vaultName,
      ResourceArn: input.resourceArn,
      IamRoleArn: input.iamRoleArn ?? `arn:aws:iam::${this.home.account}:role/service-role/AWSBackupDefaultServiceRole`,
      ...(input.tags ? { RecoveryPointTags: input.tags } : {}),
    }, input.scenario ?? {}, input.createdAt, input.backupPlanId ? { BackupPlanId: input.backupPlanId } : undefined).id;
  }

  /** A recovery point made elsewhere (a completed job in a vault), for restores of it. */
  public seedCompletedRecoveryPoint(resourceArn: string, vaultName: string): string {
    if (!this.home.vault(vaultName)) this.home.createVault(vaultName);
    const id = this.seedJob({ resourceArn, vaultName, createdAt: this.home.now() - 24 * 3600_000 });
    return this.requireJob(id).recoveryPointArn;
  }

  public jobIds(): string[] {
    return this.jobs.map((j) => j.id);
  }

  /** Every job with what started it: its token (none for a backup plan's), its resource, its recovery point, when. */
  public jobRecords(): { id: string; token?: string; resourceArn: string; vaultName: string; recoveryPointArn: string; createdAt: number; byPlan: boolean }[] {
    return this.jobs.map((j) => ({
      id: j.id, token: j.token, resourceArn: j.resourceArn, vaultName: j.vaultName, recoveryPointArn: j.recoveryPointArn, createdAt: j.createdAt, byPlan: !!j.createdBy?.BackupPlanId,
    }));
  }

  public jobView(jobId: string): JobView {
    return this.view(this.requireJob(jobId), this.home.now());
  }

  /** The jobs of a resource in the order they were created: their id, state now, recovery point and its tags. */
  public jobsOf(resourceArn: string): { id: string; state: string; createdAt: number; completedAt?: number; startedAt?: number; recoveryPointArn: string; tags?: Record<string, string>; vaultName: string }[] {
    const now = this.home.now();
    return (this.jobsByResource.get(resourceArn) ?? []).map((job) => {
      const view = this.view(job, now);
      return {
        id: job.id, state: view.state, createdAt: job.createdAt, completedAt: view.completedAt, startedAt: view.startedAt,
        recoveryPointArn: job.recoveryPointArn, tags: job.tags, vaultName: job.vaultName,
      };
    });
  }

  public recoveryPointExists(recoveryPointArn: string): boolean {
    const job = this.jobs.find((j) => j.recoveryPointArn === recoveryPointArn);
    return !!job && this.recoveryPointStatus(job) !== undefined;
  }

  // ---- what the other kinds and DynamoDB ask ---------------------------------------------

  /** The job that makes a recovery point (in a vault, when named). */
  public jobOfRecoveryPoint(recoveryPointArn: string, vaultName?: string): BackupJobRecord | undefined {
    return this.jobs.find((j) => j.recoveryPointArn === recoveryPointArn && (vaultName === undefined || j.vaultName === vaultName));
  }

  /** Whether a job of the resource is being taken now (PENDING or RUNNING). */
  public beingBackedUp(resourceArn: string): boolean {
    const now = this.home.now();
    return (this.jobsByResource.get(resourceArn) ?? []).some((job) => ['PENDING', 'RUNNING'].includes(this.view(job, now).state));
  }

  /** CREATING while the job runs, COMPLETED or PARTIAL after; undefined when there is none. */
  public recoveryPointStatus(job: BackupJobRecord): RecoveryPointStatus {
    if (this.home.deletedRecoveryPoints.has(job.recoveryPointArn)) return undefined;
    const view = this.view(job, this.home.now());
    const state = view.state;
    if (state === 'RUNNING' || (state === 'ABORTING' && view.startedAt !== undefined)) return 'CREATING';
    if (state === 'COMPLETED') return 'COMPLETED';
    if (state === 'PARTIAL') return 'PARTIAL';
    return undefined;
  }

  // ---- operations ------------------------------------------------------------------------

  public StartBackupJob(input: Record<string, any>): Record<string, unknown> {
    if (input.IdempotencyToken && this.tokens.has(input.IdempotencyToken)) {
      const job = this.requireJob(this.tokens.get(input.IdempotencyToken)!);
      return { BackupJobId: job.id, RecoveryPointArn: job.recoveryPointArn, CreationDate: new Date(job.createdAt), IsParent: false };
    }
    this.home.requireVault(input.BackupVaultName);
    requireRoleArn(input.IamRoleArn);
    const read = resourceTypeFromArn(input.ResourceArn);
    if ('error' in read) {
      throw new ServiceError('InvalidParameterValueException', `Invalid ARN: ${input.ResourceArn}. The resource type is not supported by AWS Backup.`);
    }
    const type = resourceTypeInfo(read.resourceType)!;
    requireLifecycle(input.Lifecycle);
    if (input.StartWindowMinutes !== undefined && input.StartWindowMinutes < 60) {
      throw new ServiceError('InvalidParameterValueException', 'StartWindowMinutes must be at least 60 minutes');
    }
    if (input.Index !== undefined && !type.index) {
      throw new ServiceError('InvalidParameterValueException', `Index is not supported for resource type ${type.name}`);
    }
    if (input.BackupOptions?.WindowsVSS !== undefined && !type.windowsVss) {
      throw new ServiceError('InvalidParameterValueException', `Backup option WindowsVSS is not supported for resource type ${type.name}`);
    }
    const queued = this.nextJobScenarios.get(input.ResourceArn);
    const gone = read.resourceType === 'DynamoDB' && this.tableGone(String(input.ResourceArn).split('/').pop()!);
    // A table the stand-in saw deleted cannot be backed up: the job fails.
    const scenario = gone
      ? { outcome: 'FAILED' as const, statusMessage: `Unable to find resource ${input.ResourceArn}`, pendingSeconds: 5, durationSeconds: 1 }
      : queued?.shift() ?? this.resourceScenarios.get(input.ResourceArn) ?? {};
    const job = this.createJob(input, scenario);
    return { BackupJobId: job.id, RecoveryPointArn: job.recoveryPointArn, CreationDate: new Date(job.createdAt), IsParent: false };
  }

  public DescribeBackupJob(input: Record<string, any>): Record<string, unknown> {
    return this.describe(this.visibleJob(input.BackupJobId), this.home.now());
  }

  public StopBackupJob(input: Record<string, any>): Record<string, unknown> {
    const job = this.visibleJob(input.BackupJobId);
    const now = this.home.now();
    const state = this.view(job, now).state;
    if (!resourceTypeInfo(job.resourceType)?.stoppable) {
      throw new ServiceError('InvalidRequestException', `StopBackupJob is not supported for resource type ${job.resourceType}`);
    }
    if (!['CREATED', 'PENDING', 'RUNNING'].includes(state)) {
      throw new ServiceError('InvalidRequestException', `Backup job ${job.id} is in state ${state} and cannot be stopped`);
    }
    job.stoppedAt = now;
    this.timelines.clear();
    return {};
  }

  public ListBackupJobs(input: Record<string, any>): Record<string, unknown> {
    const now = this.home.now();
    const matching = this.jobs
      .filter((job) => this.home.known(job.createdAt, this.view(job, now).completedAt))
      .filter((job) => {
        const d = this.describe(job, now) as Record<string, any>;
        return (input.ByResourceArn === undefined || job.resourceArn === input.ByResourceArn)
          && (input.ByState === undefined || d.State === input.ByState)
          && (input.ByBackupVaultName === undefined || job.vaultName === input.ByBackupVaultName)
          && inRange(job.createdAt, input.ByCreatedAfter, input.ByCreatedBefore)
          && (input.ByResourceType === undefined || job.resourceType === input.ByResourceType)
          && (input.ByAccountId === undefined || input.ByAccountId === this.home.account)
          && inRange((d.CompletionDate as Date | undefined)?.getTime(), input.ByCompleteAfter, input.ByCompleteBefore)
          && (input.ByParentJobId === undefined || false)
          && (input.ByMessageCategory === undefined || ['*', 'AGGREGATE_ALL'].includes(input.ByMessageCategory) || d.MessageCategory === input.ByMessageCategory);
      })
      .sort((a, b) => b.createdAt - a.createdAt);
    const page = pageOf(input, matching);
    return { BackupJobs: page.items.map((job) => this.describe(job, now)), NextToken: page.nextToken };
  }

  // ---- internals -------------------------------------------------------------------------

  private createJob(input: Record<string, any>, scenario: JobScenario, createdAt = this.home.now(), createdBy?: Record<string, string>): BackupJobRecord {
    const read = resourceTypeFromArn(input.ResourceArn);
    const { region, account } = this.home;
    const job: BackupJobRecord = {
      id: randomUUID().toUpperCase(),
      token: input.IdempotencyToken,
      vaultName: input.BackupVaultName,
      resourceArn: input.ResourceArn,
      resourceType: 'error' in read ? 'Unknown' : read.resourceType,
      roleArn: input.IamRoleArn,
      recoveryPointArn: this.dynamoDbNativeRecoveryPoints && !('error' in read) && read.resourceType === 'DynamoDB'
        ? `${input.ResourceArn}/backup/${createdAt}-${randomUUID().slice(0, 8)}`
        : `arn:aws:backup:${region}:${account}:recovery-point:${randomUUID().toUpperCase()}`,
      createdAt,
      startBy: createdAt + (input.StartWindowMinutes ?? DEFAULT_START_WINDOW_MINUTES) * 60_000,
      lifecycle: input.Lifecycle,
      tags: input.RecoveryPointTags,
      backupOptions: input.BackupOptions,
      index: input.Index,
      createdBy,
      busyBehaviour: this.busyBehaviour,
      scenario: { ...DEFAULTS, outcome: 'COMPLETED', ...this.defaultScenario, ...scenario },
    };
    this.jobs.push(job);
    this.jobsById.set(job.id, job);
    this.jobsByResource.set(job.resourceArn, [...(this.jobsByResource.get(job.resourceArn) ?? []), job]);
    this.timelines.clear();
    if (job.token) this.tokens.set(job.token, job.id);
    return job;
  }

  /** When a job starts and ends (backup-job-states.ts), cached until a record changes. */
  private timeline(job: BackupJobRecord): Timeline {
    if (!this.timelines.has(job.id)) {
      for (const [id, t] of timelinesOf(this.jobsByResource.get(job.resourceArn) ?? [], this.startRetryMs)) this.timelines.set(id, t);
    }
    const t = this.timelines.get(job.id);
    if (!t) throw new Error(`job ${job.id} is not indexed`);
    return t;
  }

  private view(job: BackupJobRecord, now: number): JobView {
    return backupJobView(job, this.timeline(job), now);
  }

  private describe(job: BackupJobRecord, now: number): Record<string, unknown> {
    const v = this.view(job, now);
    const vault = this.home.vault(job.vaultName);
    const { region, account } = this.home;
    const done = v.completedAt !== undefined;
    const transferred = Math.floor((job.scenario.sizeBytes * v.percentDone) / 100);
    const completedWell = v.state === 'COMPLETED' || v.state === 'PARTIAL';
    return {
      AccountId: account,
      BackupJobId: job.id,
      BackupVaultName: job.vaultName,
      BackupVaultArn: vault?.arn ?? `arn:aws:backup:${region}:${account}:backup-vault:${job.vaultName}`,
      VaultType: 'BACKUP_VAULT',
      VaultLockState: 'UNLOCKED',
      IsEncrypted: true,
      EncryptionKeyArn: vault?.encryptionKeyArn,
      RecoveryPointArn: job.recoveryPointArn,
      RecoveryPointLifecycle: job.lifecycle,
      ResourceArn: job.resourceArn,
      ResourceType: job.resourceType,
      ResourceName: job.resourceArn.split(/[/:]/).pop(),
      CreationDate: new Date(job.createdAt),
      InitiationDate: new Date(job.createdAt),
      CompletionDate: done ? new Date(v.completedAt!) : undefined,
      State: v.state,
      StatusMessage: v.statusMessage,
      PercentDone: `${v.percentDone}.0`,
      BackupSizeInBytes: completedWell ? job.scenario.sizeBytes : undefined,
      BytesTransferred: completedWell ? job.scenario.sizeBytes : transferred,
      IamRoleArn: job.roleArn,
      CreatedBy: job.createdBy,
      StartBy: new Date(job.startBy),
      ExpectedCompletionDate: new Date(job.createdAt + (job.scenario.startDelaySeconds + job.scenario.pendingSeconds + job.scenario.durationSeconds) * 1000),
      BackupOptions: job.backupOptions,
      BackupType: job.backupOptions?.WindowsVSS === 'enabled' ? 'WindowsVSS' : undefined,
      IsParent: false,
      MessageCategory: done ? job.scenario.messageCategory ?? (v.state === 'COMPLETED' && !v.statusMessage ? 'SUCCESS' : v.state) : undefined,
    };
  }

  /** A job as AWS Backup's API finds it: not yet just after its start, while new jobs are hidden. */
  private visibleJob(id: string): BackupJobRecord {
    const job = this.requireJob(id);
    if (!this.home.known(job.createdAt, this.view(job, this.home.now()).completedAt)) throw new ServiceError('ResourceNotFoundException', `Backup job ${id} not found`);
    return job;
  }

  private requireJob(id: string): BackupJobRecord {
    const job = this.jobsById.get(id);
    if (!job) throw new ServiceError('ResourceNotFoundException', `Backup job ${id} not found`);
    return job;
  }
}
