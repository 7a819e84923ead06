/**
 * The rules a scan job's settings must follow, as pure functions: the types
 * AWS Backup scans, an incremental scan's base, and the timeout. The ScanJob
 * construct calls them at synth time and the CLI before it calls AWS.
 */
import { quoted, ValidationResult } from './messages';
import { timeoutErrors } from './timing';

/** The resource types AWS Backup scans for malware (the API model's ScanResourceType). */
export const SCANNED_RESOURCE_TYPES: readonly string[] = ['EBS', 'EC2', 'S3'];

/** The settings of one scan job. Leave out what is unknown (tokens). */
export interface ScanJobSettings {
  readonly resourceType?: string;
  readonly recoveryPointArn?: string;
  readonly baseRecoveryPointArn?: string;
  /** The resource type of the base recovery point, when known. */
  readonly baseResourceType?: string;
  readonly timeoutSeconds?: number;
}

/** How each scan setting is called where it was given. */
export interface ScanSettingNames {
  readonly resourceType: string;
  readonly baseRecoveryPointArn: string;
  readonly timeoutSeconds: string;
}

/** The names of the `ScanJob` construct's props. */
export const SCAN_CONSTRUCT_SETTING_NAMES: ScanSettingNames = {
  resourceType: 'recoveryPoint.resourceType',
  baseRecoveryPointArn: 'incrementalFrom',
  timeoutSeconds: 'timeout',
};

/** Checks a scan job's settings against AWS Backup's rules and ours. */
export function validateScanJob(settings: ScanJobSettings, names: ScanSettingNames = SCAN_CONSTRUCT_SETTING_NAMES): ValidationResult {
  const errors: string[] = [];
  if (settings.resourceType !== undefined && !SCANNED_RESOURCE_TYPES.includes(settings.resourceType)) {
    errors.push(`${names.resourceType} (${quoted(settings.resourceType)}) cannot be scanned for malware: AWS Backup scans ${SCANNED_RESOURCE_TYPES.join(', ')} recovery points`);
  }
  const base = settings.baseRecoveryPointArn;
  if (base !== undefined && settings.recoveryPointArn !== undefined && base === settings.recoveryPointArn) {
    errors.push(`${names.baseRecoveryPointArn} (${quoted(base)}) must be an earlier recovery point of the same resource, not the one scanned`);
  }
  if (settings.baseResourceType !== undefined && settings.resourceType !== undefined && settings.baseResourceType !== settings.resourceType) {
    errors.push(`${names.baseRecoveryPointArn} is a ${settings.baseResourceType} recovery point and the one scanned ${settings.resourceType}: an incremental scan compares two recovery points of the same resource`);
  }
  errors.push(...timeoutErrors(settings.timeoutSeconds, names.timeoutSeconds));
  return { errors, warnings: [] };
}
