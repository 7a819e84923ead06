/**
 * The contract of the scan job kind (a malware scan of a recovery point with
 * GuardDuty): the Custom::ScanJob (and its long wait's Custom::ScanJobResult)
 * resource type, the properties the ScanJob construct renders, the attributes
 * its handler answers with, the mapping from a scan's settings to the
 * StartScanJob request (used by the construct and the CLI), and how the
 * handler reads the properties back.
 */
import { AttributesOf, Delivered, dropUndefined, JobContract, optionalString, parseWaitSpec, requiredString, WaitProperties, WaitSpec } from './properties';

/** How much of the recovery point a scan reads: all of it, or what changed since a base recovery point. */
export type ScanModeName = 'FULL_SCAN' | 'INCREMENTAL_SCAN';

/** What StartScanJob is asked (but its idempotency token): as the construct renders it, and as the handler sends it once parsed. */
export interface ScanJobRequestProperties {
  readonly RecoveryPointArn: string;
  readonly BackupVaultName: string;
  /** The role AWS Backup assumes for the scan. */
  readonly IamRoleArn: string;
  /** The role GuardDuty assumes to read the recovery point. */
  readonly ScannerRoleArn: string;
  readonly MalwareScanner: 'GUARDDUTY';
  readonly ScanMode: ScanModeName;
  /** The recovery point an incremental scan compares with. */
  readonly ScanBaseRecoveryPointArn?: string;
}

/** The properties of a Custom::ScanJob: the request, and how the handler waits. */
export interface ScanJobResourceProperties extends ScanJobRequestProperties, WaitProperties {
  readonly ResourceType: string;
  readonly Trigger?: string;
}

/**
 * The attributes of a Custom::ScanJob, as DescribeScanJob names them (the
 * result's status read out of `ScanResult`).
 */
const SCAN_JOB_ATTRIBUTES = {
  text: ['ScanJobId', 'ScanResultStatus', 'State', 'StatusMessage', 'RecoveryPointArn', 'ResourceType', 'ScanMode'],
  dates: ['CreationDate', 'CompletionDate'],
  bytes: [],
} as const;

/** The attributes of a Custom::ScanJob (all strings, all always present). */
export type ScanJobAttributes = AttributesOf<typeof SCAN_JOB_ATTRIBUTES>;

export const SCAN_JOB: JobContract<ScanJobResourceProperties, ScanJobAttributes> = {
  resourceType: 'Custom::ScanJob',
  kind: 'scan',
  result: { resourceType: 'Custom::ScanJobResult' },
  attributes: SCAN_JOB_ATTRIBUTES,
  idAttribute: 'ScanJobId',
};

/** The results a scan may end with; any result but `NO_THREATS_FOUND` stops the deploy. */
export const CLEAN_SCAN_RESULT = 'NO_THREATS_FOUND';

/** A scan as a user asks for it (the construct's props, the CLI's options). A value may be a token. */
export interface ScanRequest {
  readonly recoveryPointArn: string;
  readonly backupVaultName: string;
  readonly iamRoleArn: string;
  readonly scannerRoleArn: string;
  /** @default - a full scan */
  readonly baseRecoveryPointArn?: string;
}

/** The StartScanJob request for a scan: the one mapping from settings to the API, used by the construct and the CLI. */
export function scanJobRequest(request: ScanRequest): ScanJobRequestProperties {
  return dropUndefined({
    RecoveryPointArn: request.recoveryPointArn,
    BackupVaultName: request.backupVaultName,
    IamRoleArn: request.iamRoleArn,
    ScannerRoleArn: request.scannerRoleArn,
    MalwareScanner: 'GUARDDUTY' as const,
    ScanMode: request.baseRecoveryPointArn === undefined ? 'FULL_SCAN' as const : 'INCREMENTAL_SCAN' as const,
    ScanBaseRecoveryPointArn: request.baseRecoveryPointArn,
  });
}

/** The scan properties as the handler uses them. */
export interface ScanJobSpec extends WaitSpec {
  readonly start: ScanJobRequestProperties;
  readonly resourceType: string;
}

/** Reads the scan job resource's properties. Throws, naming the property, on a malformed one. */
export function parseScanJobProperties(raw: Delivered<ScanJobResourceProperties>): ScanJobSpec {
  const mode = requiredString(raw, 'ScanMode');
  if (mode !== 'FULL_SCAN' && mode !== 'INCREMENTAL_SCAN') throw new Error(`ScanMode (${mode}) must be FULL_SCAN or INCREMENTAL_SCAN`);
  const scanner = requiredString(raw, 'MalwareScanner');
  if (scanner !== 'GUARDDUTY') throw new Error(`MalwareScanner (${scanner}) must be GUARDDUTY`);
  return {
    ...parseWaitSpec(raw),
    start: dropUndefined({
      RecoveryPointArn: requiredString(raw, 'RecoveryPointArn'),
      BackupVaultName: requiredString(raw, 'BackupVaultName'),
      IamRoleArn: requiredString(raw, 'IamRoleArn'),
      ScannerRoleArn: requiredString(raw, 'ScannerRoleArn'),
      MalwareScanner: scanner,
      ScanMode: mode,
      ScanBaseRecoveryPointArn: optionalString(raw, 'ScanBaseRecoveryPointArn'),
    }),
    resourceType: requiredString(raw, 'ResourceType'),
  };
}
