import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { formatErrors } from './core/messages';
import { SCAN_JOB, ScanJobResourceProperties, scanJobRequest } from './core/scan-job-contract';
import { validateScanJob } from './core/scan-job-rules';
import { DEFAULT_TIMEOUT_SECONDS } from './core/timing';
import { known } from './private/durations';
import { renderJob, waitProperties } from './private/job-resource';
import { JobProvider } from './private/provider';
import { grantStartScanJob } from './private/scan-job-grants';
import { newScannerRole, newScanRole, passRoleGrant } from './private/service-roles';
import { regionErrors, sourceOf, waitForMakers } from './private/recovery-point-use';
import { RecoveryPoint } from './recovery-point';

/** Properties of a {@link ScanJob}. */
export interface ScanJobProps {
  /** What to scan, e.g. `RecoveryPoint.fromBackupJob(job)`: an EBS, EC2 or S3 recovery point. */
  readonly recoveryPoint: RecoveryPoint;

  /**
   * Scan only what changed since this earlier recovery point of the same
   * resource (an incremental scan).
   *
   * @default - a full scan
   */
  readonly incrementalFrom?: RecoveryPoint;

  /**
   * The role AWS Backup assumes for the scan (it passes the scanner role on to GuardDuty).
   *
   * @default - a new role for backup.amazonaws.com with AWSBackupServiceRolePolicyForScans
   */
  readonly scanRole?: iam.IRole;

  /**
   * The role GuardDuty Malware Protection assumes to read the recovery point.
   *
   * @default - a new role for malware-protection.guardduty.amazonaws.com with AWSBackupGuardDutyRolePolicyForScans
   */
  readonly scannerRole?: iam.IRole;

  /**
   * Any string; a new scan is made whenever it changes.
   *
   * @default - a new scan only when another property changes
   */
  readonly trigger?: string;

  /**
   * Wait for the scan to end before the deployment goes on. When false, the
   * resource is complete once the scan job is started (and nothing waits for its result).
   *
   * @default true
   */
  readonly waitForCompletion?: boolean;

  /**
   * How long the deployment waits for the scan before it fails (AWS Backup
   * cannot stop a scan job: it goes on). Whole seconds, from one minute to 12
   * hours. A timeout given as a token (a parameter) may be at most 58 minutes.
   *
   * @default Duration.minutes(58)
   */
  readonly timeout?: Duration;
}

/**
 * A malware scan of a recovery point with Amazon GuardDuty, run during
 * `cdk deploy`: StartScanJob, and the deployment waits until the scan ends.
 * NO_THREATS_FOUND completes the resource; THREATS_FOUND fails the deploy, so
 * what depends on the scan (the migration) never runs on an infected backup.
 * COMPLETED_WITH_ISSUES with no threats found completes (what could be scanned
 * was clean); FAILED and CANCELED fail with AWS Backup's message.
 *
 * @example
 * const scan = new ScanJob(this, 'SnapshotScan', {
 *   recoveryPoint: RecoveryPoint.fromBackupJob(snapshot),
 * });
 * migration.node.addDependency(scan);
 */
export class ScanJob extends Construct {
  /** The id of the scan job. */
  public readonly scanJobId: string;
  /** The scan's result: NO_THREATS_FOUND when waited for (empty when not). */
  public readonly scanResultStatus: string;
  /** The scan's state when the resource completed (COMPLETED or COMPLETED_WITH_ISSUES when waited for). */
  public readonly state: string;
  /** AWS Backup's status message for the scan (often empty). */
  public readonly statusMessage: string;
  /** When the scan job was created (ISO 8601). */
  public readonly creationDate: string;
  /** When the scan job completed (ISO 8601; empty when not waited for). */
  public readonly completionDate: string;
  /** The role AWS Backup assumes for the scan. */
  public readonly scanRole: iam.IRole;
  /** The role GuardDuty assumes to read the recovery point. */
  public readonly scannerRole: iam.IRole;
  /** What is scanned. */
  public readonly recoveryPoint: RecoveryPoint;

  constructor(scope: Construct, id: string, props: ScanJobProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
    const recoveryPoint = props.recoveryPoint;
    const base = props.incrementalFrom;
    const result = validateScanJob({
      resourceType: recoveryPoint.resourceType,
      recoveryPointArn: known(recoveryPoint.recoveryPointArn),
      baseRecoveryPointArn: known(base?.recoveryPointArn),
      baseResourceType: base?.resourceType,
      timeoutSeconds: timeout.isUnresolved() ? undefined : timeout.toSeconds({ integral: false }),
    });
    const errors = [...result.errors];
    // The rules compare ARNs known at synth; the same recovery point given twice is the same one as a token too.
    if (base === recoveryPoint && Token.isUnresolved(recoveryPoint.recoveryPointArn)) {
      errors.push('incrementalFrom must be an earlier recovery point of the same resource, not the one scanned');
    }
    errors.push(...regionErrors(this, recoveryPoint, 'scan'));
    if (errors.length > 0) throw new Error(formatErrors(`ScanJob ${this.node.path}`, errors));

    this.recoveryPoint = recoveryPoint;
    this.scanRole = props.scanRole ?? newScanRole(this);
    this.scannerRole = props.scannerRole ?? newScannerRole(this);

    const provider = JobProvider.getOrCreate(this);
    const points = [recoveryPoint, ...(base ? [base] : [])];
    grantStartScanJob(provider, recoveryPoint.resourceType, { scan: passRoleGrant(this.scanRole), scanner: passRoleGrant(this.scannerRole) },
      points.map((point) => sourceOf(this, point)));

    const properties: ScanJobResourceProperties = {
      ...scanJobRequest({
        recoveryPointArn: recoveryPoint.recoveryPointArn,
        backupVaultName: recoveryPoint.backupVault.backupVaultName,
        iamRoleArn: this.scanRole.roleArn,
        scannerRoleArn: this.scannerRole.roleArn,
        baseRecoveryPointArn: base?.recoveryPointArn,
      }),
      ResourceType: recoveryPoint.resourceType,
      Trigger: props.trigger,
      // A scan makes nothing to delete, and cannot end PARTIAL.
      ...waitProperties({ waitForCompletion: props.waitForCompletion }, timeout.toSeconds(), undefined),
    };
    const { resource, attribute } = renderJob(this, provider, SCAN_JOB, properties);
    // The scan waits for what it scans (and its base).
    waitForMakers(resource, points);
    if (props.scanRole) resource.node.addDependency(props.scanRole);
    if (props.scannerRole) resource.node.addDependency(props.scannerRole);

    this.scanJobId = attribute('ScanJobId');
    this.scanResultStatus = attribute('ScanResultStatus');
    this.state = attribute('State');
    this.statusMessage = attribute('StatusMessage');
    this.creationDate = attribute('CreationDate');
    this.completionDate = attribute('CompletionDate');
  }
}
