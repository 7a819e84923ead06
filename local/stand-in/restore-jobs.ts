/**
 * The stand-in's restore jobs: GetRecoveryPointRestoreMetadata,
 * StartRestoreJob, DescribeRestoreJob and ListRestoreJobs as AWS Backup
 * answers them, each restore following its state machine
 * (restore-job-states.ts). A DynamoDB restore creates its target table, and
 * fails when the name is taken. PutRestoreValidationResult records a
 * validation of a completed restore (or, a scenario switch, refuses one that
 * no restore testing plan started: AWS does not document which).
 */
import { randomUUID } from 'crypto';
import type { BackupAccount } from './account';
import { passRole, ServedOperations, unscoped } from './authorization';
import type { BackupJobRecord } from './backup-job-states';
import type { DynamoDbTables } from './dynamodb-tables';
import { requireRoleArn, ServiceError } from './errors';
import { inRange, pageOf } from './pages';
import { RestoreJobRecord, restoreJobView, RestoreScenario } from './restore-job-states';

/** Where restores find a completed recovery point (a backup's, or a copy's in this Region). */
export type CompletedRecoveryPoints = (recoveryPointArn: string, vaultName?: string) => BackupJobRecord;

export class RestoreJobs {
  private readonly restoreJobs = new Map<string, RestoreJobRecord>();
  private readonly restoreTokens = new Map<string, string>();
  private readonly restoreScenarios = new Map<string, RestoreScenario>();
  private readonly nextRestoreScenarios: RestoreScenario[] = [];
  private readonly validations = new Map<string, { status: string; message?: string }[]>();
  /**
   * Whether AWS records a validation result for a restore that no restore
   * testing plan started (not documented): `recorded`, or `refused` with
   * InvalidRequestException. A scenario switch. @default recorded
   */
  public validationOfOnDemandRestores: 'recorded' | 'refused' = 'recorded';

  /** The operations of restore jobs, and what IAM authorizes for each. */
  public readonly operations: ServedOperations = {
    GetRecoveryPointRestoreMetadata: {
      serve: (input) => this.GetRecoveryPointRestoreMetadata(input),
      iam: (input) => [{ action: 'backup:GetRecoveryPointRestoreMetadata', resource: String(input.RecoveryPointArn) }],
    },
    StartRestoreJob: {
      serve: (input) => this.StartRestoreJob(input),
      iam: (input) => [{ action: 'backup:StartRestoreJob', resource: String(input.RecoveryPointArn) }, ...passRole(input.IamRoleArn)],
    },
    // No resource-level permissions.
    DescribeRestoreJob: { serve: (input) => this.DescribeRestoreJob(input), iam: () => unscoped('backup:DescribeRestoreJob') },
    ListRestoreJobs: { serve: (input) => this.ListRestoreJobs(input), iam: () => unscoped('backup:ListRestoreJobs') },
    // Assumed without resource-level permissions (a grant on '*' holds either way).
    PutRestoreValidationResult: { serve: (input) => this.PutRestoreValidationResult(input), iam: () => unscoped('backup:PutRestoreValidationResult') },
  };

  constructor(private readonly home: BackupAccount, private readonly recoveryPoint: CompletedRecoveryPoints, private readonly tables: DynamoDbTables) {}

  /** Restores of this recovery point behave so. */
  public onRestoreOf(recoveryPointArn: string, scenario: RestoreScenario): void {
    this.restoreScenarios.set(recoveryPointArn, scenario);
  }

  /** The next restore started (of any recovery point) behaves so (queued). */
  public onNextRestore(scenario: RestoreScenario): void {
    this.nextRestoreScenarios.push(scenario);
  }

  /** Every restore job: its id, token, the table it creates (DynamoDB), its status now, when it was created. */
  public restoreRecords(): { id: string; token?: string; table?: string; status: string; createdAt: number }[] {
    const now = this.home.now();
    return [...this.restoreJobs.values()].map((job) => ({ id: job.id, token: job.token, table: job.table, status: restoreJobView(job, now).status, createdAt: job.createdAt }));
  }

  /** A restore's status now, if there is such a restore. */
  public status(restoreJobId: string): string | undefined {
    const job = this.restoreJobs.get(restoreJobId);
    return job && restoreJobView(job, this.home.now()).status;
  }

  /** The validation results recorded for a restore, oldest first. */
  public validationsOf(restoreJobId: string): readonly { status: string; message?: string }[] {
    return this.validations.get(restoreJobId) ?? [];
  }

  public PutRestoreValidationResult(input: Record<string, any>): Record<string, unknown> {
    const status = this.status(input.RestoreJobId);
    const job = this.restoreJobs.get(input.RestoreJobId);
    if (!job || !status || !this.isKnown(job)) throw new ServiceError('ResourceNotFoundException', `Restore job ${input.RestoreJobId} not found`);
    if (status !== 'COMPLETED') throw new ServiceError('InvalidRequestException', `Restore job ${input.RestoreJobId} is ${status}: only a completed restore is validated`);
    if (this.validationOfOnDemandRestores === 'refused') {
      throw new ServiceError('InvalidRequestException', `Restore job ${input.RestoreJobId} was not started by a restore testing plan`);
    }
    this.validations.set(job.id, [...this.validationsOf(job.id), { status: input.ValidationStatus, message: input.ValidationStatusMessage }]);
    return {};
  }

  public GetRecoveryPointRestoreMetadata(input: Record<string, any>): Record<string, unknown> {
    const vault = this.home.requireVault(input.BackupVaultName);
    const job = this.recoveryPoint(input.RecoveryPointArn, input.BackupVaultName);
    return { BackupVaultArn: vault.arn, RecoveryPointArn: job.recoveryPointArn, ResourceType: job.resourceType, RestoreMetadata: restoreMetadataOf(job) };
  }

