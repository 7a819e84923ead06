import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import * as backup from 'aws-cdk-lib/aws-backup';
import { BackupBeforeRemoval, BackupJob, CopyJob, ProtectedResource, RecoveryPoint, RestoreJob, ScanJob } from '../lib';

export interface ExampleStackProps extends StackProps {
  /**
   * The version of the migration; a new backup is taken whenever it changes.
   *
   * @default '0001'
   */
  readonly migrationVersion?: string;

  /**
   * How long the deploy waits for the pre-migration backup. Past 58 minutes
   * it waits through the long-wait path (a WaitCondition, up to 12 hours).
   *
   * @default Duration.minutes(30)
   */
  readonly snapshotTimeout?: Duration;

  /**
   * Back the table up before CloudFormation deletes or replaces it (a
   * BackupBeforeRemoval guard).
   *
   * @default false
   */
  readonly guardTable?: boolean;

  /**
   * The table's partition key; changing it makes CloudFormation replace the table.
   *
   * @default 'pk'
   */
  readonly partitionKey?: string;

  /**
   * A disaster-recovery copy of the pre-migration backup into this vault (of
   * another Region or account): the migration then runs only once the copy
   * COMPLETED too.
   *
   * @default - no copy
   */
  readonly drVaultArn?: string;

  /**
   * The whole pre-migration gate: the uploads bucket is backed up and its
   * backup scanned for malware (ScanJob), the table's restore test is
   * validated by a function (RestoreJob validation), and the migration runs
   * only once every check passed (with `drVaultArn`, the copy too).
   *
   * @default false
   */
  readonly gate?: boolean;
}

/**
 * The pre-migration snapshot: a table, a backup of it taken during the deploy,
 * a restore test of that backup into a new table, and a migration that runs
 * only once the backup is COMPLETED and restores.
 */
export class ExampleStack extends Stack {
  public readonly table: dynamodb.Table;
  public readonly snapshot: BackupJob;
  public readonly restoreTest: RestoreJob;
  public readonly migration: triggers.TriggerFunction;
  public readonly guard?: BackupBeforeRemoval;
  public readonly drCopy?: CopyJob;
  public readonly uploadsScan?: ScanJob;

  constructor(scope: Construct, id: string, props: ExampleStackProps = {}) {
    super(scope, id, props);
    const migrationVersion = props.migrationVersion ?? '0001';

    this.table = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: props.partitionKey ?? 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // An example: deleting the stack deletes the table (the backups stay in the vault).
      removalPolicy: RemovalPolicy.DESTROY,
    });

    if (props.guardTable) {
      // Whatever the deploys do to the table later, CloudFormation deletes it only after a COMPLETED backup.
      this.guard = new BackupBeforeRemoval(this, 'OrdersGuard', {
        resource: ProtectedResource.fromDynamoDbTable(this.table),
        lifecycle: { deleteAfter: Duration.days(90) },
      });
    }

    this.snapshot = new BackupJob(this, 'PreMigrationSnapshot', {
      resource: ProtectedResource.fromDynamoDbTable(this.table),
      lifecycle: { deleteAfter: Duration.days(35) },
      recoveryPointTags: { purpose: 'pre-migration', migration: migrationVersion },
      trigger: migrationVersion,
      timeout: props.snapshotTimeout ?? Duration.minutes(30),
    });

    // Knowing that the backup restores: a new table from it, deleted with the next test or the stack.
    const restoredTable = `${this.stackName}-restore-test-${migrationVersion}`;
    this.restoreTest = new RestoreJob(this, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(this.snapshot),
      metadata: { targetTableName: restoredTable },
      trigger: migrationVersion,
      removalPolicy: RemovalPolicy.DESTROY,
      timeout: Duration.minutes(30),
      // The gate: a function judges the restored table before the migration may run.
      validation: props.gate ? new lambda.Function(this, 'RestoreValidation', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline([
          'exports.handler = async (event) => {',
          '  // A real check reads the restored table (item counts, a known row); this one checks it is the one expected.',
          `  const ok = event.CreatedResourceArn.endsWith('/${restoredTable}');`,
          "  return { ValidationStatus: ok ? 'SUCCESSFUL' : 'FAILED', ValidationStatusMessage: ok ? 'the restored table is the one expected' : 'unexpected resource ' + event.CreatedResourceArn };",
          '};',
        ].join('\n')),
        timeout: Duration.seconds(30),
      }) : undefined,
    });

    if (props.gate) {
      // Uploads users sent: backed up, and the backup scanned for malware before the migration runs.
      const uploads = new s3.Bucket(this, 'Uploads', {
        versioned: true, enforceSSL: true, removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, serverAccessLogsPrefix: 'access-logs/',
      });
      const uploadsSnapshot = new BackupJob(this, 'UploadsSnapshot', {
        resource: ProtectedResource.fromS3Bucket(uploads),
        lifecycle: { deleteAfter: Duration.days(35) },
        trigger: migrationVersion,
        timeout: Duration.minutes(30),
      });
      this.uploadsScan = new ScanJob(this, 'UploadsScan', { recoveryPoint: RecoveryPoint.fromBackupJob(uploadsSnapshot), trigger: migrationVersion, timeout: Duration.minutes(30) });
    }

    if (props.drVaultArn) {
      // A copy that survives the loss of this Region (or account), made before the migration runs.
      this.drCopy = new CopyJob(this, 'DrCopy', {
        recoveryPoint: RecoveryPoint.fromBackupJob(this.snapshot),
        destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'DrVault', props.drVaultArn),
        lifecycle: { deleteAfter: Duration.days(35) },
        trigger: migrationVersion,
        timeout: Duration.minutes(30),
      });
    }

    this.migration = new triggers.TriggerFunction(this, 'Migration', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline([
        'exports.handler = async () => {',
        '  // The data migration goes here. It runs only after the backup completed and restored.',
        '  console.log(JSON.stringify({ migration: process.env.MIGRATION_VERSION, recoveryPoint: process.env.RECOVERY_POINT_ARN }));',
        '};',
      ].join('\n')),
      environment: {
        MIGRATION_VERSION: migrationVersion,
        RECOVERY_POINT_ARN: this.snapshot.recoveryPointArn,
      },
      timeout: Duration.minutes(1),
      executeAfter: [this.snapshot, this.restoreTest, ...(this.drCopy ? [this.drCopy] : []), ...(this.uploadsScan ? [this.uploadsScan] : [])],
    });
    this.table.grantReadWriteData(this.migration);
    Validations.of(this.migration).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The example migration only writes its own logs with the basic execution role; its table access is granted explicitly',
    });

    new CfnOutput(this, 'BackupJobId', { value: this.snapshot.backupJobId });
    new CfnOutput(this, 'RecoveryPointArn', { value: this.snapshot.recoveryPointArn });
    new CfnOutput(this, 'BackupSizeInBytes', { value: this.snapshot.backupSizeInBytes });
    new CfnOutput(this, 'RestoredTableArn', { value: this.restoreTest.createdResourceArn });
    if (this.drCopy) new CfnOutput(this, 'DrCopyArn', { value: this.drCopy.destinationRecoveryPointArn });
    if (this.uploadsScan) new CfnOutput(this, 'UploadsScanResult', { value: this.uploadsScan.scanResultStatus });
  }
}
