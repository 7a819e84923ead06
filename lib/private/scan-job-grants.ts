/**
 * What the provider's handlers may do for the scan job kind: start a malware
 * scan of a recovery point (and of its base, for an incremental scan), read
 * scan jobs, and pass AWS Backup's scan role and GuardDuty's scanner role.
 */
import { resourceTypeInfo } from '../core/resource-types';
import type { Grant } from './grants';
import type { JobProvider } from './provider';
import { grantOnRecoveryPoint, RecoveryPointSource } from './recovery-point-arns';

/**
 * Lets the handlers scan recovery points of a type (StartScanJob) with a scan
 * role and a scanner role: the recovery point itself when its ARN is known at
 * synth, else the type's recovery points in this account and region (AWS
 * Backup's own ones, when a BackupJob of this stack makes it, only with the
 * stack's owner tag).
 */
export function grantStartScanJob(provider: JobProvider, resourceType: string, roles: { scan: Grant; scanner: Grant }, recoveryPoints: readonly RecoveryPointSource[]): void {
  const info = resourceTypeInfo(resourceType);
  if (!info) return;
  for (const recoveryPoint of recoveryPoints) grantOnRecoveryPoint(provider, { all: 'ScanRecoveryPoints', own: 'ScanOwnRecoveryPoints' }, ['backup:StartScanJob'], info, recoveryPoint);
  // DescribeScanJob and ListScanJobs do not support resource-level permissions.
  provider.grantOnAnything('ReadScanJobs', ['backup:DescribeScanJob', 'backup:ListScanJobs']);
  provider.grantPassRole(roles.scan, 'scan');
  // Passed with StartScanJob; AWS Backup's scan role then passes it on to GuardDuty.
  provider.grantPassRole(roles.scanner, 'scanner', ['backup.amazonaws.com', 'malware-protection.guardduty.amazonaws.com']);
}
