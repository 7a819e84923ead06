/**
 * The stand-in's copy jobs: StartCopyJob, DescribeCopyJob and ListCopyJobs as
 * AWS Backup answers them, each copy following its state machine
 * (copy-job-states.ts). Copies go to vaults of this account and Region, or of
 * others (a test makes those, with the accounts their access policy lets copy
 * in); a copy lives in its destination's Region and is found only there.
 */
import { randomUUID } from 'crypto';
import { parseArn, parseVaultArn } from '../../lib/core/arns';
import type { BackupAccount } from './account';
import { passRole, ServedOperations, unscoped } from './authorization';
import type { BackupJobRecord } from './backup-job-states';
import { CopyArnVisibility, CopyJobRecord, copyJobView, CopyScenario } from './copy-job-states';
import { requireLifecycle, requireRoleArn, ServiceError } from './errors';
import { inRange, pageOf } from './pages';
import type { GlobalSettings } from './global-settings';
import type { CompletedRecoveryPoints } from './restore-jobs';

export class CopyJobs {
  /** When DescribeCopyJob shows a copy's DestinationRecoveryPointArn (copy-job-states.ts). A copy keeps the one it was created under. */
  public copyArnVisibility: CopyArnVisibility = 'at-start';
  private readonly copyJobs = new Map<string, CopyJobRecord>();
  private readonly copyTokens = new Map<string, string>();
  private readonly nextCopyScenarios: CopyScenario[] = [];
  /** Vaults of other Regions or accounts that copies may go to, with the accounts their access policy lets copy in. */
  private readonly otherVaults = new Map<string, { allowCopyFrom: readonly string[] }>();

  /** The operations of copy jobs, and what IAM authorizes for each. */
  public readonly operations: ServedOperations = {
    // Authorized on the source recovery point; the destination vault's access policy is AWS Backup's to check as the copy runs.
    StartCopyJob: {
      serve: (input) => this.StartCopyJob(input),
      iam: (input) => [{ action: 'backup:StartCopyJob', resource: String(input.RecoveryPointArn) }, ...passRole(input.IamRoleArn)],
    },
    // No resource-level permissions.
    DescribeCopyJob: { serve: (input) => this.DescribeCopyJob(input), iam: () => unscoped('backup:DescribeCopyJob') },
    ListCopyJobs: { serve: (input) => this.ListCopyJobs(input), iam: () => unscoped('backup:ListCopyJobs') },
  };

  constructor(private readonly home: BackupAccount, private readonly recoveryPoint: CompletedRecoveryPoints, private readonly settings: GlobalSettings) {}

  /**
   * A vault in another Region or account, as a copy's destination. Its access
   * policy lets the accounts in `allowCopyFrom` copy in (the vault's own
   * account always may).
   */
  public createOtherVault(arn: string, options: { allowCopyFrom?: readonly string[] } = {}): string {
    this.otherVaults.set(arn, { allowCopyFrom: options.allowCopyFrom ?? [] });
    return arn;
  }

  /** The next copy started behaves so (queued). */
  public onNextCopy(scenario: CopyScenario): void {
    this.nextCopyScenarios.push(scenario);
  }

  /** An existing copy job behaves so from now on. */
  public onCopy(copyJobId: string, scenario: CopyScenario): void {
    const job = this.copyJobs.get(copyJobId);
    if (!job) throw new Error(`no copy job ${copyJobId}`);
    Object.assign(job.scenario, scenario);
  }

  /** Every copy job: its id, token, source and destination recovery points, state now. */
  public copyRecords(): { id: string; token?: string; sourceRecoveryPointArn: string; destinationRecoveryPointArn: string; destinationVaultArn: string; state: string; createdAt: number; deleted: boolean }[] {
    const now = this.home.now();
    return [...this.copyJobs.values()].map((job) => ({
      id: job.id, token: job.token, sourceRecoveryPointArn: job.source.recoveryPointArn, destinationRecoveryPointArn: job.destinationRecoveryPointArn,
      destinationVaultArn: job.destinationVaultArn, state: copyJobView(job, now).state, createdAt: job.createdAt, deleted: this.home.deletedRecoveryPoints.has(job.destinationRecoveryPointArn),
    }));
  }

