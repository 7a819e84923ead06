/**
 * The stand-in's scan jobs (malware scans of recovery points with GuardDuty):
 * StartScanJob, DescribeScanJob and ListScanJobs as AWS Backup answers them,
 * each scan following its state machine (scan-job-states.ts). Only EBS, EC2
 * and S3 recovery points are scanned (the model's ScanResourceType); an
 * incremental scan needs its base recovery point.
 */
import { randomUUID } from 'crypto';
import type { BackupAccount } from './account';
import { passRole, ServedOperations, unscoped } from './authorization';
import { requireRoleArn, ServiceError } from './errors';
import { inRange, pageOf } from './pages';
import type { CompletedRecoveryPoints } from './restore-jobs';
import { ScanJobRecord, scanJobView, ScanScenario } from './scan-job-states';

/** The resource types AWS Backup scans (the model's ScanResourceType). */
export const SCANNED_TYPES: readonly string[] = ['EBS', 'EC2', 'S3'];

export class ScanJobs {
  private readonly scanJobs = new Map<string, ScanJobRecord>();
  private readonly tokens = new Map<string, string>();
  private readonly scenarios = new Map<string, ScanScenario>();
  private readonly nextScenarios: ScanScenario[] = [];

  /** The operations of scan jobs, and what IAM authorizes for each. */
  public readonly operations: ServedOperations = {
    // On the recovery point scanned; both roles are passed to AWS Backup.
    StartScanJob: {
      serve: (input) => this.StartScanJob(input),
      iam: (input) => [{ action: 'backup:StartScanJob', resource: String(input.RecoveryPointArn) }, ...passRole(input.IamRoleArn), ...passRole(input.ScannerRoleArn)],
    },
    // No resource-level permissions.
    DescribeScanJob: { serve: (input) => this.DescribeScanJob(input), iam: () => unscoped('backup:DescribeScanJob') },
    ListScanJobs: { serve: (input) => this.ListScanJobs(input), iam: () => unscoped('backup:ListScanJobs') },
  };

  constructor(private readonly home: BackupAccount, private readonly recoveryPoint: CompletedRecoveryPoints) {}

  /** Scans of this recovery point behave so. */
  public onScanOf(recoveryPointArn: string, scenario: ScanScenario): void {
    this.scenarios.set(recoveryPointArn, scenario);
  }

  /** The next scan started (of any recovery point) behaves so (queued). */
  public onNextScan(scenario: ScanScenario): void {
    this.nextScenarios.push(scenario);
  }

  /** Every scan job: its id, token, recovery point, mode and state now. */
  public scanRecords(): { id: string; token?: string; recoveryPointArn: string; mode: string; state: string; createdAt: number }[] {
    const now = this.home.now();
    return [...this.scanJobs.values()].map((job) => ({
      id: job.id, token: job.token, recoveryPointArn: job.recoveryPoint.recoveryPointArn, mode: job.mode, state: scanJobView(job, now).state, createdAt: job.createdAt,
    }));
  }

  public StartScanJob(input: Record<string, any>): Record<string, unknown> {
    const known = input.IdempotencyToken === undefined ? undefined : this.scanJobs.get(this.tokens.get(input.IdempotencyToken) ?? '');
    if (known) return { ScanJobId: known.id, CreationDate: new Date(known.createdAt) };
    this.home.requireVault(input.BackupVaultName);
    requireRoleArn(input.IamRoleArn);
    requireRoleArn(input.ScannerRoleArn);
    const point = this.recoveryPoint(input.RecoveryPointArn, input.BackupVaultName);
    if (!SCANNED_TYPES.includes(point.resourceType)) {
      throw new ServiceError('InvalidParameterValueException', `Malware scanning is not supported for resource type ${point.resourceType} (supported: ${SCANNED_TYPES.join(', ')})`);
    }
    if (input.ScanMode === 'INCREMENTAL_SCAN') {
      if (!input.ScanBaseRecoveryPointArn) throw new ServiceError('InvalidParameterValueException', 'ScanBaseRecoveryPointArn is required for an INCREMENTAL_SCAN');
      const base = this.recoveryPoint(input.ScanBaseRecoveryPointArn);
      if (base.resourceArn !== point.resourceArn) {
        throw new ServiceError('InvalidParameterValueException', `The base recovery point ${input.ScanBaseRecoveryPointArn} is not a backup of ${point.resourceArn}`);
      }
      if (base.createdAt >= point.createdAt) throw new ServiceError('InvalidParameterValueException', 'The base recovery point must be older than the recovery point scanned');
    }
    const id = randomUUID().toUpperCase();
    const scenario = this.nextScenarios.shift() ?? this.scenarios.get(point.recoveryPointArn) ?? {};
    const job: ScanJobRecord = {
      id,
      token: input.IdempotencyToken,
      recoveryPoint: point,
      vaultName: input.BackupVaultName,
      roleArn: input.IamRoleArn,
      scannerRoleArn: input.ScannerRoleArn,
      mode: input.ScanMode,
      baseRecoveryPointArn: input.ScanBaseRecoveryPointArn,
      createdAt: this.home.now(),
      scenario: { outcome: 'COMPLETED', result: 'NO_THREATS_FOUND', createdSeconds: 5, durationSeconds: 120, ...scenario },
    };
    this.scanJobs.set(id, job);
    if (input.IdempotencyToken) this.tokens.set(input.IdempotencyToken, id);
    return { ScanJobId: id, CreationDate: new Date(job.createdAt) };
  }

