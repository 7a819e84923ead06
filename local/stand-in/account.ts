/**
 * What every kind of job of the stand-in shares: the account and Region it
 * plays, its clock, its vaults, the recovery points deleted, and the Region of
 * the request being served (jobs are regional).
 */
import { randomUUID } from 'crypto';
import { ServiceError } from './errors';

/** What time it is for the stand-in (milliseconds); tests and the simulation move it. */
export interface Clock {
  now(): number;
}

export interface Vault {
  readonly name: string;
  readonly arn: string;
  /** The KMS key its recovery points are encrypted with (an AWS managed key). */
  readonly encryptionKeyArn: string;
}

export class BackupAccount {
  /**
   * The Region of the request being served (from its SigV4 credential scope),
   * set by the server: a job or recovery point of another Region is found only there.
   */
  public callerRegion?: string;
  /** The recovery points deleted (a backup's or a copy's). */
  public readonly deletedRecoveryPoints = new Set<string>();
  /** The recovery points moved to cold storage (a lifecycle's doing): AWS Backup does not copy them. */
  public readonly coldRecoveryPoints = new Set<string>();
  /**
   * How long a new job stays unknown to Describe and List calls (AWS Backup's
   * eventual consistency: users report a job not found right after its
   * start). A scenario switch. @default 0
   */
  public newJobsHiddenForSeconds = 0;
  /**
   * How long AWS Backup keeps a finished job's history: Describe and List calls
   * do not find a job that ended longer ago. Not documented in one place
   * (never rely on a Describe of an old job): a scenario switch. @default - for ever
   */
  public jobHistorySeconds?: number;
  private readonly vaults = new Map<string, Vault>();

  constructor(public readonly clock: Clock, public readonly region: string, public readonly account: string, private readonly anyVault: boolean) {}

  public now(): number {
    return this.clock.now();
  }

  public createVault(name: string): string {
    const arn = this.vaultArnOf(name);
    this.vaults.set(name, { name, arn, encryptionKeyArn: `arn:aws:kms:${this.region}:${this.account}:key/${randomUUID()}` });
    return arn;
  }

  /** The ARN of a vault of this account and Region by its name (whether it exists or not). */
  public vaultArnOf(name: string): string {
    return `arn:aws:backup:${this.region}:${this.account}:backup-vault:${name}`;
  }

  /** A vault of this account and Region, if it exists. */
  public vault(name: string): Vault | undefined {
    return this.vaults.get(name);
  }

  /** A vault that must exist (with `anyVault`, any name does); AWS Backup's refusal otherwise. */
  public requireVault(name: string): Vault {
    if (!this.vaults.has(name) && this.anyVault) this.createVault(name);
    const vault = this.vaults.get(name);
    if (!vault) throw new ServiceError('ResourceNotFoundException', `Backup vault ${name} does not exist`);
    return vault;
  }

  /** Whether any vault of this name is accepted. */
  public acceptsAnyVault(): boolean {
    return this.anyVault;
  }

  /** Whether an ARN is one of this account's vaults. */
  public isVaultArn(arn: string): boolean {
    return [...this.vaults.values()].some((v) => v.arn === arn);
  }

  /** Whether Describe and List calls find a job created and ended (if it did) at these moments: not just after its start, nor once its history is gone. */
  public known(createdAt: number, endedAt?: number): boolean {
    const now = this.now();
    return now >= createdAt + this.newJobsHiddenForSeconds * 1000
      && (endedAt === undefined || this.jobHistorySeconds === undefined || now <= endedAt + this.jobHistorySeconds * 1000);
  }

  /** The Region of the request being served. */
  public requestRegion(): string {
    return this.callerRegion ?? this.region;
  }

  /** Jobs are regional: a client of another Region does not find this Region's. */
  public homeRegionOnly(operation: string): void {
    if (this.callerRegion !== undefined && this.callerRegion !== this.region) {
      throw new ServiceError('ResourceNotFoundException', `${operation}: no such job in ${this.callerRegion} (the stand-in's jobs are in ${this.region})`);
    }
  }
}