  public StartRestoreJob(input: Record<string, any>): Record<string, unknown> {
    if (input.IdempotencyToken && this.restoreTokens.has(input.IdempotencyToken)) {
      return { RestoreJobId: this.restoreTokens.get(input.IdempotencyToken) };
    }
    const job = this.recoveryPoint(input.RecoveryPointArn);
    if (input.IamRoleArn !== undefined) requireRoleArn(input.IamRoleArn);
    const metadata = input.Metadata as Record<string, string>;
    const id = randomUUID().toUpperCase();
    let scenario: RestoreScenario = this.nextRestoreScenarios.shift() ?? this.restoreScenarios.get(job.recoveryPointArn) ?? {};
    let createdResourceArn: string;
    let table: string | undefined;
    if (job.resourceType === 'DynamoDB') {
      // Restore metadata keys are read without regard to case.
      const target = Object.entries(metadata).find(([k]) => k.toLowerCase() === 'targettablename')?.[1];
      if (!target) {
        throw new ServiceError('InvalidParameterValueException', 'Restore metadata for DynamoDB must contain targetTableName');
      }
      createdResourceArn = `arn:aws:dynamodb:${this.home.region}:${this.home.account}:table/${target}`;
      if (this.tables.tableStatus(target)) {
        scenario = { outcome: 'FAILED', statusMessage: `Table already exists: ${target}`, pendingSeconds: 5, durationSeconds: 1 };
      } else {
        this.tables.restoring(target, id);
        table = target;
      }
    } else {
      for (const key of ['newFileSystem', 'Encrypted', 'NewBucket']) {
        const value = Object.entries(metadata).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
        if (value !== undefined && value !== 'true' && value !== 'false') {
          throw new ServiceError('InvalidParameterValueException', `Invalid restore metadata: ${key} must be true or false, not ${value}`);
        }
      }
      createdResourceArn = `${job.resourceArn}-restored-${this.restoreJobs.size + 1}`;
    }
    this.restoreJobs.set(id, {
      id,
      token: input.IdempotencyToken,
      recoveryPointArn: job.recoveryPointArn,
      sourceJob: job,
      metadata,
      roleArn: input.IamRoleArn,
      resourceType: input.ResourceType ?? job.resourceType,
      createdAt: this.home.now(),
      scenario: { outcome: 'COMPLETED', pendingSeconds: 5, durationSeconds: 60, ...scenario },
      createdResourceArn,
      table,
    });
    if (input.IdempotencyToken) this.restoreTokens.set(input.IdempotencyToken, id);
    return { RestoreJobId: id };
  }

  public ListRestoreJobs(input: Record<string, any>): Record<string, unknown> {
    const matching = [...this.restoreJobs.values()]
      .filter((job) => this.isKnown(job) && inRange(job.createdAt, input.ByCreatedAfter, input.ByCreatedBefore)
        && (input.ByResourceType === undefined || job.resourceType === input.ByResourceType)
        && (input.ByAccountId === undefined || input.ByAccountId === this.home.account))
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((job) => this.DescribeRestoreJob({ RestoreJobId: job.id }))
      .filter((job) => input.ByStatus === undefined || job.Status === input.ByStatus);
    const page = pageOf(input, matching);
    return { RestoreJobs: page.items, NextToken: page.nextToken };
  }

  /** Whether AWS Backup's API finds the restore job (eventual consistency, job history). */
  private isKnown(job: RestoreJobRecord): boolean {
    const view = restoreJobView(job, this.home.now());
    return this.home.known(job.createdAt, view.done ? view.end : undefined);
  }

  public DescribeRestoreJob(input: Record<string, any>): Record<string, unknown> {
    const job = this.restoreJobs.get(input.RestoreJobId);
    if (!job || !this.isKnown(job)) throw new ServiceError('ResourceNotFoundException', `Restore job ${input.RestoreJobId} not found`);
    const s = job.scenario;
    const { status, percent, done, end } = restoreJobView(job, this.home.now());
    return {
      AccountId: this.home.account,
      RestoreJobId: job.id,
      RecoveryPointArn: job.recoveryPointArn,
      SourceResourceArn: job.sourceJob.resourceArn,
      BackupVaultArn: this.home.vault(job.sourceJob.vaultName)?.arn,
      CreationDate: new Date(job.createdAt),
      CompletionDate: done ? new Date(end) : undefined,
      Status: status,
      StatusMessage: done ? s.statusMessage : undefined,
      PercentDone: `${percent}.0`,
      BackupSizeInBytes: job.sourceJob.scenario.sizeBytes,
      IamRoleArn: job.roleArn,
      ExpectedCompletionTimeMinutes: Math.ceil((s.pendingSeconds + s.durationSeconds) / 60),
      CreatedResourceArn: done && status === 'COMPLETED' ? job.createdResourceArn : undefined,
      ResourceType: job.resourceType,
      RecoveryPointCreationDate: new Date(job.sourceJob.createdAt),
    };
  }
}

/** What GetRecoveryPointRestoreMetadata answers for a recovery point of a type. */
function restoreMetadataOf(job: BackupJobRecord): Record<string, string> {
  const name = job.resourceArn.split(/[/:]/).pop() ?? '';
  switch (job.resourceType) {
    case 'DynamoDB':
      return { originalTableName: name, targetTableName: name, encryptionType: 'Default' };
    case 'EFS':
      return { 'file-system-id': name, Encrypted: 'false', PerformanceMode: 'generalPurpose', newFileSystem: 'true', CreationToken: name };
    case 'S3':
      return { DestinationBucketName: name, NewBucket: 'false', Encrypted: 'false' };
    default:
      return { ResourceName: name };
  }
}
