/**
 * What a copy is checked for before StartCopyJob, where AWS Backup would
 * refuse it (or fail it after up to two hours of retries): its source in cold
 * storage or a continuous backup, and a copy into another account while the
 * Organization's cross-account backup is off (or the account is in no
 * Organization). What cannot be read now (throttling, a denied read) is left
 * to AWS Backup to judge: the copy starts, and AWS Backup's own message ends
 * it. The deploy-time handler and the CLI share it.
 */
import { BackupClient, DescribeGlobalSettingsCommand, DescribeRecoveryPointCommand } from '@aws-sdk/client-backup';
import { parseVaultArn } from '../../lib/core/arns';
import { crossAccountRefusal, sourceRefusals } from '../../lib/core/copy-job-rules';
import { describeError } from './errors';

/** The copy as checked: its source and destination. */
export interface CopyToCheck {
  readonly RecoveryPointArn: string;
  readonly SourceBackupVaultName: string;
  readonly DestinationBackupVaultArn: string;
}

/** Why the copy would not succeed, each naming its rule and AWS's page (empty: start it), and what could not be checked. */
export async function copyRefusals(client: BackupClient, copy: CopyToCheck, account: string | undefined): Promise<{ refusals: string[]; unchecked: string[] }> {
  const unchecked: string[] = [];
  let storageClass: string | undefined;
  try {
    storageClass = (await client.send(new DescribeRecoveryPointCommand({ BackupVaultName: copy.SourceBackupVaultName, RecoveryPointArn: copy.RecoveryPointArn }))).StorageClass;
  } catch (error) {
    unchecked.push(`the source recovery point's storage class (DescribeRecoveryPoint: ${describeError(error)})`);
  }
  const refusals = sourceRefusals(copy.RecoveryPointArn, storageClass);
  const destination = parseVaultArn(copy.DestinationBackupVaultArn);
  if (destination && account !== undefined && destination.account !== account) {
    const setting = await organizationSetting(client);
    if ('unreadable' in setting) unchecked.push(`the Organization's cross-account backup setting (DescribeGlobalSettings: ${setting.unreadable})`);
    else {
      const refusal = crossAccountRefusal(setting, destination.account);
      if (refusal) refusals.push(refusal);
    }
  }
  return { refusals, unchecked };
}

/** The Organization's cross-account backup setting, as far as this account can tell. */
async function organizationSetting(client: BackupClient): Promise<{ enabled?: boolean; outsideOrganization?: string } | { unreadable: string }> {
  try {
    const value = (await client.send(new DescribeGlobalSettingsCommand({}))).GlobalSettings?.isCrossAccountBackupEnabled;
    return { enabled: value === undefined ? undefined : value === 'true' };
  } catch (error) {
    // AWS documents an error for an account outside an Organization (InvalidRequestException).
    if ((error as { name?: string }).name === 'InvalidRequestException') return { outsideOrganization: (error as Error).message };
    return { unreadable: describeError(error) };
  }
}