  public DescribeScanJob(input: Record<string, any>): Record<string, unknown> {
    const job = this.scanJobs.get(input.ScanJobId);
    if (!job || !this.isKnown(job)) throw new ServiceError('ResourceNotFoundException', `Scan job ${input.ScanJobId} not found`);
    const { state, done, end, result } = scanJobView(job, this.home.now());
    return {
      AccountId: this.home.account,
      BackupVaultArn: this.home.vaultArnOf(job.vaultName),
      BackupVaultName: job.vaultName,
      // Required by the model, and documented only for a plan's scan: an on-demand scan answers empty strings here.
      CreatedBy: { BackupPlanArn: '', BackupPlanId: '', BackupPlanVersion: '', BackupRuleId: '' },
      CreationDate: new Date(job.createdAt),
      CompletionDate: done ? new Date(end) : undefined,
      IamRoleArn: job.roleArn,
      MalwareScanner: 'GUARDDUTY',
      RecoveryPointArn: job.recoveryPoint.recoveryPointArn,
      ResourceArn: job.recoveryPoint.resourceArn,
      ResourceName: job.recoveryPoint.resourceArn.split(/[/:]/).pop(),
      ResourceType: job.recoveryPoint.resourceType,
      ScanBaseRecoveryPointArn: job.baseRecoveryPointArn,
      ScanJobId: job.id,
      ScanMode: job.mode,
      ScanResult: result ? { ScanResultStatus: result } : undefined,
      ScannerRoleArn: job.scannerRoleArn,
      State: state,
      StatusMessage: done ? job.scenario.statusMessage : undefined,
    };
  }

  public ListScanJobs(input: Record<string, any>): Record<string, unknown> {
    const matching = [...this.scanJobs.values()]
      .filter((job) => this.isKnown(job)
        && (input.ByBackupVaultName === undefined || job.vaultName === input.ByBackupVaultName)
        && (input.ByRecoveryPointArn === undefined || job.recoveryPoint.recoveryPointArn === input.ByRecoveryPointArn)
        && (input.ByResourceArn === undefined || job.recoveryPoint.resourceArn === input.ByResourceArn)
        && (input.ByResourceType === undefined || job.recoveryPoint.resourceType === input.ByResourceType)
        && (input.ByAccountId === undefined || input.ByAccountId === this.home.account))
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((job) => this.DescribeScanJob({ ScanJobId: job.id }))
      .filter((job) => (input.ByState === undefined || job.State === input.ByState)
        && (input.ByScanResultStatus === undefined || (job.ScanResult as { ScanResultStatus?: string } | undefined)?.ScanResultStatus === input.ByScanResultStatus)
        && inRange((job.CompletionDate as Date | undefined)?.getTime(), input.ByCompleteAfter, input.ByCompleteBefore));
    const page = pageOf(input, matching);
    return { ScanJobs: page.items, NextToken: page.nextToken };
  }

  /** Whether AWS Backup's API finds the scan job (eventual consistency, job history). */
  private isKnown(job: ScanJobRecord): boolean {
    const view = scanJobView(job, this.home.now());
    return this.home.known(job.createdAt, view.done ? view.end : undefined);
  }
}
