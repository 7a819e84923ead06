import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import * as backup from 'aws-cdk-lib/aws-backup';
import { BackupBeforeRemoval, BackupJob, CopyJob, ProtectedResource, RecoveryPoint, RestoreJob } from '../lib';

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
    this.restoreTest = new RestoreJob(this, 'RestoreTest', {
      recoveryPoint: RecoveryPoint.fromBackupJob(this.snapshot),
      metadata: { targetTableName: `${this.stackName}-restore-test-${migrationVersion}` },
      trigger: migrationVersion,
      removalPolicy: RemovalPolicy.DESTROY,
      timeout: Duration.minutes(30),
    });

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
      executeAfter: [this.snapshot, this.restoreTest, ...(this.drCopy ? [this.drCopy] : [])],
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
  }
}