  /** A copy in the Region of the request being served (copies live in their destination's Region) that exists (completed, not deleted). */
  public copyHere(recoveryPointArn: string): CopyJobRecord | undefined {
    const now = this.home.now();
    const copy = [...this.copyJobs.values()].find((job) => job.destinationRecoveryPointArn === recoveryPointArn
      && !this.home.deletedRecoveryPoints.has(recoveryPointArn) && ['COMPLETED', 'PARTIAL'].includes(copyJobView(job, now).state));
    return copy && parseArn(recoveryPointArn)?.region === this.home.requestRegion() ? copy : undefined;
  }

  /** A copy restored like the backup it copies, from its own vault (a copy into this account); undefined for another. */
  public asRecoveryPoint(recoveryPointArn: string, vaultName: string | undefined): BackupJobRecord | undefined {
    const copy = this.copyHere(recoveryPointArn);
    const destination = copy && parseVaultArn(copy.destinationVaultArn);
    if (!copy || destination?.account !== this.home.account || (vaultName !== undefined && destination.name !== vaultName)) return undefined;
    return { ...copy.source, recoveryPointArn: copy.destinationRecoveryPointArn, vaultName: destination.name };
  }

  /** Why AWS Backup ends a copy into another account, if it does: the Organization's settings, then the vault's access policy. */
  private crossAccountRefusal(allowCopyFrom: readonly string[]): string | undefined {
    if (this.settings.crossAccountBackup === 'not-in-organization') return 'Copy job failed. Both source and destination account must be a member of the same organization';
    if (this.settings.crossAccountBackup === 'disabled') return 'Copy job failed. Cross-account backup is not enabled for the organization';
    return allowCopyFrom.includes(this.home.account) ? undefined : 'Access Denied trying to call AWS Backup service';
  }

  public StartCopyJob(input: Record<string, any>): Record<string, unknown> {
    this.home.homeRegionOnly('StartCopyJob');
    if (input.IdempotencyToken && this.copyTokens.has(input.IdempotencyToken)) {
      const known = this.copyJobs.get(this.copyTokens.get(input.IdempotencyToken)!)!;
      return { CopyJobId: known.id, CreationDate: new Date(known.createdAt), IsParent: false };
    }
    const source = this.recoveryPoint(input.RecoveryPointArn, input.SourceBackupVaultName);
    const sourceVaultArn = this.home.requireVault(input.SourceBackupVaultName).arn;
    const destination = parseVaultArn(input.DestinationBackupVaultArn);
    if (!destination) throw new ServiceError('InvalidParameterValueException', `Invalid ARN for destination backup vault: ${input.DestinationBackupVaultArn}`);
    if (input.DestinationBackupVaultArn === sourceVaultArn) {
      throw new ServiceError('InvalidParameterValueException', 'The source and destination backup vaults must be different');
    }
    requireRoleArn(input.IamRoleArn);
    requireLifecycle(input.Lifecycle);
    const { region, account, name } = destination;
    const here = region === this.home.region && account === this.home.account;
    if (here) this.home.requireVault(name);
    const other = here ? undefined : this.otherVaults.get(input.DestinationBackupVaultArn);
    // Another Region's or account's vault is reached only as the copy runs: what stops it ends the job.
    const refused = this.home.coldRecoveryPoints.has(input.RecoveryPointArn) ? `Recovery point ${input.RecoveryPointArn} is in cold storage and cannot be copied`
      : here || this.home.acceptsAnyVault() ? undefined
        : !other ? `Backup vault ${input.DestinationBackupVaultArn} does not exist or cannot be accessed`
          : account !== this.home.account ? this.crossAccountRefusal(other.allowCopyFrom) : undefined;
    const scenario = this.nextCopyScenarios.shift() ?? {};
    const id = randomUUID().toUpperCase();
    const job: CopyJobRecord = {
      id,
      token: input.IdempotencyToken,
      source,
      sourceVaultArn,
      destinationVaultArn: input.DestinationBackupVaultArn,
      destinationRecoveryPointArn: `arn:aws:backup:${region}:${account}:recovery-point:${randomUUID().toUpperCase()}`,
      roleArn: input.IamRoleArn,
      lifecycle: input.Lifecycle,
      createdAt: this.home.now(),
      arnVisibility: this.copyArnVisibility,
      scenario: {
        createdSeconds: 5, durationSeconds: 60, outcome: 'COMPLETED', ...scenario,
        ...(refused ? { outcome: 'FAILED' as const, statusMessage: refused, durationSeconds: Math.min(scenario.durationSeconds ?? 5, 5) } : {}),
      },
    };
    this.copyJobs.set(id, job);
    if (input.IdempotencyToken) this.copyTokens.set(input.IdempotencyToken, id);
    return { CopyJobId: id, CreationDate: new Date(job.createdAt), IsParent: false };
  }

