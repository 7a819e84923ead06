/**
 * The stand-in's account-wide settings: DescribeGlobalSettings, whose
 * `isCrossAccountBackupEnabled` says whether the Organization's management
 * account turned cross-account backup on. An account outside an Organization
 * is refused (InvalidRequestException), as AWS documents it.
 */
import type { BackupAccount } from './account';
import { ServedOperations, unscoped } from './authorization';
import { ServiceError } from './errors';

/** Cross-account backup as the account sees it: on, off, or the account is in no Organization. */
export type CrossAccountBackup = 'enabled' | 'disabled' | 'not-in-organization';

export class GlobalSettings {
  /** A scenario switch. @default enabled (the stand-in's copies across accounts succeed) */
  public crossAccountBackup: CrossAccountBackup = 'enabled';
  private updatedAt: number;

  public readonly operations: ServedOperations = {
    DescribeGlobalSettings: { serve: () => this.DescribeGlobalSettings(), iam: () => unscoped('backup:DescribeGlobalSettings') },
  };

  constructor(private readonly home: BackupAccount) {
    this.updatedAt = home.now();
  }

  public DescribeGlobalSettings(): Record<string, unknown> {
    if (this.crossAccountBackup === 'not-in-organization') {
      throw new ServiceError('InvalidRequestException', `Account ${this.home.account} is not a member of an AWS Organization`);
    }
    return { GlobalSettings: { isCrossAccountBackupEnabled: this.crossAccountBackup === 'enabled' ? 'true' : 'false' }, LastUpdateTime: new Date(this.updatedAt) };
  }
}