  public DescribeCopyJob(input: Record<string, any>): Record<string, unknown> {
    this.home.homeRegionOnly('DescribeCopyJob');
    const job = this.copyJobs.get(input.CopyJobId);
    if (!job || !this.isKnown(job)) throw new ServiceError('ResourceNotFoundException', `Copy job ${input.CopyJobId} not found`);
    return { CopyJob: this.describe(job, this.home.now()) };
  }

  public ListCopyJobs(input: Record<string, any>): Record<string, unknown> {
    this.home.homeRegionOnly('ListCopyJobs');
    const now = this.home.now();
    const matching = [...this.copyJobs.values()]
      .filter((job) => this.isKnown(job))
      .map((job) => this.describe(job, now) as Record<string, any>)
      .filter((d) => (input.ByResourceArn === undefined || d.ResourceArn === input.ByResourceArn)
        && (input.ByState === undefined || d.State === input.ByState)
        && inRange(d.CreationDate.getTime(), input.ByCreatedAfter, input.ByCreatedBefore)
        && (input.ByResourceType === undefined || d.ResourceType === input.ByResourceType)
        && (input.ByDestinationVaultArn === undefined || d.DestinationBackupVaultArn === input.ByDestinationVaultArn)
        && (input.ByAccountId === undefined || input.ByAccountId === this.home.account)
        && inRange(d.CompletionDate?.getTime(), input.ByCompleteAfter, input.ByCompleteBefore)
        && (input.ByParentJobId === undefined || false)
        && (input.ByMessageCategory === undefined || ['*', 'AGGREGATE_ALL'].includes(input.ByMessageCategory) || d.MessageCategory === input.ByMessageCategory)
        && (input.BySourceRecoveryPointArn === undefined || d.SourceRecoveryPointArn === input.BySourceRecoveryPointArn))
      .sort((a, b) => b.CreationDate.getTime() - a.CreationDate.getTime());
    const page = pageOf(input, matching);
    return { CopyJobs: page.items, NextToken: page.nextToken };
  }

  /** Whether AWS Backup's API finds the copy job (eventual consistency, job history). */
  private isKnown(job: CopyJobRecord): boolean {
    const view = copyJobView(job, this.home.now());
    return this.home.known(job.createdAt, view.done ? view.end : undefined);
  }

  private describe(job: CopyJobRecord, now: number): Record<string, unknown> {
    const view = copyJobView(job, now);
    const completed = view.done && view.state !== 'FAILED';
    const shown = job.arnVisibility === 'at-start' || completed;
    return {
      AccountId: this.home.account,
      CopyJobId: job.id,
      SourceBackupVaultArn: job.sourceVaultArn,
      SourceRecoveryPointArn: job.source.recoveryPointArn,
      DestinationBackupVaultArn: job.destinationVaultArn,
      DestinationVaultType: 'BACKUP_VAULT',
      DestinationRecoveryPointArn: shown ? job.destinationRecoveryPointArn : undefined,
      DestinationRecoveryPointLifecycle: job.lifecycle,
      ResourceArn: job.source.resourceArn,
      ResourceType: job.source.resourceType,
      ResourceName: job.source.resourceArn.split(/[/:]/).pop(),
      CreationDate: new Date(job.createdAt),
      CompletionDate: view.done ? new Date(view.end) : undefined,
      State: view.state,
      StatusMessage: view.done ? job.scenario.statusMessage : undefined,
      BackupSizeInBytes: job.source.scenario.sizeBytes,
      IamRoleArn: job.roleArn,
      IsParent: false,
      MessageCategory: view.done ? (view.state === 'COMPLETED' ? 'SUCCESS' : view.state) : undefined,
    };
  }
}
